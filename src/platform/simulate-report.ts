/**
 * The simulation's report: one self-contained HTML page (zh-CN and en side by side) with the figures of
 * `puhui platform simulate` — month by month, by region, industry, bank and product, the loans by rating grade
 * and the guarantee fund — and charts rendered on the server to SVG by ECharts (report-charts.ts).
 */
import { escapeHtml } from '../pipeline/html.ts';
import { svgChart } from './report-charts.ts';
import type { SimulationFigures } from './simulate.ts';

const yuan = (fen: number) => (fen / 100).toLocaleString('en-US', { maximumFractionDigits: 0 });
const wan = (fen: number) => (fen / 1_000_000).toLocaleString('en-US', { maximumFractionDigits: 1 });
const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '—');

interface StatisticsRow {
  key: string; label: string; needs: number; needAmountFen: number; claims: number; needsClaimed: number; timeToClaimHoursMean: number | null;
  timeToClaimHoursMedian: number | null; offers: number; approvals: number; approvedAmountFen: number; rateBpsMean: number | null; defaults: number; defaultedAmountFen: number;
}

function statisticsTable(title: string, rows: readonly StatisticsRow[]): string {
  const header = ['', 'needs 需求', 'claimed 被抢单', 'time to claim h (median) 抢单时长', 'offers 报价', 'loans 放款', 'amount 万元', 'rate bps 利率', 'defaults 违约', 'defaulted 万元'];
  const body = rows.map((r) => `<tr><td>${escapeHtml(r.label || r.key)}</td><td>${r.needs}</td><td>${r.needsClaimed} (${percent(r.needsClaimed, r.needs)})</td>`
    + `<td>${r.timeToClaimHoursMedian === null ? '—' : r.timeToClaimHoursMedian.toFixed(1)}</td><td>${r.offers}</td><td>${r.approvals}</td><td>${wan(r.approvedAmountFen)}</td>`
    + `<td>${r.rateBpsMean === null ? '—' : r.rateBpsMean.toFixed(0)}</td><td>${r.defaults}</td><td>${wan(r.defaultedAmountFen)}</td></tr>`).join('');
  return `<h2>${title}</h2><table><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr>${body}</table>`;
}

function monthlyChart(figures: SimulationFigures): string {
  const months = figures.monthly.map((m) => m.month);
  return svgChart({
    title: { text: 'Needs, loans and defaults by month 各月需求、放款与违约', left: 'center', textStyle: { fontSize: 13 } },
    legend: { top: 24 }, grid: { top: 60, left: 50, right: 20, bottom: 30 },
    xAxis: { type: 'category', data: months }, yAxis: { type: 'value' },
    series: [
      { name: 'needs 需求', type: 'bar', data: figures.monthly.map((m) => m.needs) },
      { name: 'loans 放款', type: 'bar', data: figures.monthly.map((m) => m.loans) },
      { name: 'defaults 违约', type: 'line', data: figures.monthly.map((m) => m.defaults) },
    ],
  }, { width: 760, height: 320 });
}

function bankChart(rows: readonly StatisticsRow[]): string {
  return svgChart({
    title: { text: 'By bank: loans and median hours to claim 各银行放款与抢单时长', left: 'center', textStyle: { fontSize: 13 } },
    legend: { top: 24 }, grid: { top: 60, left: 50, right: 50, bottom: 70 },
    xAxis: { type: 'category', data: rows.map((r) => r.label || r.key), axisLabel: { rotate: 20, fontSize: 10 } },
    yAxis: [{ type: 'value', name: 'loans' }, { type: 'value', name: 'hours' }],
    series: [
      { name: 'loans 放款', type: 'bar', data: rows.map((r) => r.approvals) },
      { name: 'median hours to claim 抢单时长', type: 'line', yAxisIndex: 1, data: rows.map((r) => r.timeToClaimHoursMedian ?? 0) },
    ],
  }, { width: 760, height: 340 });
}

