/** One synthetic economy per test process, generated into a temporary folder and shared by the tests. */
import { mkdtempSync } from 'node:fs';
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
