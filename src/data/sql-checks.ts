/**
 * Compiles entity column specs into DuckDB SQL: one expression per column that yields the problem
 * message (or NULL) for a raw text value, and the typed projection of valid rows. The messages are
 * the same ones the zod schemas give (COLUMN_MESSAGES), and a test holds the two validators together.
 */
import {
  type Column, COLUMN_MESSAGES, DATE_MAX, DATE_MIN, type EntitySpec,
} from '../domain/columns.ts';
import { CREDIT_CODE_CHARSET, CREDIT_CODE_WEIGHTS, LEGACY_CREDIT_CODES } from '../domain/credit-code.ts';
import { PROVINCE_CODES } from '../domain/reference.ts';

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function creditCodeCheckSql(v: string): string {
  const terms = CREDIT_CODE_WEIGHTS.map((weight, k) => `(instr('${CREDIT_CODE_CHARSET}', substr(${v}, ${k + 1}, 1)) - 1) * ${weight}`);
  const legacy = [...LEGACY_CREDIT_CODES].map(quoteText).join(', ');
  return `substr('${CREDIT_CODE_CHARSET}', ((31 - ((${terms.join(' + ')}) % 31)) % 31) + 1, 1) <> substr(${v}, 18, 1) AND ${v} NOT IN (${legacy})`;
}

/** Days since 1970-01-01 of an ISO date column, as a SQL INTEGER (the domain's dayNumber). */
export function sqlDayNumber(column: string): string {
  return `(CAST(${column} AS DATE) - DATE '1970-01-01')::INTEGER`;
}

/** Months since 1970-01 of an ISO month or date column ('YYYY-MM…'), as a SQL INTEGER (the domain's monthIndex). */
export function sqlMonthIndex(column: string): string {
  return `((CAST(substr(${column}, 1, 4) AS INTEGER) - 1970) * 12 + CAST(substr(${column}, 6, 2) AS INTEGER) - 1)::INTEGER`;
}

/** A SQL expression giving the problem with the raw text value of one column, or NULL. */
export function columnProblemSql(name: string, column: Column): string {
  const v = quoteIdent(name);
  const whens: [string, string][] = [];
  switch (column.kind) {
    case 'text':
      whens.push([`length(${v}) > ${column.maxLength}`, COLUMN_MESSAGES.tooLong(column.maxLength)]);
      if (column.pattern) whens.push([`NOT regexp_full_match(${v}, ${quoteText(column.pattern)})`, COLUMN_MESSAGES.pattern]);
      break;
    case 'creditCode':
      whens.push([`NOT regexp_full_match(${v}, '[0-9A-HJ-NPQRTUWXY]{18}')`, COLUMN_MESSAGES.creditCodeFormat]);
      whens.push([creditCodeCheckSql(v), COLUMN_MESSAGES.creditCodeCheck]);
      break;
    case 'region':
      whens.push([`NOT regexp_full_match(${v}, '[0-9]{6}') OR substr(${v}, 1, 2) NOT IN (${[...PROVINCE_CODES].map(quoteText).join(', ')})`, COLUMN_MESSAGES.region]);
      break;
    case 'date':
      whens.push([`NOT regexp_full_match(${v}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') OR TRY_CAST(${v} AS DATE) IS NULL OR ${v} < '${DATE_MIN}' OR ${v} > '${DATE_MAX}'`, COLUMN_MESSAGES.date]);
      break;
    case 'month':
      whens.push([`NOT regexp_full_match(${v}, '[0-9]{4}-(0[1-9]|1[0-2])')`, COLUMN_MESSAGES.month]);
      break;
    case 'fen':
    case 'int':
      whens.push([`NOT regexp_full_match(${v}, '-?[0-9]{1,16}')`, COLUMN_MESSAGES.integer]);
      whens.push([`TRY_CAST(${v} AS BIGINT) NOT BETWEEN ${column.min} AND ${column.max}`, COLUMN_MESSAGES.range(column.min, column.max)]);
      break;
    case 'enum':
      whens.push([`${v} NOT IN (${column.values.map(quoteText).join(', ')})`, COLUMN_MESSAGES.enumValue(column.values)]);
      break;
    case 'bool':
      whens.push([`${v} NOT IN ('true', 'false')`, COLUMN_MESSAGES.bool]);
      break;
  }
  const missing = column.nullable ? 'NULL' : quoteText(COLUMN_MESSAGES.missing);
  return `CASE WHEN ${v} IS NULL OR trim(${v}) = '' THEN ${missing} ${whens.map(([when, message]) => `WHEN ${when} THEN ${quoteText(message)}`).join(' ')} END`;
}

export function sqlTypeOf(column: Column): string {
  switch (column.kind) {
    case 'fen': return 'BIGINT';
    case 'int': return 'INTEGER';
    case 'bool': return 'BOOLEAN';
    default: return 'VARCHAR';
  }
}

/** SELECT list turning valid raw text columns into typed ones ('' becomes NULL for nullable columns). */
export function typedProjectionSql(spec: EntitySpec, cast: 'CAST' | 'TRY_CAST' = 'CAST'): string {
  return Object.entries(spec.columns).map(([name, column]) => {
    const v = quoteIdent(name);
    const value = column.nullable ? `NULLIF(trim(${v}), '')` : v;
    return `${cast}(${value} AS ${sqlTypeOf(column)}) AS ${v}`;
  }).join(', ');
}

/** The key columns as a SQL list, for joins, partitions and ordering. */
export function keySql(spec: EntitySpec, alias = ''): string {
  return spec.key.map((k) => `${alias}${quoteIdent(k)}`).join(', ');
}

/** A table file as a DuckDB source: Parquet as it is, CSV (any other name) with every column as text. */
export function tableSource(path: string): string {
  return path.toLowerCase().endsWith('.parquet') ? `read_parquet(${quoteText(path)})` : `read_csv(${quoteText(path)}, header = true, all_varchar = true)`;
}