function gradeChart(figures: SimulationFigures): string {
  const grades = Object.keys(figures.ratingsByGrade);
  return svgChart({
    title: { text: 'Platform rating of the economy 企业信用评级分布', left: 'center', textStyle: { fontSize: 13 } },
    grid: { top: 50, left: 50, right: 20, bottom: 30 },
    xAxis: { type: 'category', data: grades }, yAxis: { type: 'value' },
    series: [{ type: 'bar', data: grades.map((g) => figures.ratingsByGrade[g]), label: { show: true, position: 'top' } }],
  }, { width: 360, height: 280 });
}

export function simulationReportHtml(figures: SimulationFigures): string {
  const t = figures.totals;
  const summary = [
    ['Enterprises 企业', String(figures.enterprises)], ['Banks 银行', String(figures.banks.length)], ['Months 月数', `${figures.months} from ${figures.startMonth}`],
    ['Needs 融资需求', String(t.needs)], ['Claims 抢单', String(t.claims)], ['Declined after review 审查后拒绝', String(t.declines)], ['Offers 报价', String(t.offers)],
    ['Loans 放款笔数', `${t.loans} (${percent(t.loans, t.needs)} of needs)`], ['Amount lent 放款金额 (yuan)', yuan(t.loanAmountFen)],
    ['Covered by the fund 纳入基金分担', `${t.covered} (${t.coverRefused} refused: cap or leverage)`], ['Defaults 违约', `${t.defaults} (${percent(t.defaults, t.loans)} of loans)`],
    ['Principal lost 损失本金 (yuan)', yuan(t.principalLostFen)], ['Fund claims 基金代偿', `${t.fundClaims}, paid ${yuan(t.fundPaidFen)} yuan`], ['Recovered 追偿回收 (yuan)', yuan(t.recoveredFen)],
    ['Fund balance 基金余额 (yuan)', `${yuan(figures.fund.balanceFen)} of ${yuan(figures.fund.capitalFen)}; reconciled to the fen: ${figures.fund.reconciled ? 'yes 是' : 'NO 否'}`],
    ['Rating model 评级模型', figures.ratingModel], ['Seed 随机种子', String(figures.seed)],
  ].map(([k, v]) => `<tr><td>${k}</td><td>${escapeHtml(v!)}</td></tr>`).join('');
  const grades = Object.entries(figures.loansByGrade).sort(([a], [b]) => a.localeCompare(b))
    .map(([g, v]) => `<tr><td>${g}</td><td>${v.loans}</td><td>${yuan(v.amountFen)}</td><td>${v.defaults} (${percent(v.defaults, v.loans)})</td></tr>`).join('');
  const style = 'body{font:13px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:24px auto;max-width:1000px;color:#222}table{border-collapse:collapse;margin:6px 0 16px}'
    + 'td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}h2{font-size:16px;margin-top:22px}'
    + 'figure{margin:8px 0;display:inline-block}@media print{body{margin:0}tr{page-break-inside:avoid}}';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Platform simulation 平台模拟</title><style>${style}</style></head><body>
<h1>Platform simulation 信易贷平台模拟</h1>
<p>The platform run over a synthetic economy: needs arrive, banks claim and decide with their strategies, loans are booked, the economy's own outcomes default, the guarantee fund shares the losses. 在模拟经济上运行平台：需求发布、银行抢单并按策略审批、放款、违约与基金代偿。</p>
<table>${summary}</table>
<figure>${monthlyChart(figures)}</figure><figure>${gradeChart(figures)}</figure>
<h2>Loans by platform rating 按评级分组的贷款</h2><table><tr><th>grade 等级</th><th>loans 笔数</th><th>amount 金额 (yuan)</th><th>defaults 违约</th></tr>${grades}</table>
<figure>${bankChart(figures.byBank as StatisticsRow[])}</figure>
${statisticsTable('By bank 按银行', figures.byBank as StatisticsRow[])}
${statisticsTable('By product 按产品', figures.byProduct as StatisticsRow[])}
${statisticsTable('By industry 按行业', figures.byIndustry as StatisticsRow[])}
${statisticsTable('By province 按省份', figures.byRegion as StatisticsRow[])}
</body></html>`;
}
