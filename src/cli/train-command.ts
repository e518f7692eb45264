/**
 * `puhui train` and `puhui score` as commands: flags in, one call to src/pipeline, a rendering out. Every
 * flag is checked, and every bad one is reported at once in one line (exit code 2).
 */
import { resolve } from 'node:path';
import { parse, print, UsageError, type Flags } from './args.ts';
import { renderTable } from './inspect.ts';
import { runTraining, writeReport } from '../pipeline/train-report.ts';
import type { BinningMethod, BinningOptions, Monotonic } from '../models/binning.ts';
import { ModelParamsError, ParamChecker } from '../models/params.ts';
import { checkScorecardOptions, type ScorecardFile, type ScorecardOptions } from '../models/scorecard.ts';
import type { StepwiseCriterion } from '../models/selection.ts';
import { scoreTableFile } from '../pipeline/score.ts';
import { checkTableTrainRequest, checkWritable, trainOnTable, type MissingTargetPolicy, type ModelEvaluation } from '../pipeline/train.ts';

const TRAIN_USAGE = 'usage: puhui train DATA.csv|DATA.parquet --target COLUMN --out model.json [--bad VALUE] [--id COLUMN] [--exclude A,B] [--categorical C,D] '
  + '[--test DATA2 | --test-share 0.3 --seed 1] …, or puhui train --features FILE --labels FILE --as-of YYYY-MM-DD --out model.json';

/** The estimator parameter each flag sets, so a problem found by the model kit names the flag the user typed. */
const FLAG_OF_PARAM: [string, string][] = [
  ['binning method', '--method'], ['binning maxBins', '--max-bins'], ['binning minBinShare', '--min-bin-share'], ['binning minBadsPerBin', '--min-bads-per-bin'],
  ['binning monotonic', '--monotonic'], ['binning specialValues', '--special-values'], ['binning rareShare', '--rare-share'],
  ['binning treeSignificance', '--tree-significance'], ['l2', '--l2'], ['ivMin', '--iv-min'], ['correlationMax', '--correlation-max'], ['vifMax', '--vif-max'],
  ['baseScore', '--base-score'], ['baseOdds', '--base-odds'], ['pdo', '--pdo'], ['grades', '--grades'], ['stepwise direction', '--stepwise'],
  ['stepwise criterion', '--criterion'], ['stepwise pValueMax', '--p-value-max'], ['testShare', '--test-share'], ['seed', '--seed'], ['missingTarget', '--missing-target'],
  ['target', '--target'], ['id', '--id'], ['exclude', '--exclude'], ['categorical', '--categorical'],
];

function inFlagTerms(problem: string): string {
  const found = FLAG_OF_PARAM.find(([param]) => problem.startsWith(`${param} `));
  return found ? `${found[1]}${problem.slice(found[0].length)}` : problem;
}

/** Reads flags, collecting every problem instead of stopping at the first. */
class FlagReader {
  readonly problems: string[] = [];

  constructor(private readonly flags: Flags) {}

  text(name: string): string | undefined {
    const raw = this.flags[name];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || raw.trim() === '') { this.problems.push(`--${name} needs a value`); return undefined; }
    return raw;
  }

  number(name: string): number | undefined {
    const raw = this.text(name);
    if (raw === undefined) return undefined;
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim())) { this.problems.push(`--${name} must be a number, got '${raw}'`); return undefined; }
    return Number(raw);
  }

  list(name: string): string[] | undefined {
    const raw = this.text(name);
    return raw === undefined ? undefined : raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  numbers(name: string): number[] | undefined {
    const items = this.list(name);
    if (items === undefined) return undefined;
    const bad = items.filter((s) => !Number.isFinite(Number(s)));
    if (bad.length > 0) { this.problems.push(`--${name} must be numbers separated by commas, got '${bad.join(',')}'`); return undefined; }
    return items.map(Number);
  }

  path(name: string): string | undefined {
    const raw = this.text(name);
    return raw === undefined ? undefined : resolve(raw);
  }
}

