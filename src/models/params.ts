/**
 * Validation of estimator parameters. Every estimator (binning, binning process, logistic regression, scaling)
 * checks all of its parameters before any work and reports every bad one at once, in one message a user can
 * act on, the way the synthetic-economy configuration is checked.
 */
import { PuhuiUserError } from '../domain/errors.ts';

export class ModelParamsError extends PuhuiUserError {
  constructor(readonly problems: string[]) {
    super(`invalid model parameters: ${problems.join('; ')}`, 'model_params');
  }
}

export interface NumberRule { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean }

/** Collects problems; `throwIfAny` raises them together. */
export class ParamChecker {
  constructor(private readonly prefix = '', readonly problems: string[] = []) {}

  /** A checker writing into the same list, with `prefix` before each problem's name. */
  scoped(prefix: string): ParamChecker {
    return new ParamChecker(this.prefix + prefix, this.problems);
  }

  number(name: string, value: unknown, rule: NumberRule): void {
    if (value === undefined) return;
    const range = describeRange(rule);
    if (typeof value !== 'number' || !Number.isFinite(value) || (rule.integer === true && !Number.isInteger(value))
      || (rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min))
      || (rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max))) {
      this.problems.push(`${this.prefix}${name} must be ${rule.integer ? 'a whole number' : 'a number'}${range}, got ${show(value)}`);
    }
  }

  choice<T extends string>(name: string, value: unknown, choices: readonly T[]): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.problems.push(`${this.prefix}${name} must be one of ${choices.join(', ')}, got ${show(value)}`);
    }
  }

  numbers(name: string, value: unknown): void {
    if (value === undefined) return;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      this.problems.push(`${this.prefix}${name} must be a list of finite numbers, got ${show(value)}`);
    }
  }

  add(problem: string): void {
    this.problems.push(`${this.prefix}${problem}`);
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ModelParamsError(this.problems);
  }
}

function describeRange(rule: NumberRule): string {
  if (rule.min !== undefined && rule.max !== undefined) {
    return ` in ${rule.minExclusive ? '(' : '['}${rule.min}, ${rule.max}${rule.maxExclusive ? ')' : ']'}`;
  }
  if (rule.min !== undefined) return rule.minExclusive ? ` above ${rule.min}` : ` ≥ ${rule.min}`;
  if (rule.max !== undefined) return rule.maxExclusive ? ` below ${rule.max}` : ` ≤ ${rule.max}`;
  return '';
}

function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A target with a single class (no bads, or no goods): nothing to learn from. Also a
 * column whose values do not fit its declared type. */
export class OutcomeError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'outcome');
  }
}
