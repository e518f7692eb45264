/**
 * Declarative column specs. One spec per entity drives everything that must agree about a field:
 * the zod schema for records at the edges (API, JSON), the inferred TypeScript types, the bulk
 * validation that the data module compiles to SQL, and the dataset file layout.
 */
import { z } from 'zod';
import { creditCodeProblem } from './credit-code.ts';
import { isIsoDate, isIsoMonth } from './period.ts';
import { isRegionCode } from './reference.ts';
import { AMOUNT_FEN_ABS_MAX } from './money.ts';

export const DATE_MIN = '1949-10-01';
export const DATE_MAX = '2099-12-31';

interface BaseColumn { nullable: boolean; description: string }
export interface TextColumn extends BaseColumn { kind: 'text'; maxLength: number; pattern?: string }
export interface CreditCodeColumn extends BaseColumn { kind: 'creditCode' }
export interface RegionColumn extends BaseColumn { kind: 'region' }
export interface DateColumn extends BaseColumn { kind: 'date' }
export interface MonthColumn extends BaseColumn { kind: 'month' }
export interface FenColumn extends BaseColumn { kind: 'fen'; min: number; max: number }
export interface IntColumn extends BaseColumn { kind: 'int'; min: number; max: number }
export interface EnumColumn<V extends string = string> extends BaseColumn { kind: 'enum'; values: readonly V[] }
export interface BoolColumn extends BaseColumn { kind: 'bool' }

export type Column =
  | TextColumn | CreditCodeColumn | RegionColumn | DateColumn | MonthColumn
  | FenColumn | IntColumn | EnumColumn | BoolColumn;

export type Columns = Record<string, Column>;

type ValueOf<C> =
  C extends FenColumn | IntColumn ? number :
  C extends BoolColumn ? boolean :
  C extends EnumColumn<infer V> ? V :
  string;

/** The record type a column spec describes. */
export type RecordOf<Cols extends Columns> = {
  -readonly [K in keyof Cols]: Cols[K] extends { nullable: true } ? ValueOf<Cols[K]> | null : ValueOf<Cols[K]>;
};

type Options = { nullable?: boolean };
type Nullable<O extends Options> = O extends { nullable: true } ? { nullable: true } : { nullable: false };

function base<O extends Options>(description: string, options?: O): BaseColumn & Nullable<O> {
  return { nullable: options?.nullable === true, description } as BaseColumn & Nullable<O>;
}

export const col = {
  text: <O extends Options>(description: string, maxLength: number, options?: O & { pattern?: string }) =>
    ({ kind: 'text', maxLength, ...(options?.pattern ? { pattern: options.pattern } : {}), ...base(description, options) }) as TextColumn & Nullable<O>,
  creditCode: <O extends Options>(description: string, options?: O) =>
    ({ kind: 'creditCode', ...base(description, options) }) as CreditCodeColumn & Nullable<O>,
  region: <O extends Options>(description: string, options?: O) =>
    ({ kind: 'region', ...base(description, options) }) as RegionColumn & Nullable<O>,
  date: <O extends Options>(description: string, options?: O) =>
    ({ kind: 'date', ...base(description, options) }) as DateColumn & Nullable<O>,
  month: <O extends Options>(description: string, options?: O) =>
    ({ kind: 'month', ...base(description, options) }) as MonthColumn & Nullable<O>,
  fen: <O extends Options>(description: string, bounds: { min: number; max: number }, options?: O) =>
    ({ kind: 'fen', ...bounds, ...base(description, options) }) as FenColumn & Nullable<O>,
  int: <O extends Options>(description: string, bounds: { min: number; max: number }, options?: O) =>
    ({ kind: 'int', ...bounds, ...base(description, options) }) as IntColumn & Nullable<O>,
  enum: <const V extends string, O extends Options>(description: string, values: readonly V[], options?: O) =>
    ({ kind: 'enum', values, ...base(description, options) }) as EnumColumn<V> & Nullable<O>,
  bool: <O extends Options>(description: string, options?: O) =>
    ({ kind: 'bool', ...base(description, options) }) as BoolColumn & Nullable<O>,
};

export const FEN_MAX = AMOUNT_FEN_ABS_MAX;

