/**
 * The enterprise credit report (企业信用报告): one self-contained, printable HTML page in zh-CN or en — the
 * platform rating with every indicator's contribution, the dimension chart (SVG rendered on the server), the
 * enterprise's credit commitments and the breaches recorded against them. No script, no CDN, no external font.
 *
 * Who may open it: the rule for credit records (checkCreditRecordAccess: the operator, the enterprise itself,
 * a grantee with the enterprise's consent for its registration data). A grantee sees a dimension's indicators
 * only if its consents cover the scopes they read (tax, invoices, bureau, court …); the others are withheld and
 * say so. Every open is audited with the consents relied on and the scopes shown.
 */
import { escapeHtml } from '../pipeline/html.ts';
import type { Snapshot } from '../pipeline/snapshot.ts';
import type { FeatureSpec } from '../features/index.ts';
import { appendAudit, ConsentRequiredError, NotFoundError, requireConsent, type ConsentScope, type Principal, type Store } from '../store/index.ts';
import { COMMITMENT_KIND_LABELS, commitmentsWithBreaches, type CommitmentBreach, type CommitmentKind, type CreditCommitment } from './commitments.ts';
import type { RatingResult } from './rating.ts';
import type { RatingModel } from './rating-policy.ts';
import { checkCreditRecordAccess, latestRating, ratingResultOf } from './rating-store.ts';
import { svgChart } from './report-charts.ts';

