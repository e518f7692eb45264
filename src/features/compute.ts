import { PuhuiUserError } from '../domain/errors.ts';
import type { Dossier } from '../domain/dossier.ts';
import { dayNumber, isIsoDate } from '../domain/period.ts';
import { compactDossier, type CompactDossier } from './compact.ts';
import { buildContext } from './context.ts';
import { FEATURES, type FeatureValue, type IndustryReference, referenceGroup, vatBurden12m } from './catalogue.ts';

export class FeatureInputError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'feature_input');
  }
}

export function asOfDayOf(asOfDate: string): number {
  if (!isIsoDate(asOfDate)) throw new FeatureInputError(`as-of date must be an ISO date YYYY-MM-DD, got '${asOfDate}'`);
  return dayNumber(asOfDate);
}

/** Every catalogue feature for one compact dossier, in catalogue order. */
export function computeFeatureVector(dossier: CompactDossier, asOfDay: number, reference: IndustryReference | null = null): FeatureValue[] {
  const ctx = buildContext(dossier, asOfDay);
  const values: FeatureValue[] = new Array(FEATURES.length);
  for (let k = 0; k < FEATURES.length; k++) {
    const value = FEATURES[k]!.compute(ctx, reference);
    values[k] = typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  return values;
}

/** The features of one enterprise as of a date, reading nothing dated after it. */
export function computeFeatures(dossier: Dossier, asOfDate: string, reference: IndustryReference | null = null): Record<string, FeatureValue> {
  const values = computeFeatureVector(compactDossier(dossier), asOfDayOf(asOfDate), reference);
  const out: Record<string, FeatureValue> = {};
  for (let k = 0; k < FEATURES.length; k++) out[FEATURES[k]!.id] = values[k]!;
  return out;
}

/** What the industry reference needs from one enterprise: its group and its VAT burden. */
export function referenceEntry(dossier: CompactDossier, asOfDay: number): { group: string; burden: number } | null {
  const ctx = buildContext(dossier, asOfDay);
  const group = referenceGroup(ctx);
  const burden = vatBurden12m(ctx);
  return group === null || burden === null ? null : { group, burden };
}

/** Groups with fewer members than this get no median (too noisy to compare against). */
export const REFERENCE_GROUP_SIZE_MIN = 5;

/** Median VAT burden per group from entries computed as of one date (so never from the future). */
export function buildIndustryReference(asOf: string, entries: Iterable<{ group: string; burden: number }>): IndustryReference {
  const byGroup = new Map<string, number[]>();
  for (const { group, burden } of entries) {
    const list = byGroup.get(group);
    if (list) list.push(burden);
    else byGroup.set(group, [burden]);
  }
  const medians = new Map<string, number>();
  for (const [group, burdens] of byGroup) {
    if (burdens.length < REFERENCE_GROUP_SIZE_MIN) continue;
    burdens.sort((a, b) => a - b);
    const mid = burdens.length >> 1;
    medians.set(group, burdens.length % 2 === 1 ? burdens[mid]! : (burdens[mid - 1]! + burdens[mid]!) / 2);
  }
  return { asOf, vatBurdenMedian: medians };
}
