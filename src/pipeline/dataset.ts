/**
 * The first step of every command that reads a dataset: the dataset checked complete (src/data/layout.ts),
 * the entities the step needs present, and the as-of date checked against the months the data covers.
 * An as-of date past the data's end would compute features from no recent facts (every firm "silent") and
 * an industry reference from empty groups; one before its start finds no enterprise registered.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { DatasetError, requireEntities, type DatasetContents } from '../data/index.ts';
import type { EntityName } from '../domain/columns.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { addMonths, firstDayOfMonth, isIsoDate } from '../domain/period.ts';

export class RequestError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'request');
  }
}

export interface DatasetAsOf { contents: DatasetContents; asOf: string }

/**
 * Opens the dataset for a step as of a date: `asOf` given, or the manifest's observation date. Refuses an
 * incomplete dataset, a lacking entity, a malformed date and a date outside the months the data covers.
 */
export function datasetAsOf(dir: string, asOf: string | null, needs: readonly EntityName[], step: string): DatasetAsOf {
  const contents = requireEntities(dir, ['enterprises', ...needs], step);
  const date = asOf ?? contents.manifest.observationDate ?? null;
  if (date === null) throw new RequestError(`give --as-of YYYY-MM-DD: the manifest of ${dir} names no observation date`);
  if (!isIsoDate(date)) throw new RequestError(`--as-of must be a date YYYY-MM-DD, got '${date}'`);
  const { startMonth, endMonth } = contents.manifest;
  // As of the first day after the last month is the natural observation date: everything known is before it.
  if (endMonth && date > firstDayOfMonth(addMonths(endMonth, 1))) {
    throw new DatasetError(`--as-of ${date} is after the end of the data (${endMonth}): there would be no recent facts to decide on; use a date up to ${firstDayOfMonth(addMonths(endMonth, 1))}`);
  }
  if (startMonth && date < firstDayOfMonth(startMonth)) {
    throw new DatasetError(`--as-of ${date} is before the data starts (${startMonth}): no facts are known by then`);
  }
  return { contents, asOf: date };
}

/** The path of an optional entity file of the dataset (labels, say), or null when the dataset has none. */
export function entityPath(contents: DatasetContents, entity: EntityName): string | null {
  return contents.files.find((f) => f.entity === entity)?.path ?? null;
}

/**
 * An output file the step will write: its extension one of `extensions` (the format follows it) and its
 * folder an existing, writable folder. Checked before any work, so a typo costs no minutes of computing.
 */
export function checkOutputFile(path: string, flag: string, extensions: readonly string[]): string {
  const extension = extname(path).toLowerCase();
  if (!extensions.includes(extension)) {
    throw new RequestError(`${flag} ${basename(path)}: the file name must end in ${extensions.join(' or ')} (the format follows the extension)`);
  }
  checkOutputFolder(dirname(path), flag);
  if (existsSync(path) && statSync(path).isDirectory()) throw new RequestError(`${flag} ${path} is a folder, not a file`);
  return extension;
}

export function checkOutputFolder(dir: string, flag: string): void {
  if (!existsSync(dir)) throw new RequestError(`${flag}: the folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new RequestError(`${flag}: ${dir} is a file, not a folder`);
}

/** An input file the user named: it must exist and be a file. */
export function checkInputFile(path: string, flag: string): void {
  if (!existsSync(path)) throw new RequestError(`${flag} ${path} does not exist`);
  if (statSync(path).isDirectory()) throw new RequestError(`${flag} ${path} is a folder, not a file`);
}
