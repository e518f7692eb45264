/**
 * One credit decision from a snapshot: the enterprise's entry (features, fraud summary, profile) is read
 * from the snapshot, scored by the routed model and evaluated by the strategy (and its challenger), in
 * about a millisecond; nothing of the dataset is read or recomputed. The record keeps every input the
 * strategies saw, so `replayDecision` can evaluate it again later, in any process, and must agree.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PuhuiUserError } from '../domain/errors.ts';
import { DecisionService, recordedInput, type Applicant, type DecisionRecord } from '../decision/decide.ts';
import { StrategyEngine, type StrategyResult } from '../decision/engine.ts';
import { modelSummary, type Application, type SelfProofSummary } from '../decision/inputs.ts';
import { armOf, checkExperiment, type Experiment } from '../decision/split.ts';
import { loadStrategy, type Strategy } from '../decision/strategy.ts';
import { Scorer } from '../models/scorer.ts';
import type { Snapshot } from './snapshot.ts';

export const STRATEGIES_DIR = fileURLToPath(new URL('../../strategies/', import.meta.url));
export const DEFAULT_STRATEGY_FILE = join(STRATEGIES_DIR, 'tax-loan.json');
export const TERM_MONTHS_MAX = 360;

export class ApplicationError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'application');
  }
}

export class ReplayError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'replay');
  }
}

export interface OnlineApplication {
  creditCode: string; product?: string; amountFen?: number | null; termMonths?: number | null;
  /** Self-proof evidence from the verified readings the application names (src/selfproof). */
  selfProof?: SelfProofSummary;
}

export interface OnlineOptions {
  /** The champion: a strategy file or a loaded strategy; default the shipped strategy of the product (tax-loan). */
  strategy?: string | Strategy;
  challenger?: string | Strategy;
  /** Share of enterprises on the challenger, 0..1 (default 0.5, as the CLI). */
  share?: number;
  mode?: Experiment['mode'];
  /** Experiment id (the split's salt); default `champion@version-vs-challenger@version`, as the CLI. */
  experimentId?: string;
  /** A scorecard, AHP model or model set; without one the strategy sees no score. */
  modelFile?: string | null;
  trace?: boolean;
}

/** A decision made online: the decision record of src/decision, the snapshot it read and the experiment it ran in. */
export interface OnlineDecisionRecord extends DecisionRecord {
  snapshot: { id: string; asOf: string; refreshed: boolean };
  experiment: { id: string; share: number; mode: Experiment['mode'] } | null;
}

// Caches only of what files hold: strategies (a strategy's identity is its hash, kept in every record) and model
// files, each read again when its file changes, and the engine's compiled graphs (by hash). No decision depends
// on what an earlier request did.
const strategiesByFile = new Map<string, { strategy: Strategy; version: string }>();
const strategiesByHash = new Map<string, Strategy>();
const scorers = new Map<string, { scorer: Scorer; version: string }>();
let sharedEngine: StrategyEngine | null = null;

function engine(): StrategyEngine {
  return (sharedEngine ??= new StrategyEngine());
}

/** Releases the shared rules engine (a process that decides again gets a new one). */
export function disposeOnlineEngine(): void {
  sharedEngine?.dispose();
  sharedEngine = null;
}

function remember(strategy: Strategy): Strategy {
  strategiesByHash.set(strategy.hash, strategy);
  return strategy;
}

/** A file's version as the file system tells it: a cached strategy or model is read again when its file changes. */
function versionOf(path: string): string {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : 'missing';
}

function strategyOf(source: string | Strategy): Strategy {
  if (typeof source !== 'string') return remember(source);
  const path = resolve(source);
  const version = versionOf(path);
  let cached = strategiesByFile.get(path);
  if (!cached || cached.version !== version) strategiesByFile.set(path, (cached = { strategy: loadStrategy(path), version }));
  return remember(cached.strategy);
}

