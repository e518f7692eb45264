/** `puhui fraud`: the invoice network's anti-fraud signals for a dataset as of a date, and `--eval` against labels. */
import { resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { intFlag, parse, print, UsageError } from './args.ts';
import { renderTable } from './inspect.ts';
import { datasetFiles, readManifest } from '../data/index.ts';
import { CYCLE_LENGTH_MAX, defaultFraudPolicy, detectFraud, evaluateTypologies, loadFraudPolicy, SIGNALS, withOverrides } from '../fraud/index.ts';
import { WINDOW_MONTHS_MAX } from '../fraud/network.ts';
import { formatYuanShort } from '../domain/money.ts';
import { readFraudLabels } from '../fraud/labels.ts';

export async function commandFraud(rawArgv: string[]): Promise<void> {
  // `--eval labels.csv` names the labels right after the flag; plain `--eval` uses the dataset's own.
  const argv = rawArgv.flatMap((arg, k) => (arg === '--eval' && rawArgv[k + 1] && !rawArgv[k + 1]!.startsWith('-') && /\.(csv|parquet)$/i.test(rawArgv[k + 1]!) ? ['--eval', '--labels'] : [arg]));
  const { flags, positionals } = parse(argv, {
    'as-of': { type: 'string' }, out: { type: 'string' }, eval: { type: 'boolean' }, labels: { type: 'string' }, policy: { type: 'string' },
    'window-months': { type: 'string' }, 'max-length': { type: 'string' }, workers: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('usage: puhui fraud DIR [--as-of YYYY-MM-DD] [--policy FILE.json] [--out FILE.json] [--eval]');
  const json = flags.json === true;
  const dir = resolve(positionals[0]!);
  const asOf = typeof flags['as-of'] === 'string' ? flags['as-of'] : readManifest(dir)?.observationDate;
  if (!asOf) throw new UsageError('give --as-of YYYY-MM-DD (the dataset has no manifest with an observation date)');
  const filePolicy = typeof flags.policy === 'string' ? loadFraudPolicy(resolve(flags.policy)) : defaultFraudPolicy();
  const lengthMax = flags['max-length'] === undefined ? undefined : intFlag(flags, 'max-length', 0);
  if (lengthMax !== undefined && (lengthMax < 2 || lengthMax > CYCLE_LENGTH_MAX)) throw new UsageError(`--max-length must be 2..${CYCLE_LENGTH_MAX}`);
  const windowMonths = flags['window-months'] === undefined ? undefined : intFlag(flags, 'window-months', 0);
  if (windowMonths !== undefined && (windowMonths < 1 || windowMonths > WINDOW_MONTHS_MAX)) throw new UsageError(`--window-months must be 1..${WINDOW_MONTHS_MAX}`);
  const policy = withOverrides(filePolicy, { windowMonths, lengthMax });
  const report = await detectFraud({ datasetDir: dir, asOf, policy, workers: flags.workers === undefined ? undefined : intFlag(flags, 'workers', 2) });
  if (typeof flags.out === 'string') writeFileSync(resolve(flags.out), JSON.stringify(report, null, 2) + '\n');
  let evaluation: ReturnType<typeof evaluateTypologies> | null = null;
  if (flags.eval) {
    const labelsFile = typeof flags.labels === 'string' ? resolve(flags.labels) : datasetFiles(dir).find((f) => f.entity === 'labels')?.path;
    if (!labelsFile) throw new UsageError('--eval needs labels: give --labels FILE (creditCode, fraudKind)');
    evaluation = evaluateTypologies(report, await readFraudLabels(labelsFile));
  }
  const bySeverity = (severity: string) => report.signals.filter((s) => s.severity === severity).length;
  print(json, json && typeof flags.out === 'string' ? { out: resolve(flags.out), policy: report.policy, network: report.network, unavailable: report.unavailable, enterprises: report.enterprises.length, evaluation } : { ...report, evaluation }, () => [
    `Anti-fraud as of ${asOf} under policy ${report.policy.id} ${report.policy.version} (sha256 ${report.policy.hash.slice(0, 12)})`,
    `Network of ${report.network.enterprises} enterprises, ${report.network.edges} edges and ${report.network.invoices} invoices (${report.windowMonths} months from ${report.windowStartMonth} to the as-of date; invoices in ${report.network.monthsWithInvoices} of them); ${report.network.cyclesExamined} loops examined, ${report.network.cyclesWithEvidence} with invoices that go round`,
    report.network.uncovered.length === 0 ? 'Search complete: every loop within the length bound was examined.'
      : `Search NOT complete: ${report.network.uncovered.length} start enterprises cut short (${[...new Set(report.network.uncovered.map((u) => u.reason))].join(', ')}); rings whose smallest member is among them may be missing (listed in the JSON report)`,
    ...report.unavailable.map((u) => `Evidence unavailable — ${u.evidence}: ${u.reason} (not checked: ${u.signals.join(', ')})`),
    ...(report.identityPlaceholders.length > 0 ? [`Placeholder identities ignored: ${report.identityPlaceholders.map((p) => `${p.kind} '${p.value}' (${p.firms} firms)`).join(', ')}`] : []),
    ...(report.identityHubs.length > 0 ? [`Identity hubs (evidence, not links): ${report.identityHubs.length}, the largest a ${report.identityHubs[0]!.kind} shared by ${report.identityHubs[0]!.members.length} firms`] : []),
    `${report.rings.length} rings, ${report.clusters.filter((c) => report.signals.some((s) => s.group === c.id)).length} shell clusters; ${report.signals.length} signals (${bySeverity('high')} high, ${bySeverity('medium')} medium) on ${report.enterprises.length} enterprises`,
    ...renderTable(['code', 'severity', 'enterprises', 'meaning / 含义'], Object.values(SIGNALS).map((d) => [d.code, d.severity, String(new Set(report.signals.filter((s) => s.code === d.code).map((s) => s.creditCode)).size), `${d.en} / ${d.zh}`])),
    ...(report.rings.length > 0 ? ['', `Most suspicious ring: ${report.rings[0]!.members.join(' → ')} → (loop ${formatYuanShort(report.rings[0]!.loopAmountFen)} yuan, ${Math.round(report.rings[0]!.roundTripShare * 100)}% of their sales, ${report.rings[0]!.rounds} rounds in ${report.rings[0]!.roundMonths} months, suspicion ${report.rings[0]!.suspicion.toFixed(2)})`] : []),
    ...(evaluation ? ['', 'Against the labels:', ...renderTable(['typology', 'planted', 'flagged', 'correct', 'precision', 'recall'], evaluation.map((e) => [e.typology, String(e.planted), String(e.flagged), String(e.truePositives), e.precision.toFixed(3), e.recall.toFixed(3)]))] : []),
    typeof flags.out === 'string' ? `\nAll signals with their evidence: ${resolve(flags.out)}` : '',
  ].join('\n'));
}
