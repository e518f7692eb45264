/**
 * `puhui monitor leadtime DIR`: how early the warning strategy flags the defaults of a labelled dataset, and
 * how often it flags firms that do not default (src/monitoring/leadtime.ts).
 * `puhui monitor warnings DIR CREDIT_CODE --as-of D`: one enterprise's warning as of a date, with evidence.
 */
import { parse, pathFlag, print, stringFlag, UsageError } from './args.ts';
import { renderTable } from './table.ts';
import { ProgressBar } from './progress.ts';
import { isIsoDate } from '../domain/period.ts';
import { readCompactDossiers } from '../features/batch.ts';
import {
  DEFAULT_MONITORING_POLICY, DEFAULT_WARNING_STRATEGY, evaluateWarnings, loadMonitoringPolicy, loadWarningStrategy, measureLeadTime, WarningEngine,
  type LeadTimeReport, type Warning,
} from '../monitoring/index.ts';

const USAGE = 'usage: puhui monitor leadtime DIR [--strategy S.json] [--policy P.json] [--json] | puhui monitor warnings DIR CREDIT_CODE --as-of YYYY-MM-DD [--json]';
const pct = (share: number) => `${(100 * share).toFixed(1)}%`;

function renderLeadTime(r: LeadTimeReport): string {
  return [
    `Early warnings ${r.strategy}, policy ${r.policy}: defaults ${r.referenceFrom}…${r.referenceTo}, flagged red or yellow in the ${r.windowMonths} monthly evaluations ending ${r.leadMonthsMin} months before`,
    ...renderTable(['group 组别', 'firms 户数', 'flagged 预警', 'red 红色', 'share 占比'], [
      ['defaulters 违约', String(r.defaulters.firms), String(r.defaulters.flagged), String(r.defaulters.red), pct(r.defaulters.share)],
      ['non-defaulters (false alarms) 未违约（误报）', String(r.nonDefaulters.firms), String(r.nonDefaulters.flagged), String(r.nonDefaulters.red), pct(r.nonDefaulters.share)],
      ['planted fraud bust-outs 欺诈违约', String(r.fraudDefaulters.firms), String(r.fraudDefaulters.flagged), String(r.fraudDefaulters.red), pct(r.fraudDefaulters.share)],
    ]),
    `median months from the first flag to default: ${r.firstFlagMonthsBeforeDefaultMedian ?? '—'}; aim met (≥ 70% at ≤ 10%): ${r.aimMet ? 'yes' : 'no'}`,
    ...renderTable(['code', 'defaulters', 'non-defaulters'], r.codes.map((c) => [c.code, pct(c.defaulterShare), pct(c.nonDefaulterShare)])),
  ].join('\n');
}

function renderWarning(w: Warning): string {
  return [
    `${w.creditCode} as of ${w.asOf}: ${w.level.toUpperCase()} (${w.strategy.id}@${w.strategy.version})`,
    ...w.reasons.map((r) => `  ${r.code} [${r.severity}] ${r.en} / ${r.zh} — ${(w.evidence[r.code] ?? []).map((e) => `${e.signal} = ${e.value ?? '—'}`).join(', ')}`),
    `  actions: ${w.actions.join(', ') || 'none'}`,
  ].join('\n');
}

export async function commandMonitor(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { strategy: { type: 'string' }, policy: { type: 'string' }, 'as-of': { type: 'string' } });
  const [sub, dir, code] = positionals;
  if (!dir || (sub !== 'leadtime' && sub !== 'warnings')) throw new UsageError(USAGE);
  const strategy = loadWarningStrategy(pathFlag(flags, 'strategy') ?? DEFAULT_WARNING_STRATEGY);
  const engine = new WarningEngine();
  try {
    if (sub === 'leadtime') {
      const bar = new ProgressBar('leadtime', flags.json === true);
      const report = await measureLeadTime({
        datasetDir: dir, strategy, engine, policy: loadMonitoringPolicy(pathFlag(flags, 'policy') ?? DEFAULT_MONITORING_POLICY), onProgress: (done, total) => bar.update(done, total, 'firms'),
      });
      bar.done();
      print(flags.json === true, report, () => renderLeadTime(report));
      return;
    }
    const asOf = stringFlag(flags, 'as-of');
    if (!code || asOf === null || !isIsoDate(asOf)) throw new UsageError(USAGE);
    const { codes, dossiers } = await readCompactDossiers(dir, asOf);
    const index = codes.indexOf(code);
    if (index < 0) throw new UsageError(`no enterprise ${code} in ${dir}`);
    const warning = await evaluateWarnings(engine, strategy, dossiers[index]!, asOf, { creditCode: code });
    print(flags.json === true, warning, () => renderWarning(warning));
  } finally {
    engine.dispose();
  }
}
