/**
 * The portfolio-monitoring report: one self-contained HTML file (ECharts inlined, works offline), in Chinese
 * and English — warnings by level with their codes, score and feature stability with both verdicts, vintage
 * curves and the roll-rate matrix. The same figures the API returns (routes/monitoring.ts).
 */
import { CHART_HELPER, echartsSource, escapeHtml, REPORT_CSS } from '../pipeline/html.ts';
import type { Vintage, RollRateMatrix } from './portfolio.ts';
import type { StabilityResult, StabilityVerdict } from './stability.ts';
import { WARNING_CODES, type WarningCode, type WarningLevel } from './reasons.ts';

export interface WarningSummary { level: WarningLevel; codes: WarningCode[] }

export interface PortfolioReport {
  title: string;
  asOf: string;
  warnings: readonly WarningSummary[];
  stability: readonly StabilityResult[];
  vintages: readonly Vintage[];
  rollRates: RollRateMatrix | null;
}

const VERDICT: Record<StabilityVerdict, string> = { stable: 'stable 稳定', watch: 'watch 关注', shift: 'shift 显著偏移' };
const LEVEL: Record<WarningLevel, string> = { green: 'green 绿色', yellow: 'yellow 黄色', red: 'red 红色' };
const pct = (share: number) => `${(100 * share).toFixed(1)}%`;

function table(headers: string[], rows: string[][]): string {
  return `<table><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`;
}

function warningSection(warnings: readonly WarningSummary[]): string {
  const levels = (['red', 'yellow', 'green'] as const).map((level) => {
    const n = warnings.filter((w) => w.level === level).length;
    return [LEVEL[level], String(n), pct(warnings.length > 0 ? n / warnings.length : 0)];
  });
  const counts = new Map<WarningCode, number>();
  for (const w of warnings) for (const code of w.codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  const codes = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => [code, escapeHtml(WARNING_CODES[code].zh), escapeHtml(WARNING_CODES[code].en), WARNING_CODES[code].severity, String(n)]);
  return `<h2>Warnings 预警 <small>${warnings.length} enterprises 户</small></h2>${table(['level 等级', 'enterprises 户数', 'share 占比'], levels)}
${table(['code 代码', '中文', 'English', 'severity 级别', 'enterprises 户数'], codes)}`;
}

function stabilitySection(results: readonly StabilityResult[]): string {
  const rows = results.map((r) => [escapeHtml(r.name), r.psi.toFixed(4), r.criticalValue.toFixed(4), r.significant ? 'yes 是' : 'no 否', VERDICT[r.ruleOfThumb], `<b>${VERDICT[r.verdict]}</b>`, String(r.baseCount), String(r.currentCount)]);
  return `<h2>Stability 稳定性 <small>PSI (score) and CSI (features): rule of thumb 0.1/0.25 and a χ² test for the sample sizes 经验阈值与按样本量的卡方检验</small></h2>
${table(['variable 变量', 'PSI/CSI', 'critical 临界值', 'significant 显著', 'rule of thumb 经验判断', 'verdict 结论', 'base 基准样本', 'current 当前样本'], rows)}`;
}

function rollSection(matrix: RollRateMatrix | null): string {
  if (!matrix) return '';
  const rows = matrix.from.map((from, i) => [escapeHtml(from), ...matrix.countRates[i]!.map((rate, j) => `${pct(rate)} <small>${matrix.counts[i]![j]}</small>`)]);
  return `<h2>Roll rates 迁徙率 <small>${matrix.transitions} loan-months, by count (transitions in small type) 按笔数</small></h2>${table(['from \\ to 从\\到', ...matrix.to.map(escapeHtml)], rows)}`;
}

export function renderPortfolioReport(report: PortfolioReport): string {
  const vintageSeries = report.vintages.map((v) => ({ name: v.bookedMonth, type: 'line', data: v.points.map((p) => [p.monthsOnBook, Number((100 * p.everBadCountShare).toFixed(3))]) }));
  const stabilityBars = report.stability.filter((s) => s.name === report.stability[0]?.name).flatMap((s) => s.bins.map((b, k) => ({ k, base: b.expectedShare, current: b.actualShare })));
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title><style>${REPORT_CSS}</style></head><body>
<h1>${escapeHtml(report.title)} <small>as of 截至 ${escapeHtml(report.asOf)}</small></h1>
${warningSection(report.warnings)}
${stabilitySection(report.stability)}
<div id="psi" class="chart"></div><div id="vintage" class="chart"></div>
${rollSection(report.rollRates)}
<h2>Vintages 账龄 <small>ever bad (the policy's bad bucket or worse) by months on book, % of loans booked 按账龄累计不良占比</small></h2>
${table(['booked 放款月', 'loans 笔数', 'booked 放款金额 (yuan 元)', 'latest ever-bad 最新累计不良'], report.vintages.map((v) => [v.bookedMonth, String(v.loans), (v.bookedBalanceFen / 100).toFixed(2), pct(v.points.at(-1)?.everBadCountShare ?? 0)]))}
<script>${echartsSource()}</script>
<script>${CHART_HELPER}
make('psi', { title: { text: ${JSON.stringify(`${report.stability[0]?.name ?? ''} base vs current 基准与当前分布`)} }, legend: { top: 32 }, xAxis: { type: 'category', data: ${JSON.stringify(stabilityBars.map((b) => String(b.k + 1)))} }, yAxis: { type: 'value' }, series: [{ name: 'base', type: 'bar', data: ${JSON.stringify(stabilityBars.map((b) => b.base))} }, { name: 'current', type: 'bar', data: ${JSON.stringify(stabilityBars.map((b) => b.current))} }] });
make('vintage', { title: { text: 'Vintage curves 账龄曲线 (%)' }, legend: { top: 32, type: 'scroll' }, xAxis: { type: 'value', name: 'MOB' }, yAxis: { type: 'value' }, series: ${JSON.stringify(vintageSeries)} });
</script></body></html>
`;
}
