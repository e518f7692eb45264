/**
 * Folders built once and shared by every test process of one `npm test` run: scripts/run-tests.js makes a run
 * folder, passes it as PUHUI_TEST_RUN_DIR and removes it afterwards. A fixture is built by the first process that
 * asks for it, under a lock (a directory made atomically, holding the builder's pid); the others wait for it instead
 * of building it again. Each finished fixture records the size and modification time of its files: at the end of
 * the run, run-tests.js fails if a test changed a shared fixture (tests that damage one must copy it first).
 * A test file run on its own (`node --import tsx --test FILE`) gets a run folder of its own, removed when it exits.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The file next to each shared fixture that lists its files' sizes and modification times. */
export const FINGERPRINT_SUFFIX = '.fingerprint.json';
const LOCK_SUFFIX = '.lock';
const POLL_MS = 50;

let ownRunDir: string | null = null;

/** The folder of this test run (scripts/run-tests.js sets it; otherwise one for this process alone). */
export function runDir(): string {
  const shared = process.env.PUHUI_TEST_RUN_DIR;
  if (shared) return shared;
  if (ownRunDir === null) {
    const dir = mkdtempSync(join(tmpdir(), 'puhui-test-run-'));
    ownRunDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return ownRunDir;
}

/** A new empty folder for one test, inside the run folder (removed with it). */
export function temporaryDir(prefix: string): string {
  const parent = join(runDir(), 'tmp');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `puhui-${prefix}-`));
}

/** Every file under a folder with its size and modification time: what a test that writes into it would change. */
export function fingerprint(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const path = join(sub, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(join(dir, path));
        files[path] = `${stat.size} ${stat.mtimeMs}`;
      }
    }
  };
  walk('');
  return files;
}

type Attempt = { state: 'ready' } | { state: 'mine'; building: string } | { state: 'busy' };

function attempt(final: string): Attempt {
  if (existsSync(final)) return { state: 'ready' };
  const lock = final + LOCK_SUFFIX;
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const pid = readPid(lock);
    const holder = Number(pid);
    const orphan = pid === '' ? lockAgeMs(lock) > 10_000 : !(Number.isInteger(holder) && holder > 0 && alive(holder));
    if (orphan) rmSync(lock, { recursive: true, force: true }); // its builder died: the next attempt takes over
    return { state: 'busy' };
  }
  if (existsSync(final)) { // finished between the check and the lock
    rmSync(lock, { recursive: true, force: true });
    return { state: 'ready' };
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  const building = `${final}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  return { state: 'mine', building };
}

function readPid(lock: string): string {
  try {
    return readFileSync(join(lock, 'pid'), 'utf8');
  } catch {
    return ''; // the lock is being made or removed right now
  }
}

function lockAgeMs(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function finish(final: string, building: string): void {
  writeFileSync(final + FINGERPRINT_SUFFIX, JSON.stringify(fingerprint(building)));
  renameSync(building, final);
  rmSync(final + LOCK_SUFFIX, { recursive: true, force: true });
}

function abandon(final: string, building: string): void {
  rmSync(building, { recursive: true, force: true });
  rmSync(final + LOCK_SUFFIX, { recursive: true, force: true });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * The shared folder `name` of this run, built by `build(dir)` in the first process that asks for it. `parent`
 * puts it elsewhere: a folder that outlives the run, for a fixture whose name is a key of everything it is built from.
 */
export function sharedDirSync(name: string, build: (dir: string) => void, parent = runDir()): string {
  const final = join(parent, name);
  for (;;) {
    const now = attempt(final);
    if (now.state === 'ready') return final;
    if (now.state === 'busy') {
      Atomics.wait(sleeper, 0, 0, POLL_MS);
      continue;
    }
    try {
      build(now.building);
    } catch (error) {
      abandon(final, now.building);
      throw error;
    }
    finish(final, now.building);
    return final;
  }
}

/** As sharedDirSync, for a fixture built asynchronously. */
export async function sharedDir(name: string, build: (dir: string) => Promise<void>, parent = runDir()): Promise<string> {
  const final = join(parent, name);
  for (;;) {
    const now = attempt(final);
    if (now.state === 'ready') return final;
    if (now.state === 'busy') {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      continue;
    }
    try {
      await build(now.building);
    } catch (error) {
      abandon(final, now.building);
      throw error;
    }
    finish(final, now.building);
    return final;
  }
}

/** The shared fixtures of a run folder that no longer match their fingerprint, each with what changed. */
export function changedFixtures(dir: string): string[] {
  const changed: string[] = [];
  if (!existsSync(dir)) return changed;
  for (const entry of readdirSync(dir)) {
    if (!entry.endsWith(FINGERPRINT_SUFFIX)) continue;
    const name = entry.slice(0, -FINGERPRINT_SUFFIX.length);
    const recorded = JSON.parse(readFileSync(join(dir, entry), 'utf8')) as Record<string, string>;
    const now = existsSync(join(dir, name)) ? fingerprint(join(dir, name)) : {};
    const files = [...new Set([...Object.keys(recorded), ...Object.keys(now)])].filter((f) => recorded[f] !== now[f]).sort();
    if (files.length > 0) changed.push(`${name}: ${files.slice(0, 5).join(', ')}${files.length > 5 ? ` and ${files.length - 5} more` : ''}`);
  }
  return changed;
}
