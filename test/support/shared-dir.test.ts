/**
 * The run folder's shared fixtures: built once however many processes ask at the same time, taken over when the
 * builder died, and reported when a test wrote into one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { changedFixtures, sharedDir, sharedDirSync, temporaryDir } from './shared-dir.ts';

/** A child process that asks for the fixture `name` of `runDir`, whose build logs its pid and takes `buildMs`. */
function child(runDir: string, name: string, buildMs: number): Promise<{ code: number | null; dir: string }> {
  const script = `
    import { appendFileSync, writeFileSync } from 'node:fs';
    import { join } from 'node:path';
    import { sharedDirSync } from './test/support/shared-dir.ts';
    const dir = sharedDirSync(${JSON.stringify(name)}, (building) => {
      appendFileSync(${JSON.stringify(join(runDir, 'builds.log'))}, process.pid + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${buildMs});
      writeFileSync(join(building, 'data.txt'), 'built by ' + process.pid);
    });
    process.stdout.write(dir);`;
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, PUHUI_TEST_RUN_DIR: runDir }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => { out += chunk; });
    proc.on('close', (code) => resolve({ code, dir: out }));
  });
}

test('three processes asking for the same fixture at once build it once and all get it', async () => {
  const runDir = temporaryDir('shared-race');
  const runs = await Promise.all([child(runDir, 'economy-x', 1500), child(runDir, 'economy-x', 1500), child(runDir, 'economy-x', 1500)]);
  for (const run of runs) {
    assert.equal(run.code, 0);
    assert.equal(run.dir, join(runDir, 'economy-x'));
  }
  const builders = readFileSync(join(runDir, 'builds.log'), 'utf8').trim().split('\n');
  assert.equal(builders.length, 1, `built by ${builders.join(', ')}`);
  assert.equal(readFileSync(join(runDir, 'economy-x', 'data.txt'), 'utf8'), `built by ${builders[0]}`);
  assert.deepEqual(readdirSync(runDir).sort(), ['builds.log', 'economy-x', 'economy-x.fingerprint.json']); // no lock or half-built folder left
});

test('a lock left by a builder that died is taken over; a failed build leaves no fixture and lets the next one try', async () => {
  const runDir = temporaryDir('shared-dead');
  mkdirSync(join(runDir, 'economy-y.lock'));
  writeFileSync(join(runDir, 'economy-y.lock', 'pid'), '999999999'); // no such process
  const dir = sharedDirSync('economy-y', (building) => writeFileSync(join(building, 'a'), '1'), runDir);
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
  await assert.rejects(sharedDir('broken', async () => { throw new Error('no disk'); }, runDir), /no disk/);
  assert.deepEqual(readdirSync(runDir).filter((f) => f.startsWith('broken')), []);
  const again = await sharedDir('broken', async (building) => writeFileSync(join(building, 'b'), '2'), runDir);
  assert.equal(readFileSync(join(again, 'b'), 'utf8'), '2');
});

test('a fixture a test wrote into, added to or removed from is reported by name and file', () => {
  const runDir = temporaryDir('shared-changed');
  const anHourAgo = new Date(Date.now() - 3_600_000); // as a fixture built earlier in the run (file times are coarse)
  const build = (building: string) => {
    mkdirSync(join(building, 'sub'));
    for (const [file, text] of [['sub/x.csv', 'a\n'], ['y.csv', 'b\n']]) {
      writeFileSync(join(building, file!), text!);
      utimesSync(join(building, file!), anHourAgo, anHourAgo);
    }
  };
  const first = sharedDirSync('first', build, runDir);
  const second = sharedDirSync('second', build, runDir);
  const third = sharedDirSync('third', build, runDir);
  sharedDirSync('untouched', build, runDir);
  assert.deepEqual(changedFixtures(runDir), []);
  appendFileSync(join(first, 'sub', 'x.csv'), 'c\n');
  writeFileSync(join(second, 'z.csv'), 'new');
  writeFileSync(join(third, 'y.csv'), 'B\n'); // same size: the modification time still tells
  assert.deepEqual(changedFixtures(runDir), ['first: sub/x.csv', 'second: z.csv', 'third: y.csv']);
});
