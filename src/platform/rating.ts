/**
 * The platform's public credit rating (公共信用评级): an AHP expert model (rating-policy.ts) over one
 * enterprise's features as of the snapshot's date. A score is 0..100 and each indicator's contribution in
 * points says where it came from: contribution = 100 × weight × normalised value, and the contributions add
 * up to the score. A missing indicator scores the worst end of its range (src/models/ahp.ts) and is listed as
 * missing, so an enterprise sees what data would lift its rating.
 */
import type { FeatureValue } from '../features/index.ts';
import { ahpIndicatorShare, ahpScore } from '../models/ahp.ts';
import type { RatingGradeBand, RatingModel } from './rating-policy.ts';

export interface IndicatorContribution {
  dimension: string;
  feature: string;
  /** The feature's value as of the date (null: not computable, scored as the worst end). */
  value: number | null;
  /** 0..1, 1 the best end of the indicator's range. */
  normalised: number;
  weight: number;
  /** Points this indicator adds to the 0..100 score. */
  points: number;
}

export interface RatingResult {
  creditCode: string;
  asOf: string;
  modelVersion: string;
  score: number;
  grade: string;
  eligible: boolean;
  dimensions: { id: string; points: number; pointsMax: number }[];
  contributions: IndicatorContribution[];
}

/** Scores are kept to 0.01: what a report prints, and what makes stored figures exact to compare. */
const roundScore = (value: number) => Math.round(value * 100) / 100;
const roundPoints = (value: number) => Math.round(value * 10_000) / 10_000;

export function gradeOf(model: RatingModel, score: number): RatingGradeBand {
  return model.grades.find((band) => score >= band.scoreMin) ?? model.grades.at(-1)!;
}

function numeric(value: FeatureValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Rates one enterprise from its feature values (a snapshot entry's `features`). */
export function rateFeatures(model: RatingModel, creditCode: string, asOf: string, features: Readonly<Record<string, FeatureValue>>): RatingResult {
  const values: Record<string, number | null> = {};
  const contributions: IndicatorContribution[] = model.indicators.map((indicator) => {
    const value = numeric(features[indicator.feature.id]);
    values[indicator.feature.id] = value;
    const normalised = ahpIndicatorShare({ feature: indicator.feature.id, direction: indicator.direction, min: indicator.min, max: indicator.max }, value);
    return { dimension: indicator.dimension, feature: indicator.feature.id, value, normalised, weight: indicator.weight, points: roundPoints(100 * indicator.weight * normalised) };
  });
  const score = roundScore(ahpScore(model.ahp, values));
  if (!(score >= 0 && score <= 100)) throw new Error(`puhui rating: score ${score} of ${creditCode} is outside 0..100`);
  const band = gradeOf(model, score);
  return { creditCode, asOf, modelVersion: model.version, score, grade: band.grade, eligible: model.policy.eligibleGrades.includes(band.grade), dimensions: dimensionPoints(contributions), contributions };
}

/** Points per dimension (and the most it can give), in the order the contributions list them. */
export function dimensionPoints(contributions: readonly IndicatorContribution[]): RatingResult['dimensions'] {
  const dimensions = new Map<string, { id: string; points: number; pointsMax: number }>();
  for (const c of contributions) {
    const d = dimensions.get(c.dimension) ?? { id: c.dimension, points: 0, pointsMax: 0 };
    d.points += c.points;
    d.pointsMax += 100 * c.weight;
    dimensions.set(c.dimension, d);
  }
  return [...dimensions.values()].map((d) => ({ id: d.id, points: roundPoints(d.points), pointsMax: roundPoints(d.pointsMax) }));
}
