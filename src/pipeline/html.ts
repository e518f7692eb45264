/** Pieces shared by Puhui's self-contained HTML reports: escaping, the inlined ECharts and the page style. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** ECharts' minified build from its npm package, inlined so a report opens offline. */
export function echartsSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
}

export const REPORT_CSS = 'body{font:14px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}.chart{width:560px;height:340px;display:inline-block}small{color:#666;font-weight:normal}';

/** A report is a document: no animation (a printout or screenshot must show the finished charts). */
export const CHART_HELPER = "const make = (id, option) => echarts.init(document.getElementById(id), null, { renderer: 'svg' }).setOption({ animation: false, grid: { top: 70 }, ...option });";
