/**
 * The on-disk dataset: a folder with one file per entity, `<entity>.csv` (UTF-8, header row) or
 * `<entity>.parquet`, and a `manifest.json`. Column names and meanings are the entity specs in
 * src/domain/entities.ts; docs/dataset-format.md is generated from the same specs.
 *
 * A dataset is complete or refused. The manifest is written last, by `puhui synth` and by `puhui import`
 * (which removes it when it starts and writes it when every file went in), so a folder without one is an
 * import or a generation that did not finish. The manifest lists the entities the dataset holds; every reader
 * goes through `datasetFiles`, which refuses a folder without a valid manifest or missing a listed file.
 * An entity the manifest does not list was never imported: it is unavailable, not empty.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ENTITY_NAMES, type EntityName } from '../domain/columns.ts';
import { PuhuiUserError } from '../domain/errors.ts';
import { isIsoDate, isIsoMonth } from '../domain/period.ts';

export type DatasetFileFormat = 'csv' | 'parquet';

export interface DatasetFile { entity: EntityName; path: string; format: DatasetFileFormat }

export const MANIFEST_FILE = 'manifest.json';

/** Entities every reader needs: without registrations there is no one to compute anything for. */
export const REQUIRED_ENTITIES: readonly EntityName[] = ['enterprises'];

export class DatasetError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'dataset');
  }
}

export function entityFilePath(dir: string, entity: EntityName, format: DatasetFileFormat): string {
  return join(dir, `${entity}.${format}`);
}

/**
 * The entity files present in a folder (Parquet preferred when both exist), with no check of completeness:
 * for the source folder of an import, which is raw data, not a dataset yet.
 */
export function entityFilesIn(dir: string): DatasetFile[] {
  const files: DatasetFile[] = [];
  for (const entity of ENTITY_NAMES) {
    for (const format of ['parquet', 'csv'] as const) {
      const path = entityFilePath(dir, entity, format);
      if (existsSync(path)) {
        files.push({ entity, path, format });
        break;
      }
    }
  }
  return files;
}

const rowCount = z.number().int().nonnegative();
const month = z.string().refine(isIsoMonth, 'must be a month YYYY-MM');
const entityCounts = z.partialRecord(z.enum(ENTITY_NAMES), rowCount);

const manifestSchema = z.looseObject({
  /** Written by `puhui import`: the format of the manifest itself. */
  format: z.literal('puhui-dataset/1').optional(),
  generator: z.string().optional(),
  seed: z.number().optional(),
  enterprises: rowCount.optional(),
  months: rowCount.optional(),
  startMonth: month.optional(),
  endMonth: month.optional(),
  /** The date a demo or backtest decides as of by default; labels cover the months after it. */
  observationDate: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD').optional(),
  badRateTarget: z.number().min(0).max(1).optional(),
  /** The entities the dataset holds and their rows: each must have its file. */
  rowCounts: entityCounts.optional(),
});

export type DatasetManifest = z.infer<typeof manifestSchema>;

/** The folder's manifest, validated; null when it has none. A malformed manifest is refused. */
export function readManifest(dir: string): DatasetManifest | null {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DatasetError(`${path} is not valid JSON (${(error as Error).message}): the dataset is damaged; import it again`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'} ${issue.message}`);
    throw new DatasetError(`${path} is not a valid manifest: ${problems.join('; ')}`);
  }
  return result.data;
}

export interface DatasetContents {
  dir: string;
  manifest: DatasetManifest;
  files: DatasetFile[];
  /** Entities that have a file. */
  present: EntityName[];
  /** Entities the dataset does not hold (never imported): whatever needs them is unavailable, not zero. */
  unavailable: EntityName[];
}

/**
 * The dataset in `dir`, checked complete: the folder exists, has a valid manifest, every entity the manifest
 * lists has its file, and the registrations are there. Refusals name what is missing.
 */
export function datasetEntities(dir: string): DatasetContents {
  if (!existsSync(dir)) throw new DatasetError(`dataset folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new DatasetError(`${dir} is a file, not a dataset folder`);
  const files = entityFilesIn(dir);
  const manifest = readManifest(dir);
  if (!manifest) {
    const what = files.length > 0 ? `holds ${files.map((f) => f.entity).join(', ')} but no ${MANIFEST_FILE}` : `holds no dataset (no ${MANIFEST_FILE}, no entity file)`;
    throw new DatasetError(`${dir} ${what}: it is not a complete dataset (an import or synth that did not finish?); run puhui import SOURCE --out ${dir}`);
  }
  const present = files.map((f) => f.entity);
  const listed = Object.keys(manifest.rowCounts ?? {}) as EntityName[];
  const missing = listed.filter((entity) => !present.includes(entity));
  if (missing.length > 0) {
    throw new DatasetError(`${dir} is incomplete: its manifest lists ${missing.map((e) => `${e} (${manifest.rowCounts![e]} rows)`).join(', ')} but the file${missing.length > 1 ? 's are' : ' is'} missing (${missing.map((e) => `${e}.parquet or ${e}.csv`).join(', ')})`);
  }
  const absent = REQUIRED_ENTITIES.filter((entity) => !present.includes(entity));
  if (absent.length > 0) throw new DatasetError(`${dir} is not a dataset: it has no ${absent.map((e) => `${e}.csv or ${e}.parquet`).join(', ')}`);
  return { dir, manifest, files, present, unavailable: ENTITY_NAMES.filter((entity) => !present.includes(entity)) };
}

/** The dataset, refused unless it holds every one of `entities` (naming those it lacks and who needs them). */
export function requireEntities(dir: string, entities: readonly EntityName[], neededFor: string): DatasetContents {
  const contents = datasetEntities(dir);
  const lacking = entities.filter((entity) => !contents.present.includes(entity));
  if (lacking.length > 0) throw new DatasetError(`${dir} has no ${lacking.join(', ')}: ${neededFor} needs ${lacking.length > 1 ? 'them' : 'it'}`);
  return contents;
}

/** The entity files of a complete dataset (see datasetEntities): what every reader of a dataset calls. */
export function datasetFiles(dir: string): DatasetFile[] {
  return datasetEntities(dir).files;
}

/** The first and last month the dataset's facts cover, from its manifest; null when it does not say. */
export function dataMonths(manifest: DatasetManifest): { startMonth: string; endMonth: string } | null {
  return manifest.startMonth && manifest.endMonth ? { startMonth: manifest.startMonth, endMonth: manifest.endMonth } : null;
}
