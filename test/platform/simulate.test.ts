/**
 * The platform simulation on a small economy (200 enterprises, prepared once for the file): deterministic for a
 * seed (two runs, byte-identical figures), consistent (every loan an accepted offer of a claimed need, the fund
 * reconciled to the fen) and reported as a self-contained HTML page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { prepareEconomy, type SimulationEconomy } from '../../src/platform/simulate-economy.ts';
import { simulatePlatform, type SimulationFigures } from '../../src/platform/simulate.ts';
import { runSimulation } from '../../src/platform/simulate-run.ts';
import { temporaryDir } from '../support/economy.ts';
import { runCli } from '../support/cli.ts';

const ENTERPRISES = 200;
const MONTHS = 2;
let work: string;
let economy: SimulationEconomy;
let first: SimulationFigures;

before(async () => {
  work = temporaryDir('simulation');
  economy = await prepareEconomy({ enterprises: ENTERPRISES, seed: 3, workDir: work });
  first = (await simulatePlatform(economy, { months: MONTHS, seed: 3, banks: 5 })).figures;
});

after(() => economy?.snapshot.close());

test('two runs with one seed give identical figures', async () => {
  const second = (await simulatePlatform(economy, { months: MONTHS, seed: 3, banks: 5 })).figures;
  const [a, b] = [JSON.stringify(first), JSON.stringify(second)];
  const at = [...a].findIndex((c, k) => c !== b[k]);
  assert.ok(a === b, `the runs differ from character ${at}: …${a.slice(Math.max(0, at - 120), at + 80)}… vs …${b.slice(Math.max(0, at - 120), at + 80)}…`);
});

test('the figures hold together: needs → claims → offers → loans, defaults from the outcomes, the fund reconciled', () => {
  const t = first.totals;
  assert.equal(first.monthly.length, MONTHS);
  assert.ok(t.needs > 0 && t.claims > 0, JSON.stringify(t));
  assert.ok(t.offers <= t.claims && t.loans <= t.offers && t.loans <= t.needs, JSON.stringify(t));
  assert.equal(t.claims, t.offers + t.declines + (t.claims - t.offers - t.declines)); // claims not acted on lapse or expire
  assert.ok(t.covered + t.coverRefused <= t.loans);
  assert.equal(first.fund.reconciled, true, first.fund.differences.join('; '));
  assert.equal(first.fund.balanceFen, first.fund.capitalFen - first.fund.claimsPaidFen + first.fund.recoveredFen);
  // The market's statistics agree with the simulation's own counts.
  const byBank = first.byBank as { needs: number; approvals: number; approvedAmountFen: number }[];
  assert.equal(byBank.reduce((s, r) => s + r.approvals, 0), t.loans);
  assert.equal(byBank.reduce((s, r) => s + r.approvedAmountFen, 0), t.loanAmountFen);
  const byIndustry = first.byIndustry as { needs: number }[];
  assert.equal(byIndustry.reduce((s, r) => s + r.needs, 0), t.needs);
  // Every enterprise was rated; loans by grade add up.
  assert.equal(Object.values(first.ratingsByGrade).reduce((a, b) => a + b, 0), first.enterprises);
  assert.equal(Object.values(first.loansByGrade).reduce((s, g) => s + g.loans, 0), t.loans);
  // Nothing random or timed leaks into the figures.
  assert.doesNotMatch(JSON.stringify(first), /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
});

test('the command writes the figures as JSON and a self-contained HTML report with charts', async () => {
  const run = await runSimulation({ months: 1, seed: 3, enterprises: ENTERPRISES, banks: 5, outDir: join(work, 'out'), workDir: work });
  const written = JSON.parse(readFileSync(run.files.json, 'utf8')) as SimulationFigures;
  assert.deepEqual(written.monthly[0], first.monthly[0]); // month 1 does not depend on how many months follow
  const html = readFileSync(run.files.html, 'utf8');
  assert.match(html, /<svg /);
  assert.doesNotMatch(html, /<script|<link|src=/);
  assert.match(html, /By bank 按银行/);
  await assert.rejects(runSimulation({ months: 13, seed: 3, enterprises: ENTERPRISES, banks: 5, outDir: join(work, 'out'), workDir: work }), /--months must be 1\.\.12/);
});

test('puhui platform refuses bad input with one line and exit code 2, before any work', async () => {
  for (const [args, message] of [
    [['platform'], /usage: puhui platform simulate/],
    [['platform', 'simulate', '--months', '13'], /--months must be 1\.\.12/],
    [['platform', 'simulate', '--enterprises', 'many'], /--enterprises must be a whole number/],
    [['platform', 'simulate', '--enterprises', '10', '--out', join(work, 'refused')], /--enterprises must be 50\.\./],
  ] as const) {
    const run = await runCli(...args);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  }
  assert.match((await runCli('platform', '--help')).stdout, /^Usage:\n {2}puhui platform simulate/);
});
