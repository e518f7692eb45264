/**
 * The HTML report of `puhui backtest`: for each strategy the approval rate, bad rates and losses overall and
 * by risk grade, segment, region and product, the reasons, and (with a challenger) the swap set. One
 * offline file, in English and Chinese.
 */
import type { BacktestReport, Breakdown, StrategyBacktest, SwapSet, Tally } from '../lab/backtest.ts';
import { CHART_HELPER, echartsSource, escapeHtml as escape, REPORT_CSS } from './html.ts';

const pct = (v: number | null, digits = 1) => (v === null ? '—' : `${(100 * v).toFixed(digits)}%`);
const yuan = (fen: number | null) => (fen === null ? '—' : (fen / 100).toLocaleString('en-US', { maximumFractionDigits: 0 }));

function tallyCells(t: Tally): string {
  return [t.enterprises, t.approved, pct(t.approvalRate), t.reviewed, t.declined, pct(t.badRate, 2), pct(t.badRateApproved, 2), pct(t.badRateDeclined, 2),
    t.fraudsApproved, yuan(t.limitFenApproved), yuan(t.limitFenMean), t.rateBpsMean === null ? '—' : `${(t.rateBpsMean / 100).toFixed(2)}%`, yuan(t.expectedLossFen), yuan(t.realisedLossFen)]
    .map((c) => `<td>${c}</td>`).join('');
}

const TALLY_HEAD = '<tr><th></th><th>enterprises 企业数</th><th>approved 通过</th><th>approval 通过率</th><th>review 人工</th><th>declined 拒绝</th><th>bad rate 坏账率</th><th>bad rate approved 通过坏账率</th><th>bad rate declined 拒绝坏账率</th><th>fraud approved 欺诈通过</th><th>limits 授信总额 (yuan)</th><th>mean limit 户均</th><th>mean rate 平均利率</th><th>expected loss 预期损失</th><th>realised loss 实际损失</th></tr>';

function breakdownTable(title: string, rows: Breakdown[]): string {
  return `<h3>${title}</h3><table>${TALLY_HEAD}${rows.map((b) => `<tr><td>${escape(b.label)}</td>${tallyCells(b.tally)}</tr>`).join('')}</table>`;
}

function strategySection(name: string, s: StrategyBacktest): string {
  return `<h2>${name}: ${escape(s.strategy.id)}@${escape(s.strategy.version)} <small>#${s.strategy.hash.slice(0, 12)} · product ${escape(s.strategy.product)} · LGD ${s.lossGivenDefault}</small></h2>
<table>${TALLY_HEAD}<tr><td>all 全部</td>${tallyCells(s.overall)}</tr></table>
${breakdownTable('By risk grade 按风险等级', s.byGrade)}${breakdownTable('By segment 按客群', s.bySegment)}${breakdownTable('By region 按地区', s.byRegion)}${breakdownTable('By product 按产品', s.byProduct)}
<h3>Reasons 原因</h3><table><tr><th>code</th><th>kind</th><th>enterprises 企业数</th><th>of which bad 其中坏</th><th style="text-align:left">meaning 含义</th></tr>
${s.reasons.map((r) => `<tr><td>${r.code}</td><td>${r.kind}</td><td>${r.enterprises}</td><td>${r.bads}</td><td style="text-align:left">${escape(r.en)} / ${escape(r.zh)}</td></tr>`).join('')}</table>`;
}

function swapRow(label: string, s: SwapSet): string {
  return `<tr><td>${label}</td><td>${s.enterprises}</td><td>${s.bads}</td><td>${pct(s.badRate, 2)}</td><td>${s.frauds}</td><td>${yuan(s.limitFen)}</td></tr>`;
}