function binningOptions(read: FlagReader): BinningOptions {
  const monotonic = read.text('monotonic');
  const options: BinningOptions = {
    method: read.text('method') as BinningMethod | undefined, maxBins: read.number('max-bins'), minBinShare: read.number('min-bin-share'),
    minBadsPerBin: read.number('min-bads-per-bin'), specialValues: read.numbers('special-values'), rareShare: read.number('rare-share'),
    treeSignificance: read.number('tree-significance'),
    ...(monotonic === undefined ? {} : { monotonic: monotonic === 'none' ? null : (monotonic as Monotonic) }),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as BinningOptions;
}

function scorecardOptions(read: FlagReader): ScorecardOptions {
  const direction = read.text('stepwise');
  const criterion = read.text('criterion');
  const pValueMax = read.number('p-value-max');
  if (direction === undefined && (criterion !== undefined || pValueMax !== undefined)) read.problems.push('--criterion and --p-value-max choose how --stepwise selects; give --stepwise forward|backward');
  const options: ScorecardOptions = {
    binning: binningOptions(read), l2: read.number('l2'), ivMin: read.number('iv-min'), correlationMax: read.number('correlation-max'), vifMax: read.number('vif-max'),
    baseScore: read.number('base-score'), baseOdds: read.number('base-odds'), pdo: read.number('pdo'), grades: read.number('grades'),
    ...(direction !== undefined ? { stepwise: { direction: direction as 'forward', criterion: (criterion ?? 'bic') as StepwiseCriterion, ...(pValueMax !== undefined ? { pValueMax } : {}) } } : {}),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ScorecardOptions;
}

const TRAIN_FLAGS = Object.fromEntries([
  'features', 'labels', 'target', 'as-of', 'out', 'report', 'test-features', 'test-as-of', 'test-share', 'seed', 'method', 'max-bins', 'min-bin-share',
  'min-bads-per-bin', 'monotonic', 'special-values', 'rare-share', 'tree-significance', 'stepwise', 'criterion', 'p-value-max', 'l2', 'iv-min',
  'correlation-max', 'vif-max', 'base-score', 'base-odds', 'pdo', 'grades', 'bad', 'id', 'exclude', 'categorical', 'test', 'missing-target',
].map((name) => [name, { type: 'string' as const }]));

export async function commandTrain(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, TRAIN_FLAGS);
  const read = new FlagReader(flags);
  const out = read.path('out');
  const report = read.path('report');
  const options = scorecardOptions(read);
  if (report) {
    const reportChecker = new ParamChecker();
    checkWritable(report, reportChecker);
    read.problems.push(...reportChecker.problems);
  }
  if (positionals.length > 1) read.problems.push(`one data file, got ${positionals.length}: ${positionals.join(' ')}`);
  if (positionals.length === 1 && flags.features !== undefined) read.problems.push('give a data file or --features, not both');
  if (positionals.length === 0 && flags.features === undefined) read.problems.push(TRAIN_USAGE);
  if (out === undefined) read.problems.push('--out model.json is required');
  try {
    if (positionals.length === 1) {
      const target = read.text('target');
      if (target === undefined) read.problems.push('--target COLUMN is required: the column that says good or bad');
      for (const name of ['labels', 'as-of', 'test-features', 'test-as-of']) if (flags[name] !== undefined) read.problems.push(`--${name} belongs to the --features form; with a data file use --target, --test or --test-share`);
      const request = {
        data: resolve(positionals[0]!), target: target ?? '', bad: read.text('bad') ?? null, id: read.text('id') ?? null, exclude: read.list('exclude') ?? [],
        categorical: read.list('categorical') ?? [], test: read.path('test') ?? null, testShare: read.number('test-share') ?? (flags.test === undefined ? 0.3 : 0),
        seed: read.number('seed') ?? 1, missingTarget: (read.text('missing-target') ?? 'drop') as MissingTargetPolicy, out: out ?? null, options,
      };
      if (flags.test !== undefined && flags['test-share'] !== undefined) read.problems.push('give --test DATA2 or --test-share S, not both');
      // The kit's own rules for every value, before any data is read, so all problems come out together.
      const checker = new ParamChecker();
      checkTableTrainRequest(request, checker);
      checkScorecardOptions(options, [{ name: request.target, type: 'numeric' }], checker);
      read.problems.push(...checker.problems.map(inFlagTerms));
      if (read.problems.length > 0) throw new UsageError(read.problems.join('; '));
      const result = await trainOnTable(request);
      if (report) writeReport(report, result.model, result.evaluation);
      renderTraining(flags.json === true, result.model, result.evaluation, out!, report, {
        coding: result.coding, rows: result.rows, ignored: result.ignored,
      });
      return;
    }
    const request = {
      features: read.path('features')!, labels: read.path('labels') ?? null, target: read.text('target') ?? null, asOf: read.text('as-of') ?? null,
      testFeatures: read.path('test-features') ?? null, testAsOf: read.text('test-as-of') ?? null, testShare: read.number('test-share') ?? 0.3,
      seed: read.number('seed') ?? 1, out: out!, report: report ?? null, options,
    };
    for (const name of ['bad', 'id', 'exclude', 'categorical', 'test', 'missing-target']) if (flags[name] !== undefined) read.problems.push(`--${name} needs a data file (puhui train DATA --target COLUMN)`);
    if (request.testFeatures && flags['test-share'] !== undefined) read.problems.push('give --test-features or --test-share, not both');
    if (request.testFeatures) request.testShare = 0;
    const checker = new ParamChecker();
    checkTableTrainRequest({ data: request.features, target: '', testShare: request.testShare, seed: request.seed, out: request.out }, checker);
    checkScorecardOptions(options, [{ name: 'variable', type: 'numeric' }], checker);
    read.problems.push(...checker.problems.map(inFlagTerms));
    if (read.problems.length > 0) throw new UsageError(read.problems.join('; '));
    const { model, evaluation } = await runTraining(request);
    renderTraining(flags.json === true, model, evaluation, out!, report, {});
  } catch (error) {
    if (error instanceof ModelParamsError) throw new UsageError(error.problems.map(inFlagTerms).join('; '));
    throw error;
  }
}

interface TableDetails { coding?: { target: string; badValue: string; goodValue: string }; rows?: { read: number; missingTarget: number; train: number; test: number }; ignored?: { name: string; reason: string }[] }

function renderTraining(json: boolean, model: ScorecardFile, evaluation: ModelEvaluation, out: string, report: string | undefined, details: TableDetails): void {
  print(json, {
    features: model.features.map((f) => ({ name: f.name, iv: f.iv, coefficient: f.coefficient })), dropped: model.dropped,
    evaluation: { train: evaluation.train, test: evaluation.test, psi: evaluation.psi?.psi ?? null }, ...details,
  }, () => [
    ...(details.rows && details.coding ? [`${details.rows.read} rows read; bad = ${details.coding.target} ${JSON.stringify(details.coding.badValue)}, good = ${JSON.stringify(details.coding.goodValue)}`
      + (details.rows.missingTarget > 0 ? `; ${details.rows.missingTarget} rows without a target dropped` : '')] : []),
    `Scorecard with ${model.features.length} variables written to ${out}${report ? `; report ${report}` : ''}`,
    `train: ${evaluation.train.rows} rows, AUC ${evaluation.train.auc.toFixed(4)}, KS ${evaluation.train.ks.toFixed(4)}`,
    evaluation.test ? `test:  ${evaluation.test.rows} rows, AUC ${evaluation.test.auc.toFixed(4)}, KS ${evaluation.test.ks.toFixed(4)}, score PSI ${evaluation.psi!.psi.toFixed(4)}` : 'no test set',
    ...renderTable(['variable', 'IV', 'coefficient', 'p-value'], [...model.features].sort((a, b) => b.iv - a.iv).map((f) => [f.name, f.iv.toFixed(3), f.coefficient.toFixed(3), f.pValue.toPrecision(2)])),
    ...(details.ignored && details.ignored.length > 0 ? [`Not used: ${details.ignored.map((c) => `${c.name} (${c.reason})`).join(', ')}`] : []),
  ].join('\n'));
}

export async function commandScore(argv: string[]): Promise<void> {
  const { flags, positionals } = parse(argv, { model: { type: 'string' }, features: { type: 'string' }, out: { type: 'string' }, id: { type: 'string' } });
  const read = new FlagReader(flags);
  const model = read.path('model');
  const out = read.path('out');
  const features = read.path('features');
  const problems = read.problems;
  if (model === undefined) problems.push('--model model.json is required');
  if (out === undefined) problems.push('--out FILE.csv|FILE.parquet is required');
  if (positionals.length > 1) problems.push(`one data file, got ${positionals.length}: ${positionals.join(' ')}`);
  if (positionals.length === 1 && features !== undefined) problems.push('give a data file or --features, not both');
  const data = positionals.length === 1 ? resolve(positionals[0]!) : features;
  if (data === undefined) problems.push('usage: puhui score DATA.csv|DATA.parquet --model model.json --out FILE.csv|FILE.parquet [--id COLUMN]');
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const result = await scoreTableFile({ model: model!, data: data!, id: read.text('id') ?? null, out: out! });
  print(flags.json === true, result, () => `Scored ${result.rows} rows (${Math.round(result.rows / Math.max(result.seconds, 1e-9))} rows/s) into ${result.out}, keyed by ${result.key}`);
}
