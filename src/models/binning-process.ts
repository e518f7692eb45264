/**
 * A binning process over many variables (after optbinning's BinningProcess): one set of binning parameters,
 * per-variable overrides, and each variable's type given by the caller (the feature catalogue or the user),
 * never guessed from its values. `fit` learns every variable's bins and returns them as plain JSON;
 * `transform` maps columns to their WOE.
 */
import { applyBinning, Binning, checkBinningOptions, type BinningOptions, type BinningTable, type ColumnValues, type VariableType } from './binning.ts';
import { ParamChecker } from './params.ts';

export interface VariableSpec { name: string; type: VariableType }

export interface BinningProcessParams {
  variables: VariableSpec[];
  /** Options for every variable. */
  binning?: BinningOptions;
  /** Per-variable overrides (method, special values …), merged over `binning`. */
  byVariable?: Record<string, BinningOptions>;
}

export interface FittedVariable { name: string; type: VariableType; table: BinningTable }

export const VARIABLE_TYPES: readonly VariableType[] = ['numeric', 'categorical'];
/** A bound on the variables of one process: a wider table is almost certainly a mistake (an id per column). */
export const VARIABLES_MAX = 5_000;

export class BinningProcess {
  readonly params: BinningProcessParams;

  constructor(params: BinningProcessParams) {
    const checker = new ParamChecker();
    BinningProcess.check(params, checker);
    checker.throwIfAny();
    this.params = params;
  }

  /** Adds every problem with the parameters to `checker`. */
  static check(params: BinningProcessParams, checker: ParamChecker): void {
    if (!Array.isArray(params.variables) || params.variables.length === 0) checker.add('no variables to bin');
    else if (params.variables.length > VARIABLES_MAX) checker.add(`${params.variables.length} variables, more than ${VARIABLES_MAX}`);
    const names = new Set<string>();
    for (const variable of params.variables ?? []) {
      if (names.has(variable.name)) checker.add(`variable ${variable.name} is listed twice`);
      names.add(variable.name);
      if (!VARIABLE_TYPES.includes(variable.type)) checker.add(`variable ${variable.name} has type '${String(variable.type)}'; it must be numeric or categorical`);
    }
    checkBinningOptions(params.binning ?? {}, checker.scoped('binning '));
    for (const [name, options] of Object.entries(params.byVariable ?? {})) {
      if (!names.has(name)) checker.add(`binning options for ${name}, which is not a variable`);
      checkBinningOptions(options, checker.scoped(`binning of ${name}: `));
    }
  }

  fit(columns: Record<string, ColumnValues>, bad: ArrayLike<number | boolean>): FittedVariable[] {
    return this.params.variables.map(({ name, type }) => {
      const values = columns[name];
      if (!values) throw new RangeError(`no column ${name}`);
      const options = { ...this.params.binning, ...this.params.byVariable?.[name] };
      return { name, type, table: new Binning(options).fit(values, bad, type) };
    });
  }

  /** The WOE of every row of each fitted variable. */
  static transform(fitted: readonly FittedVariable[], columns: Record<string, ColumnValues>): Record<string, Float64Array> {
    const out: Record<string, Float64Array> = {};
    for (const { name, table } of fitted) {
      const values = columns[name];
      if (!values) throw new RangeError(`no column ${name}`);
      const index = applyBinning(table, values);
      out[name] = Float64Array.from(index, (k) => table.bins[k]!.woe);
    }
    return out;
  }
}