/** The human message for a value that breaks its column, shared by the zod and SQL validators. */
export const COLUMN_MESSAGES = {
  missing: 'is required',
  tooLong: (max: number) => `is longer than ${max} characters`,
  pattern: 'does not match the expected format',
  creditCodeFormat: 'is not an 18-character credit code (digits and capitals without I, O, Z, S, V)',
  creditCodeCheck: 'has a wrong check character (GB 32100)',
  region: 'is not a 6-digit GB/T 2260 code of a known province',
  date: 'is not a valid ISO date YYYY-MM-DD between 1949-10-01 and 2099-12-31',
  month: 'is not a valid month YYYY-MM',
  integer: 'is not a whole number',
  range: (min: number, max: number) => `is outside ${min}..${max}`,
  enumValue: (values: readonly string[]) => `must be one of ${values.join(', ')}`,
  bool: "must be 'true' or 'false'",
} as const;

function zodOfColumn(column: Column): z.ZodType {
  let schema: z.ZodType;
  switch (column.kind) {
    case 'text': {
      let text = z.string().min(1, COLUMN_MESSAGES.missing).max(column.maxLength, COLUMN_MESSAGES.tooLong(column.maxLength));
      if (column.pattern) text = text.regex(new RegExp(`^(?:${column.pattern})$`), COLUMN_MESSAGES.pattern);
      schema = text;
      break;
    }
    case 'creditCode':
      schema = z.string().superRefine((value, ctx) => {
        const problem = creditCodeProblem(value);
        if (problem === 'check_char') ctx.addIssue({ code: 'custom', message: COLUMN_MESSAGES.creditCodeCheck });
        else if (problem) ctx.addIssue({ code: 'custom', message: COLUMN_MESSAGES.creditCodeFormat });
      });
      break;
    case 'region':
      schema = z.string().refine(isRegionCode, COLUMN_MESSAGES.region);
      break;
    case 'date':
      schema = z.string().refine((v) => isIsoDate(v) && v >= DATE_MIN && v <= DATE_MAX, COLUMN_MESSAGES.date);
      break;
    case 'month':
      schema = z.string().refine(isIsoMonth, COLUMN_MESSAGES.month);
      break;
    case 'fen':
    case 'int':
      schema = z.number().int(COLUMN_MESSAGES.integer)
        .refine((v) => v >= column.min && v <= column.max, COLUMN_MESSAGES.range(column.min, column.max));
      break;
    case 'enum':
      schema = z.string().refine((v) => column.values.includes(v), COLUMN_MESSAGES.enumValue(column.values));
      break;
    case 'bool':
      schema = z.boolean({ error: COLUMN_MESSAGES.bool });
      break;
  }
  return column.nullable ? schema.nullable() : schema;
}

/** A cross-field rule of one row; `sql` must hold exactly when `holds` does (a test proves it). */
export interface RowRule<R> {
  id: string;
  message: string;
  /** The column a reviewer is pointed to. */
  column: string;
  holds: (record: R) => boolean;
  /** A DuckDB boolean expression over the typed columns; NULL counts as holding. */
  sql: string;
}

export interface Reference {
  column: string;
  entity: EntityName;
  /** When true, import may accept a value that is a valid code but unknown (an outside counterparty). */
  counterparty?: boolean;
}

export const ENTITY_NAMES = [
  'enterprises', 'vatReturns', 'citReturns', 'taxGrades', 'invoices',
  'bankMonths', 'bureauReports', 'courtCases', 'labels',
] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

export interface EntitySpec<Cols extends Columns = Columns> {
  name: EntityName;
  description: string;
  columns: Cols;
  key: readonly (keyof Cols & string)[];
  references: readonly Reference[];
  rules: readonly RowRule<RecordOf<Cols>>[];
  schema: z.ZodType<RecordOf<Cols>>;
}

export function defineEntity<const Cols extends Columns>(spec: Omit<EntitySpec<Cols>, 'schema'>): EntitySpec<Cols> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, column] of Object.entries(spec.columns)) shape[name] = zodOfColumn(column);
  let schema: z.ZodType = z.strictObject(shape);
  for (const rule of spec.rules) {
    schema = schema.superRefine((record, ctx) => {
      if (!rule.holds(record as RecordOf<Cols>)) ctx.addIssue({ code: 'custom', message: rule.message, path: [rule.column] });
    });
  }
  return { ...spec, schema: schema as z.ZodType<RecordOf<Cols>> };
}
