/**
 * Rescoring for the nightly close: the probability of default of a borrower as of the close date, from the
 * same model that decided (a scorecard or model file) over the features computed point in time from the
 * dataset, beside the probability as of the day its earliest open loan was booked. These feed the warning
 * strategy's W_PD_JUMP and W_PD_RISING signals through a `WarningContextSource`.
 *
 * The features of one date are computed for every enterprise of the dataset at once (the industry reference
 * is a median over all of them, so one borrower's features cannot be computed alone), then kept for the next
 * borrower of the same close: the close runs one date at a time.
 */
import { readCompactDossiers } from '../features/batch.ts';
import { asOfDayOf, buildIndustryReference, computeFeatureVector, FEATURES, referenceEntry, type FeatureValue } from '../features/index.ts';
import type { CompactDossier } from '../features/compact.ts';
import { Scorer } from '../models/scorer.ts';
import type { WarningContextSource } from './close-step.ts';

interface DateFeatures {
  byCode: Map<string, CompactDossier>;
  reference: ReturnType<typeof buildIndustryReference>;
  asOfDay: number;
  probabilities: Map<string, number | null>;
}

/** Probabilities of default as of any date, computed from a dataset with one model; a few dates are kept. */
export class Rescorer {
  private readonly scorer: Scorer;
  private readonly dates = new Map<string, Promise<DateFeatures>>();
  private static readonly DATES_KEPT = 4;

  constructor(private readonly datasetDir: string, modelFile: string) {
    this.scorer = new Scorer(modelFile);
  }

  private featuresOf(asOf: string): Promise<DateFeatures> {
    let found = this.dates.get(asOf);
    if (!found) {
      found = readCompactDossiers(this.datasetDir, asOf).then(({ codes, dossiers }) => {
        const asOfDay = asOfDayOf(asOf);
        const entries = dossiers.map((d) => referenceEntry(d, asOfDay)).filter((e) => e !== null);
        return { byCode: new Map(codes.map((c, k) => [c, dossiers[k]!])), reference: buildIndustryReference(asOf, entries), asOfDay, probabilities: new Map() };
      });
      this.dates.set(asOf, found);
      if (this.dates.size > Rescorer.DATES_KEPT) this.dates.delete(this.dates.keys().next().value!);
    }
    return found;
  }

  /** The model's probability of default for an enterprise as of a date; null when it has no data or the model gives none. */
  async probability(creditCode: string, asOf: string): Promise<number | null> {
    const date = await this.featuresOf(asOf);
    const cached = date.probabilities.get(creditCode);
    if (cached !== undefined) return cached;
    const dossier = date.byCode.get(creditCode);
    let probability: number | null = null;
    if (dossier) {
      const values = computeFeatureVector(dossier, date.asOfDay, date.reference);
      const features: Record<string, FeatureValue> = {};
      for (let k = 0; k < FEATURES.length; k++) features[FEATURES[k]!.id] = values[k]!;
      probability = this.scorer.scoreOne(features).probability;
    }
    date.probabilities.set(creditCode, probability);
    return probability;
  }

  /** A context source for the warning step: pdNow at the close date, pdAtBooking at the earliest open loan's booking. */
  context(): WarningContextSource {
    return async (creditCode, asOf, loans) => {
      const bookedOn = loans && loans.length > 0 ? loans.map((l) => l.loan.bookedOn).reduce((a, b) => (a < b ? a : b)) : null;
      return {
        pdNow: await this.probability(creditCode, asOf),
        pdAtBooking: bookedOn !== null && bookedOn <= asOf ? await this.probability(creditCode, bookedOn) : null,
      };
    };
  }
}

/** Several context sources as one: each fills its own fields. */
export function combineContexts(...sources: WarningContextSource[]): WarningContextSource {
  return async (creditCode, asOf, loans) => {
    const parts = await Promise.all(sources.map((source) => source(creditCode, asOf, loans)));
    return Object.assign({}, ...parts) as Awaited<ReturnType<WarningContextSource>>;
  };
}
