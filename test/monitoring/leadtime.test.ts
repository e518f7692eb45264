/**
 * Lead time on a small synthetic economy: the warning strategy must flag most defaults at least 3 months
 * ahead while flagging few firms that do not default. Floors are conservative (a small economy has few
 * defaults); the measured figures at scale are in docs/monitoring.md and bench/results/warnings.json.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadMonitoringPolicy, loadWarningStrategy, measureLeadTime, WarningEngine } from '../../src/monitoring/index.ts';
import { economy } from '../support/economy.ts';

const engine = new WarningEngine();
after(() => engine.dispose());

test('most defaults are flagged 3–6 months ahead, few healthy firms are, and fresh data alone beats chance by far', async () => {
  const { dir } = economy({ enterprises: 1_000, seed: 3 });
  const report = await measureLeadTime({ datasetDir: dir, strategy: loadWarningStrategy(), engine, policy: loadMonitoringPolicy() });
  assert.ok(report.defaulters.firms >= 20, `${report.defaulters.firms} defaulters measured`);
  assert.ok(report.nonDefaulters.firms >= 500);
  assert.ok(report.defaulters.share >= 0.55, `defaults flagged ${report.defaulters.share}`);
  assert.ok(report.nonDefaulters.share <= 0.16, `false alarms ${report.nonDefaulters.share}`);
  assert.ok(report.defaulters.share >= 4 * report.nonDefaulters.share, 'the warnings separate defaulters from the rest');
  assert.ok(report.firstFlagMonthsBeforeDefaultMedian !== null && report.firstFlagMonthsBeforeDefaultMedian >= 3);
  assert.equal(report.evaluations, (report.defaulters.firms + report.nonDefaulters.firms + report.fraudDefaulters.firms) * report.windowMonths);
  // Bank inflows collapsing is the strongest single signal before default, and rare otherwise.
  const bank = report.codes.find((c) => c.code === 'W_BANK_INFLOW_COLLAPSE')!;
  assert.ok(bank.defaulterShare > 5 * bank.nonDefaulterShare);
});
