import type { Rng } from './random.ts';

const BRAND_SYLLABLES = [
  '恒', '丰', '鑫', '源', '华', '盛', '达', '兴', '泰', '宏', '瑞', '祥', '安', '顺', '信', '诚', '德', '利', '嘉', '和',
  '金', '永', '创', '明', '志', '远', '博', '新', '海', '天', '锦', '隆', '旺', '富', '众', '联', '通', '汇', '宇', '康',
];
const SECTION_WORDS: Record<string, readonly string[]> = {
  A: ['农业', '种植', '养殖', '生态农业'], C: ['机械', '电子', '塑料制品', '纺织', '五金', '包装材料', '精密制造'],
  E: ['建筑工程', '装饰工程', '建设'], F: ['贸易', '商贸', '供应链', '五金销售', '建材'], G: ['物流', '运输', '货运代理'],
  H: ['餐饮管理', '酒店管理', '餐饮'], I: ['信息技术', '软件', '网络科技', '数据科技'], L: ['企业管理咨询', '商务服务', '广告'],
  M: ['技术服务', '检测技术', '工程设计'], O: ['家政服务', '汽车维修', '物业服务'], R: ['文化传媒', '体育发展', '文化传播'],
};
const SHOP_WORDS: Record<string, readonly string[]> = {
  F: ['便利店', '日用品商行', '建材经营部'], H: ['小吃店', '面馆', '餐馆'], O: ['维修部', '理发店', '洗衣店'],
};

export function enterpriseName(rng: Rng, cityName: string, section: string, individual: boolean): string {
  const brand = rng.pick(BRAND_SYLLABLES) + rng.pick(BRAND_SYLLABLES);
  if (individual) return `${cityName}${brand}${rng.pick(SHOP_WORDS[section] ?? ['经营部'])}`;
  return `${cityName}${brand}${rng.pick(SECTION_WORDS[section] ?? ['实业'])}有限公司`;
}

/** Synthetic court case number in the Chinese style, e.g. (2024)浙0106民初1234号. */
export function caseNumber(year: number, provinceShort: string, countyDigits: string, serial: number, kind: 'civil' | 'enforcement'): string {
  return `(${year})${provinceShort}${countyDigits}${kind === 'civil' ? '民初' : '执'}${serial}号`;
}

export const PROVINCE_SHORT: Record<string, string> = {
  '11': '京', '12': '津', '13': '冀', '31': '沪', '32': '苏', '33': '浙', '34': '皖', '35': '闽', '36': '赣', '37': '鲁',
  '41': '豫', '42': '鄂', '43': '湘', '44': '粤', '50': '渝', '51': '川', '61': '陕',
};

/** Provinces where the synthetic SMEs register, weighted roughly by their SME counts (assumption). */
export const SYNTH_PROVINCES: readonly { code: string; city: string; weight: number }[] = [
  { code: '44', city: '广州', weight: 14 }, { code: '32', city: '苏州', weight: 12 }, { code: '33', city: '杭州', weight: 11 },
  { code: '37', city: '济南', weight: 9 }, { code: '35', city: '泉州', weight: 5 }, { code: '41', city: '郑州', weight: 6 },
  { code: '42', city: '武汉', weight: 5 }, { code: '43', city: '长沙', weight: 4 }, { code: '51', city: '成都', weight: 5 },
  { code: '34', city: '合肥', weight: 4 }, { code: '31', city: '上海', weight: 6 }, { code: '11', city: '北京', weight: 6 },
  { code: '50', city: '重庆', weight: 3 }, { code: '13', city: '石家庄', weight: 3 }, { code: '36', city: '南昌', weight: 2 },
  { code: '61', city: '西安', weight: 2 }, { code: '12', city: '天津', weight: 2 },
];
