/**
 * From OCR lines to reading order: the page's skew is the median angle of its long lines; every line's
 * centre is turned by that skew, and lines whose centres lie within half a line height of each other form a
 * row, read left to right. A rotated photo so still gives one row per printed row, and two columns side by
 * side (buyer | seller) stay two items of a row rather than one merged string.
 */
import type { OcrLine } from './page.ts';

export interface LayoutItem { text: string; confidence: number; left: number; right: number; v: number }
export interface LayoutRow { v: number; items: LayoutItem[] }

const FULL_WIDTH: Record<string, string> = {
  '：': ':', '（': '(', '）': ')', '￥': '¥', '，': ',', '．': '.', '／': '/', '　': '', '【': '[', '】': ']', '；': ';',
};

/** Full-width ASCII to half-width, ￥ to ¥, spaces dropped: the one text form the extractor matches. */
export function normaliseText(text: string): string {
  let out = '';
  for (const char of text) {
    const mapped = FULL_WIDTH[char];
    if (mapped !== undefined) { out += mapped; continue; }
    const code = char.charCodeAt(0);
    if (code >= 0xff01 && code <= 0xff5e) out += String.fromCharCode(code - 0xfee0);
    else if (!/\s/.test(char)) out += char;
  }
  return out;
}

export function pageSkew(lines: readonly OcrLine[]): number {
  const angles = lines.filter((l) => l.length > 4 * l.thickness).map((l) => l.angle).sort((a, b) => a - b);
  if (angles.length === 0) return 0;
  return angles[Math.floor(angles.length / 2)]!;
}

export function layoutRows(lines: readonly OcrLine[]): LayoutRow[] {
  const skew = pageSkew(lines);
  const cos = Math.cos(skew), sin = Math.sin(skew);
  const items = lines.map((line) => {
    const u = line.cx * cos + line.cy * sin;
    const v = -line.cx * sin + line.cy * cos;
    return { item: { text: normaliseText(line.text), confidence: line.confidence, left: u - line.length / 2, right: u + line.length / 2, v }, thickness: line.thickness };
  }).filter((entry) => entry.item.text.length > 0).sort((a, b) => a.item.v - b.item.v);
  const rows: (LayoutRow & { thickness: number })[] = [];
  for (const { item, thickness } of items) {
    const row = rows.find((r) => Math.abs(r.v - item.v) < 0.5 * Math.min(r.thickness, thickness));
    if (row) {
      row.items.push(item);
      row.v = (row.v * (row.items.length - 1) + item.v) / row.items.length;
    } else {
      rows.push({ v: item.v, items: [item], thickness });
    }
  }
  for (const row of rows) row.items.sort((a, b) => a.left - b.left);
  return rows.sort((a, b) => a.v - b.v).map(({ v, items }) => ({ v, items }));
}

/** A row's text, items joined by a separator that no field value contains. */
export const ITEM_SEPARATOR = '|';

export function rowText(row: LayoutRow): string {
  return row.items.map((item) => item.text.replaceAll(ITEM_SEPARATOR, '')).join(ITEM_SEPARATOR);
}
