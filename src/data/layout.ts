/**
 * The on-disk dataset: a folder with one file per entity, `<entity>.csv` (UTF-8, header row) or
 * `<entity>.parquet`, and an optional `manifest.json`. Column names and meanings are the entity specs
 * in src/domain/entities.ts; docs/dataset-format.md is generated from the same specs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITY_NAMES, type EntityName } from '../domain/columns.ts';

export type DatasetFileFormat = 'csv' | 'parquet';

export interface DatasetFile { entity: EntityName; path: string; format: DatasetFileFormat }

export const MANIFEST_FILE = 'manifest.json';

export function entityFilePath(dir: string, entity: EntityName, format: DatasetFileFormat): string {
  return join(dir, `${entity}.${format}`);
}

/** The entity files present in a dataset folder (Parquet preferred when both exist). */
export function datasetFiles(dir: string): DatasetFile[] {
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

export interface DatasetManifest {
  generator?: string;
  seed?: number;
  enterprises?: number;
  months?: number;
  startMonth?: string;
  endMonth?: string;
  /** The date a demo or backtest decides as of by default; labels cover the months after it. */
  observationDate?: string;
  badRateTarget?: number;
  rowCounts?: Partial<Record<EntityName, number>>;
  [key: string]: unknown;
}

export function readManifest(dir: string): DatasetManifest | null {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as DatasetManifest;
}
