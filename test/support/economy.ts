/** One synthetic economy per test process, generated into a temporary folder and shared by the tests. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SYNTH_CONFIG, generateEconomy, type SynthConfig } from '../../src/synth/index.ts';

export function temporaryDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `puhui-${prefix}-`));
}

const cache = new Map<string, string>();

export function economy(overrides: Partial<SynthConfig> = {}): { dir: string; config: SynthConfig } {
  const config = { ...DEFAULT_SYNTH_CONFIG, ...overrides };
  const key = JSON.stringify(config);
  let dir = cache.get(key);
  if (!dir) {
    dir = temporaryDir('economy');
    generateEconomy(config, dir);
    cache.set(key, dir);
  }
  return { dir, config };
}

const imported = new Map<string, Promise<{ raw: string; dataset: string; root: string }>>();

/**
 * A small synthetic economy imported once per test process (200 enterprises × 30 months): the dataset the
 * command-line refusals and the completeness checks run against. Tests that damage a dataset copy it first.
 */
export function importedEconomy(overrides: Partial<SynthConfig> = { enterprises: 200, months: 30, seed: 7 }): Promise<{ raw: string; dataset: string; root: string }> {
  const key = JSON.stringify(overrides);
  let ready = imported.get(key);
  if (!ready) {
    ready = (async () => {
      const { importDataset } = await import('../../src/data/index.ts');
      const { dir: raw } = economy(overrides);
      const root = temporaryDir('imported');
      const dataset = join(root, 'dataset');
      const summary = await importDataset({ sourceDir: raw, targetDir: dataset });
      if (summary.rootCause) throw new Error(`the fixture economy did not import: ${summary.rootCause}`);
      return { raw, dataset, root };
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
