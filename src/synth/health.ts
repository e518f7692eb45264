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
import { behaviourKindOf, type Firms, fraudKindOf, HIGH_DEGREE_RING_PREFIX } from './firms.ts';
import { Rng } from './random.ts';

const AR_RHO = 0.92;
const HEALTH_SLOPE = 1.3;
const FRAUD_HAZARD_MULTIPLIER = 5;
/**
 * The run-up to a default (docs/synthetic-economy.md, "How firms go bad"): most honest defaulters decline
 * visibly for months first; a share defaults suddenly. Assumptions shaped by the studies cited there.
 */
export const DISTRESS = {
  /** Share of honest defaulters with no visible run-up (an owner's illness, a lost key customer overnight). */
  suddenShare: 0.15,
  /** The run-up lasts this many months, uniformly (signals seen a year and more ahead in the studies). */
  monthsMin: 6,
  monthsMax: 18,
  /** Latent health lost by the month before default (linear ramp), in units of the health scale. */
  healthDrop: 2.5,
  /** Share of sales lost by the month before default on top of what lower health costs (orders dry up). */
  salesLoss: 0.6,
} as const;
export const NO_DEFAULT = -1;

export interface HealthPaths {
  /** health[i * months + t]. */
  health: Float32Array;
  /** First month in default (relative to the start), or NO_DEFAULT. */
  defaultMonth: Int32Array;
  /** Hazard intercepts before and from the observation month (each calibrated on its own cohort). */
  hazardIntercepts: [number, number];
  /** Months of visible decline before each firm's default (0: a sudden default, or no default). */
  distressMonths: Int32Array;
  /** distress[i * months + t]: how far into its run-up to default a firm is, 0 (none) … 1 (at default and after). */
  distress: Float32Array;
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
  const distress = new Float32Array(firms.count * months);
  const distressMonths = paintDistress(firms, health, distress, defaultMonth, new Rng(config.seed, 'distress'));
  return { health, defaultMonth, hazardIntercepts: intercepts, distressMonths, distress };
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

/**
 * Lowers the latent health of each honest defaulter over the months before its default (and keeps it low
 * after), so sales, bank inflows, filings, arrears, lawsuits and bureau inquiries — all driven by health —
 * deteriorate the way they do before real defaults. The default months are drawn first from the undisturbed
 * paths, so the calibrated bad rate and every default label stay exactly as they were; the draws come from
 * their own stream. Fraud firms bust out (sudden by design) and keep no run-up.
 */
function paintDistress(firms: Firms, health: Float32Array, distress: Float32Array, defaultMonth: Int32Array, rng: Rng): Int32Array {
  const months = firms.months;
  const distressMonths = new Int32Array(firms.count);
  for (let i = 0; i < firms.count; i++) {
    const sudden = rng.next() < DISTRESS.suddenShare;
    const length = DISTRESS.monthsMin + Math.floor(rng.next() * (DISTRESS.monthsMax - DISTRESS.monthsMin + 1));
    const d = defaultMonth[i]!;
    if (d === NO_DEFAULT || sudden || behaviourKindOf(firms, i) !== 'none') continue;
    const start = Math.max(firms.firstMonth[i]!, d - length);
    distressMonths[i] = d - start;
    for (let t = start; t < months; t++) {
      const depth = t >= d ? 1 : (t - start + 1) / (d - start);
      health[i * months + t] = health[i * months + t]! - DISTRESS.healthDrop * depth;
      distress[i * months + t] = depth;
    }
  }
  return distressMonths;
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