let shipped: Strategy[] | null = null;
function shippedStrategies(): Strategy[] {
  return (shipped ??= readdirSync(STRATEGIES_DIR).filter((f) => f.endsWith('.json')).sort().map((f) => strategyOf(join(STRATEGIES_DIR, f))));
}

function championFor(product: string | undefined, source: OnlineOptions['strategy']): Strategy {
  if (source !== undefined) {
    const strategy = strategyOf(source);
    if (product !== undefined && product !== strategy.header.product) throw new ApplicationError(`strategy ${strategy.header.id} decides product ${strategy.header.product}, not ${product}`);
    return strategy;
  }
  if (product === undefined) return strategyOf(DEFAULT_STRATEGY_FILE);
  // The shipped strategy of a product is the file named after it: tax_loan → strategies/tax-loan.json.
  const file = join(STRATEGIES_DIR, `${product.replaceAll('_', '-')}.json`);
  const products = () => [...new Set(shippedStrategies().map((s) => s.header.product))].sort().join(', ');
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(product) || !existsSync(file)) throw new ApplicationError(`no strategy for product ${JSON.stringify(product)}; products: ${products()}`);
  const strategy = strategyOf(file);
  if (strategy.header.product !== product) throw new ApplicationError(`${file} decides product ${strategy.header.product}, not ${product}`);
  return strategy;
}

function scorerOf(modelFile: string | null | undefined): Scorer | null {
  if (!modelFile) return null;
  const path = resolve(modelFile);
  const version = versionOf(path);
  let cached = scorers.get(path);
  if (!cached || cached.version !== version) scorers.set(path, (cached = { scorer: new Scorer(path), version }));
  return cached.scorer;
}

function experimentOf(champion: Strategy, options: OnlineOptions): Experiment | null {
  if (options.challenger === undefined) {
    if (options.share !== undefined || options.mode !== undefined) throw new ApplicationError('share and mode need a challenger strategy');
    return null;
  }
  const challenger = strategyOf(options.challenger);
  return checkExperiment({
    id: options.experimentId ?? `${champion.header.id}@${champion.header.version}-vs-${challenger.header.id}@${challenger.header.version}`,
    challenger, share: options.share ?? 0.5, mode: options.mode ?? 'shadow',
  });
}

export function checkApplication(application: OnlineApplication): Application & { creditCode: string } {
  const { creditCode, amountFen = null, termMonths = null } = application;
  if (typeof creditCode !== 'string' || creditCode.trim() === '') throw new ApplicationError('an application names the enterprise by its credit code');
  if (amountFen !== null && !(Number.isSafeInteger(amountFen) && amountFen > 0)) throw new ApplicationError(`amountFen is the amount asked for in fen, a whole number above 0, got ${JSON.stringify(amountFen)}`);
  if (termMonths !== null && !(Number.isInteger(termMonths) && termMonths >= 1 && termMonths <= TERM_MONTHS_MAX)) throw new ApplicationError(`termMonths must be a whole number of months, 1..${TERM_MONTHS_MAX}, got ${JSON.stringify(termMonths)}`);
  return { creditCode: creditCode.trim().toUpperCase(), product: application.product ?? '', amountFen, termMonths };
}

/** One enterprise of a snapshot as an applicant (its entry, the routed model score). */
export function applicantOf(snapshot: Snapshot, creditCode: string, application: Application, scorer: Scorer | null): Applicant & { refreshed: boolean } {
  const entry = snapshot.entry(creditCode);
  return {
    asOf: snapshot.info.asOf, application, enterprise: entry.enterprise, features: entry.features, fraud: entry.fraud,
    model: modelSummary(scorer ? scorer.scoreOne(entry.features) : null), refreshed: entry.refreshed,
  };
}

