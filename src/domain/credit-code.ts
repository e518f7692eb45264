/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015.
 *
 * 18 characters: registration authority (1), entity type (1), administrative division (6, GB/T 2260),
 * organisation code (9, GB 11714, its own check character last) and a check character computed
 * mod 31 over the first 17 (weights 3^(i-1) mod 31). The character set has 31 symbols: digits and
 * capital letters without I, O, Z, S, V.
 */

export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
export const CREDIT_CODE_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

const ORG_CODE_CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** The check character (position 18) for the first 17 characters of a credit code. */
export function creditCodeCheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError(`credit code body must be 17 characters, got ${first17.length}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_CHARSET.indexOf(first17.charAt(i));
    if (value < 0) throw new RangeError(`credit code character '${first17.charAt(i)}' at position ${i + 1} is not allowed`);
    sum += value * CREDIT_CODE_WEIGHTS[i]!;
  }
  return CREDIT_CODE_CHARSET.charAt((31 - (sum % 31)) % 31);
}

export type CreditCodeProblem = 'length' | 'charset' | 'check_char';

/**
 * Real codes from the early Fujian pilot that fail the check character (aarioai/id-rule's comments; 02020/vite's
 * validateSocialCreditCode.js keeps one as a hard-coded exception):
 * rejecting them would reject real enterprises, so they are accepted by name.
 */
export const LEGACY_CREDIT_CODES: ReadonlySet<string> = new Set(['91350100M0001TGQXM', '91350211M0000XUF46', '91350203M0001QAY9B']);

/** Why a credit code is invalid, or null when it is valid. */
export function creditCodeProblem(code: string): CreditCodeProblem | null {
  if (code.length !== 18) return 'length';
  if (!CREDIT_CODE_PATTERN.test(code)) return 'charset';
  if (LEGACY_CREDIT_CODES.has(code)) return null;
  return creditCodeCheckChar(code.slice(0, 17)) === code.charAt(17) ? null : 'check_char';
}

export function isValidCreditCode(code: string): boolean {
  return creditCodeProblem(code) === null;
}

/** GB 11714 organisation-code check character for its first 8 characters ('X' for 10, '0' for 11). */
export function orgCodeCheckChar(first8: string): string {
  if (first8.length !== 8) throw new RangeError(`organisation code body must be 8 characters, got ${first8.length}`);
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const value = ORG_CODE_CHARSET.indexOf(first8.charAt(i));
    if (value < 0) throw new RangeError(`organisation code character '${first8.charAt(i)}' is not allowed`);
    sum += value * ORG_CODE_WEIGHTS[i]!;
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/**
 * Builds a valid credit code from its parts: authority+type (e.g. '91' enterprise, '92' individual
 * business), a 6-digit division code and an 8-character organisation body. Both check characters
 * are computed, so the result passes the strict (inner org-code) check too.
 */
export function composeCreditCode(authorityType: string, divisionCode: string, orgBody8: string): string {
  if (!/^[0-9A-Y]{2}$/.test(authorityType)) throw new RangeError(`bad authority/type '${authorityType}'`);
  if (!/^\d{6}$/.test(divisionCode)) throw new RangeError(`bad division code '${divisionCode}'`);
  if (!/^[0-9A-HJ-NPQRTUWXY]{8}$/.test(orgBody8)) throw new RangeError(`bad organisation body '${orgBody8}'`);
  const first17 = authorityType + divisionCode + orgBody8 + orgCodeCheckChar(orgBody8);
  return first17 + creditCodeCheckChar(first17);
}
