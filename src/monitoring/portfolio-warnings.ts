/**
 * The warnings of a whole portfolio as of a date, from a dataset: what the demo prints after its months of
 * repayments and closes, and what `puhui monitor` could show for a list of borrowers. One dossier read, one
 * warning per enterprise, a tally by level and by code.
 */
import { readCompactDossiers } from '../features/batch.ts';
import type { Strategy } from '../decision/strategy.ts';
import { loadWarningStrategy, WarningEngine } from './strategy.ts';
import { evaluateWarnings, type Warning, type WarningContext } from './warnings.ts';
import type { WarningCode, WarningLevel } from './reasons.ts';

/** Borrowers warned on in one call. */
export const PORTFOLIO_ENTERPRISES_MAX = 200_000;

export interface PortfolioWarnings {
  asOf: string;
  strategy: string;
  byLevel: Record<WarningLevel, number>;
  byCode: { code: WarningCode; enterprises: number }[];
  /** Red and yellow warnings, red first. */
  flagged: Warning[];
  /** Borrowers the dataset does not know (no fresh data: no warning). */
  unknown: string[];
}

export async function warnPortfolio(options: {
  datasetDir: string; asOf: string; creditCodes: readonly string[]; strategy?: Strategy;
  context?: (creditCode: string) => Omit<WarningContext, 'creditCode'>;
}): Promise<PortfolioWarnings> {
  if (options.creditCodes.length > PORTFOLIO_ENTERPRISES_MAX) throw new RangeError(`at most ${PORTFOLIO_ENTERPRISES_MAX} borrowers at once`);
  const strategy = options.strategy ?? loadWarningStrategy();
  const { codes, dossiers } = await readCompactDossiers(options.datasetDir, options.asOf);
  const index = new Map(codes.map((c, k) => [c, k]));
  const engine = new WarningEngine();
  const byLevel: Record<WarningLevel, number> = { green: 0, yellow: 0, red: 0 };
  const byCode = new Map<WarningCode, number>();
  const flagged: Warning[] = [];
  const unknown: string[] = [];
  try {
    for (const creditCode of [...new Set(options.creditCodes)].sort()) {
      const k = index.get(creditCode);
      if (k === undefined) { unknown.push(creditCode); continue; }
      const warning = await evaluateWarnings(engine, strategy, dossiers[k]!, options.asOf, { creditCode, ...(options.context?.(creditCode) ?? {}) });
      byLevel[warning.level]++;
      for (const reason of warning.reasons) byCode.set(reason.code, (byCode.get(reason.code) ?? 0) + 1);
      if (warning.level !== 'green') flagged.push(warning);
    }
  } finally {
    engine.dispose();
  }
  flagged.sort((a, b) => (a.level === b.level ? a.creditCode.localeCompare(b.creditCode) : a.level === 'red' ? -1 : 1));
  return {
    asOf: options.asOf, strategy: `${strategy.header.id}@${strategy.header.version}#${strategy.hash.slice(0, 12)}`, byLevel,
    byCode: [...byCode.entries()].map(([code, enterprises]) => ({ code, enterprises })).sort((a, b) => b.enterprises - a.enterprises || a.code.localeCompare(b.code)),
    flagged, unknown,
  };
}
