/**
 * The synthetic economies of the tests, each generated once per test run and shared on disk by every test
 * process that asks for the same configuration (see shared-dir.ts). Tests must not write into them: tests that
 * damage a dataset copy it first (copyOfFolder), and the run fails if a shared economy changed.
 */
import { createHash } from 'node:crypto';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SYNTH_CONFIG, generateEconomy, type SynthConfig } from '../../src/synth/index.ts';
import { sharedDir, sharedDirSync, temporaryDir } from './shared-dir.ts';

export { temporaryDir };

function keyOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** The raw CSV economy of DEFAULT_SYNTH_CONFIG with these overrides, generated once per run. */
export function economy(overrides: Partial<SynthConfig> = {}): { dir: string; config: SynthConfig } {
  const config = { ...DEFAULT_SYNTH_CONFIG, ...overrides };
  const dir = sharedDirSync(`economy-${keyOf(config)}`, (building) => { generateEconomy(config, building); });
  return { dir, config };
}

const imported = new Map<string, Promise<{ raw: string; dataset: string; root: string }>>();

/**
 * A small synthetic economy imported once per test run (200 enterprises × 30 months): the dataset the
 * command-line refusals and the completeness checks run against. Tests that damage a dataset copy it first.
 * `root` is a folder of the calling process's own, for the files a test writes.
 */
export function importedEconomy(overrides: Partial<SynthConfig> = { enterprises: 200, months: 30, seed: 7 }): Promise<{ raw: string; dataset: string; root: string }> {
  const key = JSON.stringify(overrides);
  let ready = imported.get(key);
  if (!ready) {
    ready = (async () => {
      const { dir: raw, config } = economy(overrides);
      const built = await sharedDir(`imported-${keyOf(config)}`, async (building) => {
        const { importDataset } = await import('../../src/data/index.ts');
        const summary = await importDataset({ sourceDir: raw, targetDir: join(building, 'dataset') });
        if (summary.rootCause) throw new Error(`the fixture economy did not import: ${summary.rootCause}`);
      });
      return { raw, dataset: join(built, 'dataset'), root: temporaryDir('imported') };
    })();
    imported.set(key, ready);
  }
  return ready;
}

/** A copy of a dataset (or raw) folder, to damage without touching the shared one. */
export function copyOfFolder(dir: string, prefix: string): string {
  const copy = join(temporaryDir(prefix), 'copy');
  cpSync(dir, copy, { recursive: true });
  return copy;
}
