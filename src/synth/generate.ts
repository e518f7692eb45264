/**
 * The synthetic economy, end to end: firms → health and defaults → trade and invoices → filings →
 * labels. Deterministic: the same configuration writes the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITIES } from '../domain/entities.ts';
import type { EntityName } from '../domain/columns.ts';
import { firstDayOfMonth, isoMonthOfIndex } from '../domain/period.ts';
import { entityFilePath, MANIFEST_FILE, type DatasetManifest } from '../data/layout.ts';
import { INDUSTRY_PROFILES, observationMonthOf, startMonthOf, validateSynthConfig, type SynthConfig } from './config.ts';
import { CsvFileWriter } from './csv-writer.ts';
import { createFirms, establishedIsoDate, fraudKindOf, type Firms } from './firms.ts';
import { NO_DEFAULT, simulateHealth, type HealthPaths } from './health.ts';
import { writeFilings } from './filings.ts';
import { simulateTrade } from './trade.ts';

export const GENERATOR_VERSION = 'puhui-synth/1';

export type SynthStage = 'firms' | 'health' | 'trade' | 'filings' | 'labels';
/** Progress as a share of the whole run (done / total), with the stage under way. */
export type SynthProgress = (stage: SynthStage, done: number, total: number) => void;

/** Rough share of the run each stage takes, measured at 20,000 × 36. */
const STAGE_WEIGHTS: Record<SynthStage, number> = { firms: 1, health: 4, trade: 60, filings: 33, labels: 2 };

export interface SynthResult { dir: string; manifest: DatasetManifest }

export function generateEconomy(config: SynthConfig, dir: string, onProgress: SynthProgress = () => {}): SynthResult {
  validateSynthConfig(config);
  mkdirSync(dir, { recursive: true });
  const stages: SynthStage[] = ['firms', 'health', 'trade', 'filings', 'labels'];
  const totalWeight = stages.reduce((sum, s) => sum + STAGE_WEIGHTS[s], 0);
  const within = (stage: SynthStage) => (done: number, total: number) => {
    const before = stages.slice(0, stages.indexOf(stage)).reduce((sum, s) => sum + STAGE_WEIGHTS[s], 0);
    onProgress(stage, Math.round(((before + (STAGE_WEIGHTS[stage] * done) / Math.max(1, total)) * 1000) / totalWeight), 1000);
  };
  const step = (stage: SynthStage) => within(stage)(0, 1);
  const writer = (entity: EntityName) => new CsvFileWriter(entityFilePath(dir, entity, 'csv'), Object.keys(ENTITIES[entity].columns));

  step('firms');
  const firms = createFirms(config);
  step('health');
  const paths = simulateHealth(firms, config);
  step('trade');
  const invoices = writer('invoices');
  const ledger = simulateTrade(firms, paths, config, invoices, within('trade'));
  invoices.close();
  step('filings');
  const filingWriters = {
    vatReturns: writer('vatReturns'), citReturns: writer('citReturns'), taxGrades: writer('taxGrades'),
    bankMonths: writer('bankMonths'), bureauReports: writer('bureauReports'), courtCases: writer('courtCases'),
  };
  writeFilings(firms, paths, ledger, config, filingWriters, within('filings'));
  for (const w of Object.values(filingWriters)) w.close();
  step('labels');
  const enterprises = writer('enterprises');
  const labels = writer('labels');
  writeEnterprisesAndLabels(firms, paths, enterprises, labels);
  enterprises.close();
  labels.close();
  onProgress('labels', 1000, 1000);

  const rowCounts: Partial<Record<EntityName, number>> = {
    enterprises: enterprises.rowCount, vatReturns: filingWriters.vatReturns.rowCount, citReturns: filingWriters.citReturns.rowCount,
    taxGrades: filingWriters.taxGrades.rowCount, invoices: invoices.rowCount, bankMonths: filingWriters.bankMonths.rowCount,
    bureauReports: filingWriters.bureauReports.rowCount, courtCases: filingWriters.courtCases.rowCount, labels: labels.rowCount,
  };
  const manifest: DatasetManifest = {
    generator: GENERATOR_VERSION, seed: config.seed, enterprises: config.enterprises, months: config.months,
    startMonth: startMonthOf(config), endMonth: config.endMonth,
    observationDate: firstDayOfMonth(observationMonthOf(config)), badRateTarget: config.badRate,
    fraudShares: config.fraud, hazardIntercepts: paths.hazardIntercepts.map((a) => Number(a.toFixed(6))), rowCounts,
  };
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return { dir, manifest };
}

function writeEnterprisesAndLabels(firms: Firms, paths: HealthPaths, enterprises: CsvFileWriter, labels: CsvFileWriter): void {
  for (let i = 0; i < firms.count; i++) {
    enterprises.row([
      firms.code[i]!, firms.name[i]!, establishedIsoDate(firms, i), INDUSTRY_PROFILES[firms.profile[i]!]!.section, firms.division[i]!, firms.region[i]!,
      firms.capitalFen[i]!, firms.general[i] ? 'general' : 'small_scale', 'active', firms.legalRepId[i]!, firms.legalRepBirthYear[i]!,
      firms.phone[i]!, firms.address[i]!,
    ]);
    const defaultMonth = paths.defaultMonth[i]!;
    const kind = fraudKindOf(firms, i);
    labels.row([
      firms.code[i]!, defaultMonth !== NO_DEFAULT, defaultMonth === NO_DEFAULT ? null : isoMonthOfIndex(firms.startIndex + defaultMonth),
      kind, kind === 'none' ? null : firms.fraudGroup[i]!,
    ]);
  }
}
