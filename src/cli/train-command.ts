/** `puhui train` and `puhui score` as commands: flags in, one call to the training or scoring run, a rendering out. */
import { resolve } from 'node:path';
import { intFlag, parse, print, UsageError } from './args.ts';
import { renderTable } from './inspect.ts';
import { runScoring, runTraining } from './train.ts';
import type { BinningMethod } from '../models/binning.ts';

export async function commandTrain(argv: string[]): Promise<void> {
  const { flags } = parse(argv, {
    features: { type: 'string' }, labels: { type: 'string' }, target: { type: 'string' }, 'as-of': { type: 'string' }, out: { type: 'string' }, report: { type: 'string' },
    'test-features': { type: 'string' }, 'test-as-of': { type: 'string' }, 'test-share': { type: 'string' }, seed: { type: 'string' }, method: { type: 'string' },
    'max-bins': { type: 'string' }, 'min-bin-share': { type: 'string' }, stepwise: { type: 'string' }, criterion: { type: 'string' },
  });
  if (typeof flags.features !== 'string' || typeof flags.out !== 'string') throw new UsageError('usage: puhui train --features FILE [--labels FILE] (--target COL | --as-of DATE) --out model.json');
  const method = (flags.method ?? 'monotonic') as BinningMethod;
  if (!['monotonic', 'quantile', 'uniform', 'chimerge', 'tree'].includes(method)) throw new UsageError(`unknown --method ${String(flags.method)}`);
  const testShare = typeof flags['test-share'] === 'string' ? Number(flags['test-share']) : 0.3;
  if (!(testShare >= 0 && testShare < 1)) throw new UsageError('--test-share must be in [0, 1)');
  const stepwiseDirection = flags.stepwise as 'forward' | 'backward' | undefined;
  const { model, evaluation } = await runTraining({
    features: resolve(flags.features), labels: typeof flags.labels === 'string' ? resolve(flags.labels) : null,
    target: typeof flags.target === 'string' ? flags.target : null, asOf: typeof flags['as-of'] === 'string' ? flags['as-of'] : null,
    testFeatures: typeof flags['test-features'] === 'string' ? resolve(flags['test-features']) : null, testAsOf: typeof flags['test-as-of'] === 'string' ? flags['test-as-of'] : null,
    testShare, seed: intFlag(flags, 'seed', 1), out: resolve(flags.out), report: typeof flags.report === 'string' ? resolve(flags.report) : null,
    options: {
      binning: { method, maxBins: intFlag(flags, 'max-bins', 8), minBinShare: typeof flags['min-bin-share'] === 'string' ? Number(flags['min-bin-share']) : 0.05 },
      ...(stepwiseDirection ? { stepwise: { direction: stepwiseDirection, criterion: (flags.criterion ?? 'bic') as 'aic' | 'bic' | 'pvalue' } } : {}),
    },
  });
  print(flags.json === true, { features: model.features.map((f) => ({ name: f.name, iv: f.iv, coefficient: f.coefficient })), dropped: model.dropped, evaluation: { train: evaluation.train, test: evaluation.test, psi: evaluation.psi?.psi ?? null } }, () => [
    `Scorecard with ${model.features.length} variables written to ${resolve(flags.out as string)}${typeof flags.report === 'string' ? `; report ${resolve(flags.report)}` : ''}`,
    `train: ${evaluation.train.rows} rows, AUC ${evaluation.train.auc.toFixed(4)}, KS ${evaluation.train.ks.toFixed(4)}`,
    evaluation.test ? `test:  ${evaluation.test.rows} rows, AUC ${evaluation.test.auc.toFixed(4)}, KS ${evaluation.test.ks.toFixed(4)}, score PSI ${evaluation.psi!.psi.toFixed(4)}` : 'no test set',
    ...renderTable(['variable', 'IV', 'coefficient', 'p-value'], [...model.features].sort((a, b) => b.iv - a.iv).map((f) => [f.name, f.iv.toFixed(3), f.coefficient.toFixed(3), f.pValue.toPrecision(2)])),
  ].join('\n'));
}

export async function commandScore(argv: string[]): Promise<void> {
  const { flags } = parse(argv, { model: { type: 'string' }, features: { type: 'string' }, out: { type: 'string' } });
  if (typeof flags.model !== 'string' || typeof flags.features !== 'string' || typeof flags.out !== 'string') throw new UsageError('usage: puhui score --model model.json --features FILE --out FILE');
  const result = await runScoring(resolve(flags.model), resolve(flags.features), resolve(flags.out));
  print(flags.json === true, { ...result, out: resolve(flags.out) }, () => `Scored ${result.rows} rows (${Math.round(result.rows / Math.max(result.seconds, 1e-9))} rows/s) into ${resolve(flags.out as string)}`);
}