/** Decides one application from the snapshot; champion/challenger as `puhui decide`. */
export async function decideOnline(snapshot: Snapshot, application: OnlineApplication, options: OnlineOptions = {}): Promise<OnlineDecisionRecord> {
  const checked = checkApplication(application);
  const champion = championFor(application.product, options.strategy);
  const experiment = experimentOf(champion, options);
  const applicant = applicantOf(snapshot, checked.creditCode, { product: champion.header.product, amountFen: checked.amountFen, termMonths: checked.termMonths }, scorerOf(options.modelFile));
  const { refreshed, ...decided } = applicant;
  const record = await new DecisionService(engine(), { champion, experiment, trace: options.trace === true })
    .decide(application.selfProof ? { ...decided, selfProof: application.selfProof } : decided);
  return {
    ...record,
    snapshot: { id: snapshot.info.id, asOf: snapshot.info.asOf, refreshed },
    experiment: experiment ? { id: experiment.id, share: experiment.share, mode: experiment.mode } : null,
  };
}

export interface ReplayResult {
  agrees: boolean;
  original: { decision: StrategyResult; shadow: StrategyResult | null; arm: DecisionRecord['arm'] };
  replayed: { decision: StrategyResult; shadow: StrategyResult | null; arm: DecisionRecord['arm'] };
  /** What differs, one line each (empty when it agrees). */
  differences: string[];
}

function strategyByHash(hash: string, extra: readonly (string | Strategy)[]): Strategy {
  for (const source of extra) strategyOf(source);
  const known = strategiesByHash.get(hash) ?? (shippedStrategies(), strategiesByHash.get(hash));
  if (!known) throw new ReplayError(`the decision was made by strategy #${hash.slice(0, 12)}, which this process does not have: pass its file`);
  return known;
}

/** The parts of a strategy result that make the decision, in a comparable form. */
function verdict(result: StrategyResult): Record<string, unknown> {
  return {
    strategy: result.strategy.hash, outcome: result.outcome, riskGrade: result.riskGrade, limitFen: result.limitFen, rateBps: result.rateBps, termMonths: result.termMonths,
    reasons: result.reasons.map((r) => r.code), ...(result.trace ? { trace: result.trace } : {}),
  };
}

function differencesOf(label: string, before: StrategyResult | null, after: StrategyResult | null): string[] {
  if (before === null || after === null) return before === after ? [] : [`${label}: ${before ? 'recorded' : 'absent'} before, ${after ? 'present' : 'absent'} now`];
  const a = verdict(before);
  const b = verdict(after);
  return Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${label}.${k}: ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
}

/**
 * Evaluates a decision record again on the inputs it recorded, with the strategies its hashes name (the
 * shipped ones, those this process has loaded, or `strategies`), and compares verdict, reasons, trace and arm.
 */
export async function replayDecision(record: DecisionRecord & Partial<Pick<OnlineDecisionRecord, 'experiment'>>, options: { strategies?: readonly (string | Strategy)[] } = {}): Promise<ReplayResult> {
  const extra = options.strategies ?? [];
  const input = recordedInput(record);
  const trace = { trace: record.decision.trace !== undefined };
  const acting = await engine().evaluate(strategyByHash(record.decision.strategy.hash, extra), input, trace);
  const shadow = record.shadow ? await engine().evaluate(strategyByHash(record.shadow.strategy.hash, extra), input, { trace: record.shadow.trace !== undefined }) : null;
  const differences = [...differencesOf('decision', record.decision, acting), ...differencesOf('shadow', record.shadow, shadow)];
  const experiment = record.experiment ?? null;
  const arm = experiment && experiment.mode === 'live' ? armOf(experiment, record.creditCode) : 'champion';
  if (experiment && arm !== record.arm) differences.push(`arm: ${record.arm} → ${arm}`);
  return { agrees: differences.length === 0, original: { decision: record.decision, shadow: record.shadow, arm: record.arm }, replayed: { decision: acting, shadow, arm: experiment ? arm : record.arm }, differences };
}
