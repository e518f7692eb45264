#!/usr/bin/env node
// Runs every test file in a process of its own under /usr/bin/time, as `npm test` schedules them (heaviest first,
// PUHUI_TEST_CONCURRENCY lanes, one shared run folder), and prints each file's wall and CPU (user + sys) seconds.
// CPU time is what the files cost and is robust to the machine's load; wall time is not (it is printed with the
// load average). The PostgreSQL server's own CPU is not counted: it runs outside the test processes. A shared
// fixture (an economy, say) is charged to the file that happened to build it first.
//   node scripts/profile-tests.js [--json out.json] [--weights] [filter ...]
// --weights updates test/weights.json (the CPU seconds run-tests.js orders the files by) with the files of this run.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { concurrency, selectTests, WEIGHTS_FILE, withRunDir } from './run-tests.js';

const args = process.argv.slice(2);
let jsonOut = null;
let writeWeights = false;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') jsonOut = args[++i];
  else if (args[i] === '--weights') writeWeights = true;
  else filters.push(args[i]);
}
const lanes = concurrency();
const files = selectTests(filters);
let scratch = '';

function runAlone(file, index) {
  const timeFile = join(scratch, `${index}.time`);
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile, process.execPath, '--import', 'tsx', '--test', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('close', (status) => {
      const [wall, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
      const count = (name) => Number(output.match(new RegExp(`^# ${name} (\\d+)`, 'm'))?.[1] ?? NaN);
      resolve({ file, wall, cpu: Math.round((user + sys) * 100) / 100, user, sys, tests: count('tests'), fail: count('fail'), status });
    });
  });
}

const started = Date.now();
const loadBefore = loadavg();
const results = [];
let next = 0;
async function lane() {
  while (next < files.length) {
    const index = next++;
    const result = await runAlone(files[index], index);
    results.push(result);
    console.error(`${result.file}\t${result.wall}s wall\t${result.cpu}s cpu\t${result.tests} tests${result.status === 0 ? '' : `\tFAILED (${result.fail})`}`);
  }
}
const fixtures = await withRunDir(async (runDir) => {
  scratch = mkdtempSync(join(runDir, 'profile-'));
  await Promise.all(Array.from({ length: lanes }, lane));
  return 0;
});
const loadAfter = loadavg();

results.sort((a, b) => b.cpu - a.cpu);
const totalCpu = results.reduce((sum, r) => sum + r.cpu, 0);
const totalWall = results.reduce((sum, r) => sum + r.wall, 0);
const fmt = (load) => load.map((x) => x.toFixed(2)).join(' ');
console.log(`| file | tests | CPU s | wall s |\n|---|---:|---:|---:|`);
for (const r of results) console.log(`| ${r.file} | ${r.tests} | ${r.cpu.toFixed(1)} | ${r.wall.toFixed(1)} |`);
console.log(`| **total (${results.length} files)** | ${results.reduce((s, r) => s + r.tests, 0)} | ${totalCpu.toFixed(1)} | ${totalWall.toFixed(1)} |`);
console.log(`\n${lanes} lanes, ${((Date.now() - started) / 1000).toFixed(0)} s elapsed; load average before ${fmt(loadBefore)}, after ${fmt(loadAfter)}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ lanes, elapsedSeconds: (Date.now() - started) / 1000, loadBefore, loadAfter, totalCpu, results }, null, 2) + '\n');
if (writeWeights) { // the files profiled replace their figures; the others keep theirs
  const known = existsSync(WEIGHTS_FILE) ? JSON.parse(readFileSync(WEIGHTS_FILE, 'utf8')).cpuSeconds : {};
  const merged = { ...known, ...Object.fromEntries(results.map((r) => [r.file, Math.round(r.cpu)])) };
  const cpuSeconds = Object.fromEntries(Object.entries(merged).filter(([file]) => existsSync(file)).sort((a, b) => a[0].localeCompare(b[0])));
  writeFileSync(WEIGHTS_FILE, JSON.stringify({ note: 'CPU seconds per test file, written by node scripts/profile-tests.js --weights; run-tests.js starts the heaviest first', cpuSeconds }, null, 2) + '\n');
}
const failed = results.filter((r) => r.status !== 0);
if (failed.length > 0) console.error(`failed: ${failed.map((r) => r.file).join(', ')}`);
process.exitCode = failed.length > 0 || fixtures !== 0 ? 1 : 0;
