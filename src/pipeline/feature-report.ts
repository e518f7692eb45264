/**
 * The report of `puhui features DIR --report`: how well each feature separates outcomes, as information value
 * against "defaults within 12 months after the as-of date" among enterprises trading on it.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableSource } from '../data/sql-checks.ts';
import { badSql, notYetDefaultedSql, registeredBySql } from '../data/outcomes.ts';
import { FEATURES } from '../features/index.ts';
import { featureTableSource } from '../features/batch.ts';
import { informationValue } from '../models/iv.ts';

export class ReportError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'report');
  }
}

export interface FeatureIv { id: string; group: string; iv: number; strength: string; missingShare: number }
export interface FeatureReport { asOf: string; enterprises: number; defaults: number; badRate: number; features: FeatureIv[] }

/** The usual reading of IV (Siddiqi): below 0.02 useless … above 0.5 suspiciously strong. */
export function ivStrength(iv: number): string {
  return iv < 0.02 ? 'useless' : iv < 0.1 ? 'weak' : iv < 0.3 ? 'medium' : iv < 0.5 ? 'strong' : 'suspicious';
}

export async function featureReport(featureFile: string, labelsFile: string, enterprisesFile: string, asOf: string): Promise<FeatureReport> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
  const connection = await instance.connect();
  try {
    const features = featureTableSource(featureFile);
    const rows = (await connection.runAndReadAll(`SELECT f.*, ${badSql('l.defaultMonth', asOf)}::INTEGER AS __bad
      FROM ${features} f JOIN ${tableSource(labelsFile)} l USING (creditCode)
      JOIN ${tableSource(enterprisesFile)} e USING (creditCode)
      WHERE ${registeredBySql('e.establishedDate', asOf)} AND ${notYetDefaultedSql('l.defaultMonth', asOf)}
      ORDER BY creditCode`)).getRowObjectsJS() as Record<string, unknown>[];
    const bad = Int8Array.from(rows, (r) => Number(r.__bad));
    const defaults = bad.reduce((a, b) => a + b, 0);
    if (defaults === 0 || defaults === rows.length) {
      throw new ReportError(`the cohort of ${rows.length} enterprises trading on ${asOf} has ${defaults === 0 ? 'no defaults' : 'only defaults'} in the following 12 months: no information value can be measured`);
    }
    const result = FEATURES.map((feature) => {
      const values = rows.map((r) => r[feature.id] as number | string | null);
      const { iv } = informationValue(values, bad, { bins: 10 });
      return { id: feature.id, group: feature.group, iv, strength: ivStrength(iv), missingShare: values.filter((v) => v === null).length / Math.max(1, values.length) };
    }).sort((a, b) => b.iv - a.iv);
    return { asOf, enterprises: rows.length, defaults, badRate: defaults / Math.max(1, rows.length), features: result };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
