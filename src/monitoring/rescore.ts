/**
 * Rescoring for the nightly close: the probability of default of a borrower as of the close date, from the
 * same model that decided (a scorecard or model file) over the features computed point in time from the
 * dataset, beside the probability as of the day its earliest open loan was booked. These feed the warning
 * strategy's W_PD_JUMP and W_PD_RISING signals through a `WarningContextSource`.
 *
 * The dossiers come from the same source the warning step reads (read once per date); the industry reference
 * of a date is a median over all of its enterprises, so it is built once per date and kept with the
 * probabilities computed on it for the next borrower of the same close.
 */
import { asOfDayOf, buildIndustryReference, computeFeatureVector, FEATURES, referenceEntry, type FeatureValue } from '../features/index.ts';
import type { CompactDossier } from '../features/compact.ts';
import { Scorer } from '../models/scorer.ts';
import type { DatasetDossiers, WarningContextSource } from './close-step.ts';

interface DateFeatures {
  byCode: ReadonlyMap<string, CompactDossier>;
  reference: ReturnType<typeof buildIndustryReference>;
  asOfDay: number;
  probabilities: Map<string, number | null>;
}

/** Probabilities of default as of any date, computed from a dataset's dossiers with one model; a few dates are kept. */
export class Rescorer {
  private readonly scorer: Scorer;
  private readonly dates = new Map<string, Promise<DateFeatures>>();
  private static readonly DATES_KEPT = 4;

  constructor(private readonly dossiers: DatasetDossiers, modelFile: string) {
    this.scorer = new Scorer(modelFile);
  }

  private featuresOf(asOf: string): Promise<DateFeatures> {
    let found = this.dates.get(asOf);
    if (!found) {
      found = this.dossiers.dossiersAt(asOf).then((byCode) => {
        const asOfDay = asOfDayOf(asOf);
        const entries = [...byCode.values()].map((d) => referenceEntry(d, asOfDay)).filter((e) => e !== null);
        return { byCode, reference: buildIndustryReference(asOf, entries), asOfDay, probabilities: new Map() };
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
