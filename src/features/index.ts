export { FEATURES, FEATURE_IDS, type FeatureSpec, type FeatureValue, type FeatureGroup, type FeatureType, type IndustryReference } from './catalogue.ts';
export { computeFeatures, computeFeatureVector, buildIndustryReference, referenceEntry, asOfDayOf, FeatureInputError, REFERENCE_GROUP_SIZE_MIN } from './compute.ts';
export { compactDossier, type CompactDossier } from './compact.ts';
