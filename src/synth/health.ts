/**
 * Step 2: a latent health per enterprise and month, and the defaults it drives.
 *
 * health(i,t) = base(i) + idiosyncratic AR(1) + industry shock(t) + regional shock(t). The monthly
 * default hazard is logistic(a - 1.3 health), with the intercept a found by bisection so that the
 * 12-month default rate lands on the configured bad rate. Fraud firms bust out after the observation
 * month with a higher hazard (and never default before it: they file until they apply); they are part of
 * the calibration, so the overall rate still holds.
 */
import { INDUSTRY_PROFILES, type SynthConfig } from './config.ts';
import { type Firms, fraudKindOf, HIGH_DEGREE_RING_PREFIX } from './firms.ts';
import { Rng } from './random.ts';

const AR_RHO = 0.92;
const HEALTH_SLOPE = 1.3;
const FRAUD_HAZARD_MULTIPLIER = 5;
export const NO_DEFAULT = -1;

export interface HealthPaths {
  /** health[i * months + t]. */
  health: Float32Array;
  /** First month in default (relative to the start), or NO_DEFAULT. */
  defaultMonth: Int32Array;
  /** Hazard intercepts before and from the observation month (each calibrated on its own cohort). */
  hazardIntercepts: [number, number];
}

export function simulateHealth(firms: Firms, config: SynthConfig): HealthPaths {
  const rng = new Rng(config.seed, 'health');
  const months = firms.months;
  const industryShock = shockPaths(rng, INDUSTRY_PROFILES.length, months, 0.18);
  const provinces = [...new Set(firms.region.map((r) => r.slice(0, 2)))].sort();
  const provinceIndex = new Map(provinces.map((p, k) => [p, k]));
  const regionShock = shockPaths(rng, provinces.length, months, 0.1);
  const health = new Float32Array(firms.count * months);
  const innovation = Math.sqrt(1 - AR_RHO * AR_RHO) * 0.7;
  for (let i = 0; i < firms.count; i++) {
    let own = 0.7 * rng.normal();
    const p = firms.profile[i]!;
    const r = provinceIndex.get(firms.region[i]!.slice(0, 2))!;
    for (let t = 0; t < months; t++) {
      own = AR_RHO * own + innovation * rng.normal();
      health[i * months + t] = firms.healthBase[i]! + own + industryShock[p * months + t]! + regionShock[r * months + t]!;
    }
  }
  const multiplier = hazardMultipliers(firms);
  const before = calibrateIntercept(firms, health, multiplier, config.badRate, firms.observationIndex - 12);
  const after = calibrateIntercept(firms, health, multiplier, config.badRate, firms.observationIndex);
  const intercepts: [number, number] = [before ?? after ?? 0, after ?? before ?? 0];
  const defaultMonth = drawDefaults(firms, health, multiplier, intercepts, new Rng(config.seed, 'defaults'));
  return { health, defaultMonth, hazardIntercepts: intercepts };
}

function shockPaths(rng: Rng, groups: number, months: number, sigma: number): Float32Array {
  const paths = new Float32Array(groups * months);
  for (let g = 0; g < groups; g++) {
    let level = 0;
    for (let t = 0; t < months; t++) {
      level = 0.85 * level + sigma * Math.sqrt(1 - 0.85 * 0.85) * rng.normal();
      paths[g * months + t] = level;
    }
  }
  return paths;
}

/** multiplier[i * months + t] on the default hazard; fraud firms bust out after the observation month. */
function hazardMultipliers(firms: Firms): Float32Array {
  const months = firms.months;
  const multiplier = new Float32Array(firms.count * months).fill(1);
  for (let i = 0; i < firms.count; i++) {
    if (fraudKindOf(firms, i) === 'none' || firms.fraudGroup[i]?.startsWith(HIGH_DEGREE_RING_PREFIX)) continue;
    // A fraudster keeps filing until it applies (the observation date), then busts out.
    for (let t = 0; t < months; t++) multiplier[i * months + t] = t < firms.observationIndex ? 0 : FRAUD_HAZARD_MULTIPLIER;
  }
  return multiplier;
}

function hazard(intercept: number, health: number, multiplier: number): number {
  const base = 1 / (1 + Math.exp(-(intercept - HEALTH_SLOPE * health)));
  return Math.min(0.5, base * multiplier);
}

/** Expected share of the firms trading at a month that default within the next 12 months. */
function expectedAnnualRate(firms: Firms, health: Float32Array, multiplier: Float32Array, intercept: number, start: number): number {
  const months = firms.months;
  let rateSum = 0;
  let cohort = 0;
  for (let i = 0; i < firms.count; i++) {
    if (firms.firstMonth[i]! > start) continue;
    let survive = 1;
    for (let t = start; t < start + 12; t++) survive *= 1 - hazard(intercept, health[i * months + t]!, multiplier[i * months + t]!);
    rateSum += 1 - survive;
    cohort++;
  }
  return rateSum / Math.max(1, cohort);
}

/** The intercept that puts a cohort's 12-month default rate on the target, or null without such a cohort. */
function calibrateIntercept(firms: Firms, health: Float32Array, multiplier: Float32Array, badRate: number, start: number): number | null {
  if (start < 0 || start + 12 > firms.months) return null;
  let low = -15;
  let high = 0;
  for (let iteration = 0; iteration < 40; iteration++) {
    const mid = (low + high) / 2;
    if (expectedAnnualRate(firms, health, multiplier, mid, start) < badRate) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

function drawDefaults(firms: Firms, health: Float32Array, multiplier: Float32Array, intercepts: [number, number], rng: Rng): Int32Array {
  const months = firms.months;
  const defaultMonth = new Int32Array(firms.count).fill(NO_DEFAULT);
  for (let i = 0; i < firms.count; i++) {
    for (let t = firms.firstMonth[i]!; t < months; t++) {
      const intercept = intercepts[t < firms.observationIndex ? 0 : 1];
      if (rng.next() < hazard(intercept, health[i * months + t]!, multiplier[i * months + t]!)) {
        defaultMonth[i] = t;
        break;
      }
    }
  }
  return defaultMonth;
}
