export { generateEconomy, GENERATOR_VERSION, type SynthProgress, type SynthResult, type SynthStage } from './generate.ts';
export { DEFAULT_SYNTH_CONFIG, INDUSTRY_PROFILES, observationMonthOf, startMonthOf, SynthConfigError, validateSynthConfig, type SynthConfig } from './config.ts';
