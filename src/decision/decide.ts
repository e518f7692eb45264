/**
 * A decision: the strategy's verdict on one application, with everything needed to explain and replay it
 * (the strategy's version and hash, the model score, the fraud summary, the reasons and, on request, the
 * trace). With an experiment, both arms are evaluated and kept; the arm says which one acts.
 */
import type { FeatureValue } from '../features/index.ts';
import type { StrategyEngine, StrategyResult } from './engine.ts';
import { marketOn, NO_FRAUD, type Application, type EnterpriseProfile, type FraudSummary, type ModelSummary, type SelfProofSummary, type StrategyInput } from './inputs.ts';
import { armOf, checkExperiment, type Arm, type Experiment } from './split.ts';
import type { Strategy } from './strategy.ts';

export interface DecisionRecord {
  creditCode: string;
  asOf: string;
  application: Application;
  arm: Arm;
  /** The result that acts. */
  decision: StrategyResult;
  /** The other arm's result, recorded and not acted on (null without an experiment). */
  shadow: StrategyResult | null;
  model: ModelSummary | null;
  fraud: FraudSummary;
  /** The rest of what the strategies saw: registration, the features they read, and the market. */
  enterprise: EnterpriseProfile;
  features: Record<string, FeatureValue>;
  market: StrategyInput['market'];
  /** Self-proof evidence the application named (absent: none). */
  selfProof?: SelfProofSummary;
}

/** The input a decision was made on, rebuilt from its record: evaluating it again gives the same decision. */
export function recordedInput(record: DecisionRecord): StrategyInput {
  return {
    asOf: record.asOf, application: record.application, enterprise: record.enterprise, features: record.features, fraud: record.fraud, model: record.model, market: record.market,
    ...(record.selfProof ? { selfProof: record.selfProof } : {}),
  };
}

export interface Applicant {
  asOf: string;
  application: Application;
  enterprise: EnterpriseProfile;
  features: Record<string, FeatureValue>;
  fraud: FraudSummary | null;
  model: ModelSummary | null;
  selfProof?: SelfProofSummary;
}

export function strategyInput(applicant: Applicant): StrategyInput {
  return { ...applicant, fraud: applicant.fraud ?? NO_FRAUD, market: marketOn(applicant.asOf) };
}

export interface DecisionOptions { champion: Strategy; experiment?: Experiment | null; trace?: boolean }

export class DecisionService {
  private readonly experiment: Experiment | null;
  /** Features a record keeps: those the strategies read (null: they read them all). */
  private readonly featuresKept: string[] | null;

  constructor(private readonly engine: StrategyEngine, private readonly options: DecisionOptions) {
    this.experiment = options.experiment ? checkExperiment(options.experiment) : null;
    const read = [options.champion.featuresRead, this.experiment?.challenger.featuresRead ?? []];
    this.featuresKept = read.some((r) => r === null) ? null : [...new Set(read.flat() as string[])].sort();
  }

  async decide(applicant: Applicant): Promise<DecisionRecord> {
    return (await this.decideMany([applicant]))[0]!;
  }

  /** Decisions for many applicants, in their order; the engine runs them concurrently in bounded batches. */
  async decideMany(applicants: readonly Applicant[]): Promise<DecisionRecord[]> {
    const inputs = applicants.map(strategyInput);
    const trace = { trace: this.options.trace === true };
    const [champion, challenger] = await Promise.all([
      this.engine.evaluateMany(this.options.champion, inputs, trace),
      this.experiment ? this.engine.evaluateMany(this.experiment.challenger, inputs, trace) : null,
    ]);
    return applicants.map((a, k) => {
      const arm: Arm = this.experiment && this.experiment.mode === 'live' ? armOf(this.experiment, a.enterprise.creditCode) : 'champion';
      const acting = arm === 'challenger' ? challenger![k]! : champion[k]!;
      const shadow = challenger ? (arm === 'challenger' ? champion[k]! : challenger[k]!) : null;
      const features = this.featuresKept ? Object.fromEntries(this.featuresKept.map((id) => [id, a.features[id] ?? null])) : a.features;
      return {
        creditCode: a.enterprise.creditCode, asOf: a.asOf, application: a.application, arm, decision: acting, shadow,
        model: a.model, fraud: inputs[k]!.fraud, enterprise: a.enterprise, features, market: inputs[k]!.market,
        ...(a.selfProof ? { selfProof: a.selfProof } : {}),
      };
    });
  }
}