export const REPORT_LANGUAGES = ['zh-CN', 'en'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

const TEXT = {
  'zh-CN': {
    title: '企业信用报告', platform: '普惠信用服务平台', creditCode: '统一社会信用代码', name: '企业名称', asOf: '评级基准日',
    generated: '生成时间', model: '评级模型', viewer: '查阅机构', consents: '依据的授权', none: '无', grade: '信用等级', score: '综合得分',
    eligible: '符合平台融资条件（C级及以上）', notEligible: '不符合平台融资条件', dimensions: '各维度得分', indicator: '指标', value: '取值',
    normalised: '标准化得分', weight: '权重', points: '贡献分', missing: '缺失（按最差计）', withheld: '该维度数据未获企业授权，不予展示',
    commitments: '信用承诺', kind: '承诺类型', signedOn: '签署日期', content: '承诺内容', breaches: '违诺记录', noCommitments: '暂无信用承诺',
    noBreaches: '无违诺记录', occurredOn: '发生日期', severity: '程度', minor: '一般', serious: '严重', profile: '登记信息',
    industry: '行业门类', region: '注册地区划', status: '登记状态', established: '成立日期', yes: '是', no: '否',
    method: '评级方法：层次分析法（AHP）。各维度及指标的权重由两两比较判断矩阵的主特征向量求得，每个判断矩阵的一致性比率均小于0.1；指标按取值区间标准化至0–1，缺失按最差计；贡献分 = 100 × 权重 × 标准化得分，各指标贡献分之和即综合得分。',
    disclaimer: '本报告依据平台截至评级基准日归集的数据生成，仅供获授权机构用于融资服务，不得转作他用。',
    points_of: '得分', max: '满分',
  },
  en: {
    title: 'Enterprise credit report', platform: 'Puhui credit service platform', creditCode: 'Unified social credit code', name: 'Name', asOf: 'Rated as of',
    generated: 'Generated', model: 'Rating model', viewer: 'Opened by', consents: 'Consents relied on', none: 'none', grade: 'Grade', score: 'Score',
    eligible: 'Eligible for platform financing (grade C or better)', notEligible: 'Not eligible for platform financing', dimensions: 'Points by dimension', indicator: 'Indicator', value: 'Value',
    normalised: 'Normalised', weight: 'Weight', points: 'Points', missing: 'missing (scored worst)', withheld: 'The enterprise has not authorised this viewer to see the data of this dimension',
    commitments: 'Credit commitments', kind: 'Kind', signedOn: 'Signed on', content: 'Content', breaches: 'Breaches', noCommitments: 'No credit commitments',
    noBreaches: 'No breaches recorded', occurredOn: 'Occurred on', severity: 'Severity', minor: 'minor', serious: 'serious', profile: 'Registration',
    industry: 'Industry section', region: 'Region code', status: 'Status', established: 'Established', yes: 'yes', no: 'no',
    method: 'Method: analytic hierarchy process (AHP). The weights of dimensions and indicators are the principal eigenvectors of pairwise-comparison matrices, each with a consistency ratio below 0.1; an indicator is normalised to 0–1 over its range, a missing one scores the worst end; points = 100 × weight × normalised, and the points add up to the score.',
    disclaimer: "Made from the data the platform held as of the rating date, for the authorised viewer's financing services only.",
    points_of: 'points', max: 'maximum',
  },
} as const;

type Text = (typeof TEXT)[ReportLanguage];

export interface CreditReportInput {
  language: ReportLanguage;
  creditCode: string;
  enterpriseName: string | null;
  profile: { industrySection: string; regionCode: string; status: string; establishedDate: string } | null;
  rating: RatingResult;
  model: RatingModel;
  /** The scopes the viewer may see; indicators reading others are withheld. */
  scopesShown: readonly ConsentScope[];
  commitments: { commitment: CreditCommitment; breaches: CommitmentBreach[] }[];
  viewer: string;
  consentIds: readonly string[];
  generatedAt: string;
}

function formatValue(feature: FeatureSpec, value: number | null, text: Text): string {
  if (value === null) return text.missing;
  if (feature.type === 'flag') return value === 1 ? text.yes : text.no;
  if (feature.unit === 'fen') return `¥${(value / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  if (feature.unit === 'ratio') return value.toFixed(3);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

const row = (cells: readonly string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;

function dimensionChart(input: CreditReportInput, text: Text): string {
  const labels = input.model.dimensions.map((d) => (input.language === 'en' ? d.en : d.zh));
  const points = input.rating.dimensions.map((d) => d.points);
  const maxima = input.rating.dimensions.map((d) => d.pointsMax);
  return svgChart({
    legend: { top: 0 },
    grid: { top: 40, left: 60, right: 20, bottom: 40 },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value', name: text.points },
    series: [
      { name: text.max, type: 'bar', data: maxima, itemStyle: { color: '#d9d9d9' }, barGap: '-100%' },
      { name: text.points_of, type: 'bar', data: points, itemStyle: { color: '#2f6fb3' }, label: { show: true, position: 'top', formatter: '{c}' } },
    ],
  });
}

function dimensionSection(input: CreditReportInput, text: Text, dimension: RatingModel['dimensions'][number]): string {
  const label = input.language === 'en' ? dimension.en : dimension.zh;
  const indicators = input.model.indicators.filter((i) => i.dimension === dimension.id);
  const points = input.rating.dimensions.find((d) => d.id === dimension.id);
  const shown = indicators.every((i) => i.scopes.every((s) => input.scopesShown.includes(s)));
  const heading = `<h3>${escapeHtml(label)} <small>${shown && points ? `${points.points.toFixed(2)} / ${points.pointsMax.toFixed(2)}` : ''}</small></h3>`;
  if (!shown) return `${heading}<p class="withheld">${text.withheld}</p>`;
  const rows = indicators.map((indicator) => {
    const c = input.rating.contributions.find((x) => x.feature === indicator.feature.id)!;
    const name = input.language === 'en' ? indicator.feature.descriptionEn : indicator.feature.descriptionZh;
    return row([`${escapeHtml(name)}<br><small>${indicator.feature.id}</small>`, escapeHtml(formatValue(indicator.feature, c.value, text)), c.normalised.toFixed(3), (100 * c.weight).toFixed(2) + '%', c.points.toFixed(2)]);
  });
  return `${heading}<table><tr><th>${text.indicator}</th><th>${text.value}</th><th>${text.normalised}</th><th>${text.weight}</th><th>${text.points}</th></tr>${rows.join('')}</table>`;
}

function commitmentSection(input: CreditReportInput, text: Text): string {
  if (input.commitments.length === 0) return `<h2>${text.commitments}</h2><p>${text.noCommitments}</p>`;
  const items = input.commitments.map(({ commitment, breaches }) => {
    const label = COMMITMENT_KIND_LABELS[commitment.kind as CommitmentKind];
    const kind = label ? (input.language === 'en' ? label.en : label.zh) : commitment.kind;
    const breachRows = breaches.map((b) => row([b.occurredOn, b.severity === 'serious' ? text.serious : text.minor, escapeHtml(b.description)]));
    const breachTable = breaches.length === 0 ? `<p>${text.noBreaches}</p>`
      : `<table class="breaches"><tr><th>${text.occurredOn}</th><th>${text.severity}</th><th>${text.breaches}</th></tr>${breachRows.join('')}</table>`;
    return `<div class="commitment"><p><b>${escapeHtml(kind)}</b> · ${text.signedOn} ${commitment.signedOn}</p><blockquote>${escapeHtml(commitment.content)}</blockquote>${breachTable}</div>`;
  });
  return `<h2>${text.commitments}</h2>${items.join('')}`;
}

const REPORT_STYLE = [
  'body{font:13px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:24px auto;max-width:820px;color:#222}',
  'h1{font-size:22px;margin:0}h2{font-size:17px;border-bottom:2px solid #2f6fb3;padding-bottom:2px;margin-top:24px}h3{font-size:14px;margin:14px 0 4px}',
  'table{border-collapse:collapse;width:100%;margin:4px 0 10px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:top}',
  'th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}small{color:#666;font-weight:normal}',
  '.meta td{text-align:left}.grade{display:flex;gap:24px;align-items:center;margin:12px 0}',
  '.grade .letter{font-size:48px;font-weight:bold;color:#2f6fb3;border:3px solid #2f6fb3;border-radius:8px;padding:0 18px}',
  '.withheld{color:#a15c00}blockquote{margin:4px 0 6px 12px;color:#444}.commitment{page-break-inside:avoid}',
  'footer{margin-top:24px;color:#666;font-size:11px}',
  '@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}table{page-break-inside:auto}tr{page-break-inside:avoid}}',
].join('');

/** The report as one HTML document (no script, no external resource). */
export function creditReportHtml(input: CreditReportInput): string {
  const text = TEXT[input.language];
  const band = input.model.grades.find((g) => g.grade === input.rating.grade);
  const bandLabel = band ? (input.language === 'en' ? band.en : band.zh) : '';
  const meta = [
    [text.creditCode, input.creditCode], [text.name, input.enterpriseName ?? '—'], [text.asOf, input.rating.asOf],
    [text.model, input.rating.modelVersion], [text.viewer, input.viewer], [text.consents, input.consentIds.length > 0 ? input.consentIds.join(', ') : text.none],
    [text.generated, input.generatedAt],
  ].map(([k, v]) => row([k!, escapeHtml(v!)])).join('');
  const profile = input.profile && input.scopesShown.includes('registration')
    ? `<h2>${text.profile}</h2><table class="meta">${[[text.industry, input.profile.industrySection], [text.region, input.profile.regionCode], [text.status, input.profile.status], [text.established, input.profile.establishedDate]].map(([k, v]) => row([k!, escapeHtml(v!)])).join('')}</table>`
    : '';
  return `<!doctype html><html lang="${input.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${text.title} ${input.creditCode}</title><style>${REPORT_STYLE}</style></head><body>
<header><small>${text.platform}</small><h1>${text.title}</h1></header>
<table class="meta">${meta}</table>
<div class="grade"><span class="letter">${escapeHtml(input.rating.grade)}</span><div><b>${text.grade}: ${escapeHtml(input.rating.grade)}</b> ${escapeHtml(bandLabel)}<br>
${text.score}: <b>${input.rating.score.toFixed(2)}</b> / 100<br>${input.rating.eligible ? text.eligible : text.notEligible}</div></div>
${profile}
<h2>${text.dimensions}</h2><figure>${dimensionChart(input, text)}</figure>
${input.model.dimensions.map((d) => dimensionSection(input, text, d)).join('\n')}
${commitmentSection(input, text)}
<footer><p>${text.method}</p><p>${text.disclaimer}</p></footer>
</body></html>`;
}

/** The scopes (of those the rating reads) this principal may see for the enterprise. */
async function scopesShownTo(store: Store, principal: Principal, creditCode: string, model: RatingModel): Promise<{ scopes: ConsentScope[]; consentIds: string[] }> {
  if (principal.role === 'operator' || principal.role === 'enterprise') return { scopes: [...model.scopes], consentIds: [] };
  const at = store.now();
  const scopes: ConsentScope[] = [];
  const consentIds = new Set<string>();
  for (const scope of model.scopes) {
    try {
      const consent = await requireConsent(store, { granteeTenantId: principal.tenantId, creditCode, scopes: [scope], at });
      scopes.push(scope);
      consentIds.add(consent.id);
    } catch (error) {
      if (!(error instanceof ConsentRequiredError)) throw error;
    }
  }
  return { scopes, consentIds: [...consentIds].sort() };
}

/** Opens an enterprise's credit report for a principal: access checked, the open audited, the HTML returned. */
export async function openCreditReport(store: Store, principal: Principal, input: { creditCode: string; language: ReportLanguage; model: RatingModel; snapshot: Snapshot | null }): Promise<string> {
  const { creditCode, model } = input;
  await checkCreditRecordAccess(store, principal, creditCode);
  const stored = await latestRating(store, creditCode, model.version);
  if (!stored) throw new NotFoundError(`no rating of ${creditCode} by ${model.version} yet: the operator runs the rating job (POST /v1/ratings/jobs)`);
  const { scopes, consentIds } = await scopesShownTo(store, principal, creditCode, model);
  const viewerTenant = await store.db.selectFrom('tenants').select(['name']).where('id', '=', principal.tenantId).executeTakeFirst();
  const enterpriseTenant = await store.db.selectFrom('tenants').select(['name']).where('creditCode', '=', creditCode).executeTakeFirst();
  let profile: CreditReportInput['profile'] = null;
  if (input.snapshot && input.snapshot.has(creditCode)) {
    const entry = input.snapshot.entry(creditCode);
    profile = { industrySection: entry.enterprise.industrySection, regionCode: entry.enterprise.regionCode, status: entry.enterprise.status, establishedDate: entry.establishedDate };
  }
  const generatedAt = store.now();
  const html = creditReportHtml({
    language: input.language, creditCode, enterpriseName: enterpriseTenant?.name ?? null, profile, rating: ratingResultOf(stored, model), model,
    scopesShown: scopes, commitments: await commitmentsWithBreaches(store, creditCode), viewer: viewerTenant?.name ?? principal.tenantId,
    consentIds, generatedAt,
  });
  await appendAudit(store.db, {
    at: generatedAt, tenantId: principal.tenantId, actor: principal.keyId, action: 'report.open', subjectType: 'credit_report', subjectId: creditCode,
    details: { ratingId: stored.id, asOf: stored.asOf, modelVersion: stored.modelVersion, language: input.language, consentIds, scopesShown: scopes },
  });
  return html;
}
