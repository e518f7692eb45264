/**
 * Champion/challenger assignment. An enterprise's arm depends only on the experiment id and its credit
 * code (SHA-256, first 32 bits), so it is the same on every run, in every process, and independent of
 * the order applications arrive in; a new experiment id reshuffles everyone.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { createHash } from 'node:crypto';
import type { Strategy } from './strategy.ts';

export type Arm = 'champion' | 'challenger';

export interface Experiment {
  id: string;
  challenger: Strategy;
  /** Share of enterprises assigned to the challenger, 0..1. */
  share: number;
  /** shadow: the champion acts for everyone and the challenger only records; live: the challenger acts for its share. */
  mode: 'shadow' | 'live';
}

export class ExperimentError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'experiment');
  }
}

export function checkExperiment(experiment: Experiment): Experiment {
  if (experiment.id.trim() === '') throw new ExperimentError('an experiment needs a non-empty id');
  if (!(experiment.share >= 0 && experiment.share <= 1)) throw new ExperimentError(`challenger share must be between 0 and 1, got ${experiment.share}`);
  if (experiment.mode !== 'shadow' && experiment.mode !== 'live') throw new ExperimentError(`experiment mode must be shadow or live, got ${String(experiment.mode)}`);
  return experiment;
}

/** The enterprise's position in [0, 1) for this experiment. */
export function splitPosition(experimentId: string, creditCode: string): number {
  const digest = createHash('sha256').update(`${experimentId}\u0000${creditCode}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export function armOf(experiment: Pick<Experiment, 'id' | 'share'>, creditCode: string): Arm {
  return splitPosition(experiment.id, creditCode) < experiment.share ? 'challenger' : 'champion';
}