export function renderBacktestReport(report: BacktestReport): string {
  const strategies = [report.champion, ...(report.challenger ? [report.challenger] : [])];
  const charts = {
    names: strategies.map((s) => `${s.strategy.id}@${s.strategy.version}`),
    grades: [...new Set(strategies.flatMap((s) => s.byGrade.map((g) => g.key)))].sort(),
    byGrade: strategies.map((s) => Object.fromEntries(s.byGrade.map((g) => [g.key, { approved: g.tally.approved, badRate: g.tally.badRateApproved }]))),
    outcomes: strategies.map((s) => [s.overall.approved, s.overall.reviewed, s.overall.declined]),
    reasons: report.champion.reasons.filter((r) => r.kind === 'decline' || r.kind === 'review').slice(0, 12),
  };
  const c = report.comparison;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Backtest 回测 · ${escape(charts.names.join(' vs '))} · ${report.asOf}</title>
<style>${REPORT_CSS}</style><script>${echartsSource()}</script></head><body>
<h1>Strategy backtest 策略回测 <small>as of ${report.asOf}, outcomes over the next ${report.horizonMonths} months</small></h1>
<p>Cohort 样本: ${report.cohort.enterprises} enterprises registered by ${report.asOf} and not in default, ${report.cohort.bads} went bad (${pct(report.cohort.badRate, 2)}), ${report.cohort.frauds} planted or known fraud;
left out: ${report.cohort.excludedDefaulted} already in default, ${report.cohort.excludedUnlabelled} without an outcome.
Expected loss = PD × LGD × limit over the approved; realised loss = LGD × limit over the approved that went bad.</p>
<div id="outcomes" class="chart"></div><div id="grades" class="chart"></div><div id="reasons" class="chart" style="width:760px"></div>
${c ? `<h2>Champion vs challenger 冠军/挑战者对比 <small>swap set: approved by one strategy only</small></h2>
<table><tr><th></th><th>enterprises 企业数</th><th>bads 坏</th><th>bad rate 坏账率</th><th>fraud 欺诈</th><th>limits 授信额 (yuan)</th></tr>
${swapRow('approved by both 均通过', c.approvedByBoth)}${swapRow('champion only (swap-out) 仅冠军通过', c.championOnly)}${swapRow('challenger only (swap-in) 仅挑战者通过', c.challengerOnly)}${swapRow('neither 均未通过', c.neither)}</table>` : ''}
${strategySection('Champion 冠军策略', report.champion)}${report.challenger ? strategySection('Challenger 挑战者策略', report.challenger) : ''}
<script>
const data = ${JSON.stringify(charts)};
${CHART_HELPER}
make('outcomes', { title: { text: 'Outcomes 决策结果' }, legend: { top: 32 }, xAxis: { type: 'category', data: ['approve 通过', 'review 人工', 'decline 拒绝'] }, yAxis: { type: 'value' }, series: data.names.map((name, k) => ({ name, type: 'bar', data: data.outcomes[k] })) });
make('grades', { title: { text: 'Approved and their bad rate by grade 分级通过量与坏账率' }, legend: { top: 30 }, grid: { top: 110 }, xAxis: { type: 'category', data: data.grades }, yAxis: [{ type: 'value', name: 'approved' }, { type: 'value', name: 'bad rate', axisLabel: { formatter: (v) => (v * 100).toFixed(0) + '%' } }],
  series: data.names.flatMap((name, k) => [{ name: name + ' approved', type: 'bar', data: data.grades.map((g) => data.byGrade[k][g]?.approved ?? 0) }, { name: name + ' bad rate', type: 'line', yAxisIndex: 1, data: data.grades.map((g) => data.byGrade[k][g]?.badRate ?? null) }]) });
make('reasons', { title: { text: 'Top decline and review reasons (champion) 主要拒绝与人工原因' }, grid: { left: 200, top: 50 }, xAxis: { type: 'value' }, yAxis: { type: 'category', axisLabel: { interval: 0 }, data: data.reasons.map((r) => r.code).reverse() }, series: [{ type: 'bar', data: data.reasons.map((r) => r.enterprises).reverse() }] });
</script></body></html>
`;
}
