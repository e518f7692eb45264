/**
 * Routing of segments to models: a model set maps enterprises to models by rules (size, industry, region,
 * taxpayer type); the first matching rule wins, and a default catches the rest.
 */

export interface SegmentRule {
  name: string;
  model: string;
  when: {
    taxpayerType?: 'general' | 'small_scale';
    industrySections?: string[];
    /** GB/T 2260 prefixes: '33' (a province) or '3301' (a city). */
    regionPrefixes?: string[];
    salesFenMin?: number;
    salesFenMax?: number;
  };
}

export interface ModelSet { schema: 'puhui-modelset/1'; segments: SegmentRule[]; defaultModel: string }

export interface SegmentSubject { taxpayerType: string; industrySection: string; regionCode: string; salesFen12m: number | null }

export function routeModel(set: ModelSet, subject: SegmentSubject): { model: string; segment: string } {
  for (const rule of set.segments) {
    const w = rule.when;
    if (w.taxpayerType && w.taxpayerType !== subject.taxpayerType) continue;
    if (w.industrySections && !w.industrySections.includes(subject.industrySection)) continue;
    if (w.regionPrefixes && !w.regionPrefixes.some((prefix) => subject.regionCode.startsWith(prefix))) continue;
    if (w.salesFenMin !== undefined && (subject.salesFen12m === null || subject.salesFen12m < w.salesFenMin)) continue;
    if (w.salesFenMax !== undefined && (subject.salesFen12m === null || subject.salesFen12m >= w.salesFenMax)) continue;
    return { model: rule.model, segment: rule.name };
  }
  return { model: set.defaultModel, segment: 'default' };
}
