/**
 * The HTML report of `puhui train`: binning tables, IV ranking, coefficients and points, ROC and KS charts,
 * and PSI of the score between training and test. One self-contained file: ECharts is inlined from its npm
 * package, so the report opens offline. Text is in English and Chinese.
 */
import { CHART_HELPER, echartsSource, escapeHtml as escape, REPORT_CSS } from './html.ts';
import type { ScorecardFile } from '../models/scorecard.ts';
import type { ModelEvaluation } from '../pipeline/train.ts';

export type { ModelEvaluation };

export function renderModelReport(model: ScorecardFile, evaluation: ModelEvaluation): string {
  const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
  const summary = [
    ['rows (train / test) 样本量', `${evaluation.train.rows} / ${evaluation.test?.rows ?? '—'}`],
    ['bad rate 坏账率', `${fmt((100 * evaluation.train.bads) / evaluation.train.rows, 2)}% / ${evaluation.test ? fmt((100 * evaluation.test.bads) / evaluation.test.rows, 2) + '%' : '—'}`],
    ['AUC', `${fmt(evaluation.train.auc)} / ${evaluation.test ? fmt(evaluation.test.auc) : '—'}`],
    ['KS', `${fmt(evaluation.train.ks)} / ${evaluation.test ? fmt(evaluation.test.ks) : '—'}`],
    ['PSI train→test 稳定性', evaluation.psi ? fmt(evaluation.psi.psi, 4) : '—'],
    ['scaling 刻度', `${model.scaling.baseScore} points at odds ${model.scaling.baseOdds}:1, PDO ${model.scaling.pdo}`],
  ];
  const features = [...model.features].sort((a, b) => b.iv - a.iv);
  const binTables = features.map((f) => `
    <h3>${escape(f.name)} <small>IV ${fmt(f.iv)} · β ${fmt(f.coefficient)} (SE ${fmt(f.standardError)}, p ${f.pValue < 1e-4 ? '<0.0001' : fmt(f.pValue, 4)})</small></h3>
    <table><tr><th>bin 分箱</th><th>count 数量</th><th>bads 坏</th><th>bad rate 坏账率</th><th>WOE</th><th>IV</th><th>points 分值</th></tr>
    ${f.binning.bins.map((b, k) => `<tr><td>${escape(b.label)}</td><td>${b.count}</td><td>${b.bads}</td><td>${fmt(100 * b.badRate, 2)}%</td><td>${fmt(b.woe)}</td><td>${fmt(b.iv, 4)}</td><td>${fmt(f.points[k]!, 1)}</td></tr>`).join('')}
    </table>`).join('');
  const grades = model.grades.map((g) => `<tr><td>${g.grade}</td><td>${g.minScore === null ? '—' : fmt(g.minScore, 1)}</td><td>${g.count}</td><td>${fmt(100 * g.badRate, 2)}%</td></tr>`).join('');
  const charts = {
    iv: { names: features.map((f) => f.name), values: features.map((f) => Number(f.iv.toFixed(4))) },
    roc: evaluation.roc, ks: evaluation.ksCurve,
    psi: evaluation.psi?.bins.map((b) => ({ label: `${Number.isFinite(b.from) ? b.from.toFixed(0) : '−∞'}…${Number.isFinite(b.to) ? b.to.toFixed(0) : '∞'}`, expected: b.expectedShare, actual: b.actualShare })) ?? [],
  };
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Scorecard report · 评分卡报告 · ${escape(model.target)}</title>
<style>${REPORT_CSS}</style>
<script>${echartsSource()}</script></head><body>
<h1>Scorecard report 评分卡报告 <small>target ${escape(model.target)} · ${escape(model.schema)}</small></h1>
<table>${summary.map(([k, v]) => `<tr><th>${k}</th><td>${escape(v!)}</td></tr>`).join('')}</table>
<div id="iv" class="chart" style="height:${Math.max(340, 70 + 22 * features.length)}px"></div><div id="roc" class="chart"></div><div id="ks" class="chart"></div><div id="psi" class="chart"></div>
<h2>Grades 等级</h2><table><tr><th>grade</th><th>min score</th><th>count</th><th>bad rate</th></tr>${grades}</table>
<h2>Variables 变量 <small>base points ${fmt(model.basePoints, 1)}</small></h2>${binTables}
<h2>Dropped 剔除</h2><table><tr><th>variable</th><th>reason</th></tr>${model.dropped.map((d) => `<tr><td>${escape(d.name)}</td><td style="text-align:left">${escape(d.reason)}</td></tr>`).join('')}</table>
<script>
const data = ${JSON.stringify(charts)};
${CHART_HELPER}
make('iv', { title: { text: 'IV ranking 信息值' }, grid: { left: 230, top: 50 }, xAxis: { type: 'value' }, yAxis: { type: 'category', axisLabel: { interval: 0 }, data: data.iv.names.slice().reverse() }, series: [{ type: 'bar', data: data.iv.values.slice().reverse() }] });
make('roc', { title: { text: 'ROC' }, xAxis: { type: 'value', max: 1, name: 'FPR' }, yAxis: { type: 'value', max: 1, name: 'TPR' }, series: [{ type: 'line', showSymbol: false, data: data.roc }, { type: 'line', showSymbol: false, data: [[0, 0], [1, 1]], lineStyle: { type: 'dashed' } }] });
make('ks', { title: { text: 'KS' }, legend: { top: 32 }, xAxis: { type: 'value', name: 'score', scale: true }, yAxis: { type: 'value', max: 1 }, series: [{ name: 'bads', type: 'line', showSymbol: false, data: data.ks.map((p) => [p.score, p.badShare]) }, { name: 'goods', type: 'line', showSymbol: false, data: data.ks.map((p) => [p.score, p.goodShare]) }] });
make('psi', { title: { text: 'Score PSI train vs test 分数稳定性' }, legend: { top: 32 }, xAxis: { type: 'category', data: data.psi.map((b) => b.label) }, yAxis: { type: 'value' }, series: [{ name: 'train', type: 'bar', data: data.psi.map((b) => b.expected) }, { name: 'test', type: 'bar', data: data.psi.map((b) => b.actual) }] });
</script></body></html>
`;
}
