/**
 * Charts for the platform's HTML documents, rendered on the server by ECharts to SVG (its server-side
 * rendering: no DOM, no script in the page), so a report is one self-contained file that prints as it shows
 * and opens offline. The options are ECharts'; this module only fixes the document conventions (no
 * animation, SVG, a size).
 */
import * as echarts from 'echarts';

export interface ChartSize { width: number; height: number }

export const CHART_SIZE_DEFAULT: ChartSize = { width: 560, height: 300 };

/** An ECharts option rendered to an SVG string. */
export function svgChart(option: Record<string, unknown>, size: ChartSize = CHART_SIZE_DEFAULT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, "Noto Sans CJK SC", sans-serif' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
