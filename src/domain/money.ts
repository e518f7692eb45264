/** Money is integer fen (分): 1 yuan = 100 fen. Rates are basis points (1300 = 13%). */

export const FEN_PER_YUAN = 100;
/** Largest amount we accept anywhere: 10^15 fen = 10 trillion yuan, far inside 2^53. */
export const AMOUNT_FEN_ABS_MAX = 1_000_000_000_000_000;

/** Tax on an amount at a rate in basis points, rounded half away from zero to the fen. */
export function taxFenOf(amountFen: number, rateBps: number): number {
  const exact = (amountFen * rateBps) / 10_000;
  return Math.sign(exact) * Math.round(Math.abs(exact));
}

/** '12,345.67' style yuan text for people; never parsed back. */
export function formatYuan(amountFen: number): string {
  const sign = amountFen < 0 ? '-' : '';
  const abs = Math.abs(amountFen);
  const yuan = Math.floor(abs / FEN_PER_YUAN);
  const fen = abs % FEN_PER_YUAN;
  return `${sign}${yuan.toLocaleString('en-US')}.${String(fen).padStart(2, '0')}`;
}

/** Compact '1.23万' / '4.5亿' style for tables in zh, or '12.3k' / '4.5M' in en. */
export function formatYuanShort(amountFen: number, locale: 'zh-CN' | 'en' = 'en'): string {
  const yuan = amountFen / FEN_PER_YUAN;
  const abs = Math.abs(yuan);
  if (locale === 'zh-CN') {
    if (abs >= 1e8) return `${(yuan / 1e8).toFixed(2)}亿`;
    if (abs >= 1e4) return `${(yuan / 1e4).toFixed(1)}万`;
    return yuan.toFixed(0);
  }
  if (abs >= 1e9) return `${(yuan / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${(yuan / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${(yuan / 1e3).toFixed(1)}k`;
  return yuan.toFixed(0);
}
