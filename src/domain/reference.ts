/**
 * Reference code tables: GB/T 4754-2017 industry sections (门类) with their divisions (大类), and
 * GB/T 2260 provinces. Sources: GB/T 4754-2017 section names as listed in
 * lianjintai/openapi-doc `2.4/dict_mtIndTypCd.md`; provinces from modood/Administrative-divisions-of-China `dist/provinces.csv`.
 */

export interface IndustrySection {
  code: string;
  nameZh: string;
  nameEn: string;
  divisionFirst: number;
  divisionLast: number;
}

export const INDUSTRY_SECTIONS: readonly IndustrySection[] = [
  { code: 'A', nameZh: '农、林、牧、渔业', nameEn: 'Agriculture, forestry, husbandry, fishery', divisionFirst: 1, divisionLast: 5 },
  { code: 'B', nameZh: '采矿业', nameEn: 'Mining', divisionFirst: 6, divisionLast: 12 },
  { code: 'C', nameZh: '制造业', nameEn: 'Manufacturing', divisionFirst: 13, divisionLast: 43 },
  { code: 'D', nameZh: '电力、热力、燃气及水生产和供应业', nameEn: 'Utilities', divisionFirst: 44, divisionLast: 46 },
  { code: 'E', nameZh: '建筑业', nameEn: 'Construction', divisionFirst: 47, divisionLast: 50 },
  { code: 'F', nameZh: '批发和零售业', nameEn: 'Wholesale and retail', divisionFirst: 51, divisionLast: 52 },
  { code: 'G', nameZh: '交通运输、仓储和邮政业', nameEn: 'Transport, storage and post', divisionFirst: 53, divisionLast: 60 },
  { code: 'H', nameZh: '住宿和餐饮业', nameEn: 'Accommodation and catering', divisionFirst: 61, divisionLast: 62 },
  { code: 'I', nameZh: '信息传输、软件和信息技术服务业', nameEn: 'Information and software services', divisionFirst: 63, divisionLast: 65 },
  { code: 'J', nameZh: '金融业', nameEn: 'Finance', divisionFirst: 66, divisionLast: 69 },
  { code: 'K', nameZh: '房地产业', nameEn: 'Real estate', divisionFirst: 70, divisionLast: 70 },
  { code: 'L', nameZh: '租赁和商务服务业', nameEn: 'Leasing and business services', divisionFirst: 71, divisionLast: 72 },
  { code: 'M', nameZh: '科学研究和技术服务业', nameEn: 'Research and technical services', divisionFirst: 73, divisionLast: 75 },
  { code: 'N', nameZh: '水利、环境和公共设施管理业', nameEn: 'Water, environment and public facilities', divisionFirst: 76, divisionLast: 79 },
  { code: 'O', nameZh: '居民服务、修理和其他服务业', nameEn: 'Household, repair and other services', divisionFirst: 80, divisionLast: 82 },
  { code: 'P', nameZh: '教育', nameEn: 'Education', divisionFirst: 83, divisionLast: 83 },
  { code: 'Q', nameZh: '卫生和社会工作', nameEn: 'Health and social work', divisionFirst: 84, divisionLast: 85 },
  { code: 'R', nameZh: '文化、体育和娱乐业', nameEn: 'Culture, sports and entertainment', divisionFirst: 86, divisionLast: 90 },
  { code: 'S', nameZh: '公共管理、社会保障和社会组织', nameEn: 'Public administration and social organisations', divisionFirst: 91, divisionLast: 96 },
  { code: 'T', nameZh: '国际组织', nameEn: 'International organisations', divisionFirst: 97, divisionLast: 97 },
];

const SECTION_BY_CODE = new Map(INDUSTRY_SECTIONS.map((section) => [section.code, section]));

export function industrySection(code: string): IndustrySection | undefined {
  return SECTION_BY_CODE.get(code);
}

/** Whether a two-digit division ('13') belongs to a section ('C'). */
export function isDivisionOfSection(sectionCode: string, division: string): boolean {
  const section = SECTION_BY_CODE.get(sectionCode);
  if (!section || !/^\d{2}$/.test(division)) return false;
  const value = Number(division);
  return value >= section.divisionFirst && value <= section.divisionLast;
}

export interface Province {
  code: string;
  nameZh: string;
  nameEn: string;
}

export const PROVINCES: readonly Province[] = [
  { code: '11', nameZh: '北京市', nameEn: 'Beijing' }, { code: '12', nameZh: '天津市', nameEn: 'Tianjin' },
  { code: '13', nameZh: '河北省', nameEn: 'Hebei' }, { code: '14', nameZh: '山西省', nameEn: 'Shanxi' },
  { code: '15', nameZh: '内蒙古自治区', nameEn: 'Inner Mongolia' }, { code: '21', nameZh: '辽宁省', nameEn: 'Liaoning' },
  { code: '22', nameZh: '吉林省', nameEn: 'Jilin' }, { code: '23', nameZh: '黑龙江省', nameEn: 'Heilongjiang' },
  { code: '31', nameZh: '上海市', nameEn: 'Shanghai' }, { code: '32', nameZh: '江苏省', nameEn: 'Jiangsu' },
  { code: '33', nameZh: '浙江省', nameEn: 'Zhejiang' }, { code: '34', nameZh: '安徽省', nameEn: 'Anhui' },
  { code: '35', nameZh: '福建省', nameEn: 'Fujian' }, { code: '36', nameZh: '江西省', nameEn: 'Jiangxi' },
  { code: '37', nameZh: '山东省', nameEn: 'Shandong' }, { code: '41', nameZh: '河南省', nameEn: 'Henan' },
  { code: '42', nameZh: '湖北省', nameEn: 'Hubei' }, { code: '43', nameZh: '湖南省', nameEn: 'Hunan' },
  { code: '44', nameZh: '广东省', nameEn: 'Guangdong' }, { code: '45', nameZh: '广西壮族自治区', nameEn: 'Guangxi' },
  { code: '46', nameZh: '海南省', nameEn: 'Hainan' }, { code: '50', nameZh: '重庆市', nameEn: 'Chongqing' },
  { code: '51', nameZh: '四川省', nameEn: 'Sichuan' }, { code: '52', nameZh: '贵州省', nameEn: 'Guizhou' },
  { code: '53', nameZh: '云南省', nameEn: 'Yunnan' }, { code: '54', nameZh: '西藏自治区', nameEn: 'Tibet' },
  { code: '61', nameZh: '陕西省', nameEn: 'Shaanxi' }, { code: '62', nameZh: '甘肃省', nameEn: 'Gansu' },
  { code: '63', nameZh: '青海省', nameEn: 'Qinghai' }, { code: '64', nameZh: '宁夏回族自治区', nameEn: 'Ningxia' },
  { code: '65', nameZh: '新疆维吾尔自治区', nameEn: 'Xinjiang' },
];

export const PROVINCE_CODES: ReadonlySet<string> = new Set(PROVINCES.map((province) => province.code));

/** A 6-digit GB/T 2260 division code whose first two digits are a province. */
export function isRegionCode(code: string): boolean {
  return /^\d{6}$/.test(code) && PROVINCE_CODES.has(code.slice(0, 2));
}
