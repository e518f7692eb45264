#!/usr/bin/env node
// Runs every test/**/*.test.ts through node's test runner (Node 20 does not expand globs itself).
// Extra arguments filter the files by substring: `npm test -- synth import`.
// The files start heaviest first (CPU seconds measured by scripts/profile-tests.js, kept in test/weights.json), so
// the two lanes finish together instead of one running a heavy file alone at the end. Every test process of the run
// shares one run folder (PUHUI_TEST_RUN_DIR): economies and other fixtures are built there once (see
// test/support/shared-dir.ts), and the folder is removed at the end. PUHUI_TEST_CONCURRENCY sets the lanes (2).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const WEIGHTS_FILE = 'test/weights.json';
/** The weight of a file not yet in test/weights.json: heavier than most, so a new heavy file does not start last. */
const UNKNOWN_WEIGHT = 10;

export function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

/** The test files matching any filter (all without one), heaviest first. */
export function selectTests(filters) {
  const weights = existsSync(WEIGHTS_FILE) ? JSON.parse(readFileSync(WEIGHTS_FILE, 'utf8')).cpuSeconds : {};
  const weight = (file) => weights[file] ?? UNKNOWN_WEIGHT;
  return findTests('test')
    .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
    .sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
}

export function concurrency() {
  const lanes = Number(process.env.PUHUI_TEST_CONCURRENCY ?? 2);
  if (!Number.isInteger(lanes) || lanes < 1) {
    console.error(`PUHUI_TEST_CONCURRENCY must be a whole number of at least 1, got ${process.env.PUHUI_TEST_CONCURRENCY}`);
    process.exit(2);
  }
  return lanes;
}

/** Runs `body(runDir)` with a fresh run folder shared by the test processes; fails if a test changed a shared fixture. */
export async function withRunDir(body) {
  const runDir = mkdtempSync(join(tmpdir(), 'puhui-test-run-'));
  process.env.PUHUI_TEST_RUN_DIR = runDir;
  try {
    const status = await body(runDir);
    const { tsImport } = await import('tsx/esm/api');
    const { changedFixtures } = await tsImport('../test/support/shared-dir.ts', import.meta.url);
    const changed = changedFixtures(runDir);
    for (const line of changed) console.error(`a test changed the shared fixture ${line}: copy it before writing (copyOfFolder)`);
    return changed.length > 0 ? 1 : status;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = selectTests(process.argv.slice(2));
  if (files.length === 0) {
    console.error('no test files found');
    process.exit(1);
  }
  const lanes = concurrency();
  process.on('SIGINT', () => {}); // the test processes get Ctrl-C too; this one stays to remove the run folder
  process.exitCode = await withRunDir(() => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${lanes}`, ...files], { stdio: 'inherit' });
    return result.status ?? 1;
  });
}
