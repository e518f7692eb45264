/**
 * The 1-year loan prime rate (贷款市场报价利率, LPR), as a dated table: a loan is priced with the LPR in
 * force on its decision date, and 4 × that LPR is the judicial-protection ceiling for lending rates
 * (SPC Fa Shi [2020] No. 6, effective 2020-08-20). Values are the PBOC/NIFC announcements since the LPR
 * reform of 2019-08-20 (sources: the PBOC announcement of 2019-08-17 on the LPR reform, reported by chinabankingnews.com 2019-08-19;
 * the 2024 and 2025 fixings as reported by bastillepost and China Daily HK 2025-06).
 * Append a row when a new LPR is published; never edit a past one.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { isIsoDate } from '../domain/period.ts';

export interface LprEntry { effectiveDate: string; rateBps: number }

export const LPR_1Y: readonly LprEntry[] = [
  { effectiveDate: '2019-08-20', rateBps: 425 },
  { effectiveDate: '2019-09-20', rateBps: 420 },
  { effectiveDate: '2019-11-20', rateBps: 415 },
  { effectiveDate: '2020-02-20', rateBps: 405 },
  { effectiveDate: '2020-04-20', rateBps: 385 },
  { effectiveDate: '2021-12-20', rateBps: 380 },
  { effectiveDate: '2022-01-20', rateBps: 370 },
  { effectiveDate: '2022-08-22', rateBps: 365 },
  { effectiveDate: '2023-06-20', rateBps: 355 },
  { effectiveDate: '2023-08-21', rateBps: 345 },
  { effectiveDate: '2024-07-22', rateBps: 335 },
  { effectiveDate: '2024-10-21', rateBps: 310 },
  { effectiveDate: '2025-05-20', rateBps: 300 },
];

/** Lending rates above this multiple of the LPR are not protected by the courts; no strategy may price above it. */
export const LPR_CEILING_MULTIPLE = 4;

export class LprError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'lpr');
  }
}

/** The LPR in force on a date (ISO YYYY-MM-DD). */
export function lprOn(date: string, table: readonly LprEntry[] = LPR_1Y): LprEntry {
  if (!isIsoDate(date)) throw new LprError(`not a date: '${date}' (expected YYYY-MM-DD)`);
  let found: LprEntry | null = null;
  for (const entry of table) {
    if (entry.effectiveDate <= date) found = entry;
    else break;
  }
  if (!found) throw new LprError(`no 1-year LPR before ${date}: the table starts on ${table[0]?.effectiveDate ?? '(empty)'}`);
  return found;
}
