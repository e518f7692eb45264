/**
 * Post-loan monitoring: early warnings (red/yellow/green from fresh data through a JDM strategy), their lead
 * time on labelled data, the annual review of a line, score and feature stability (PSI/CSI), vintage curves
 * and roll rates, and the HTML report. docs/monitoring.md.
 */
export { WARNING_ACTIONS, WARNING_CODES, WARNING_LEVELS, renderWarningCodes, type WarningAction, type WarningCode, type WarningLevel, type WarningReason } from './reasons.ts';
export { warningSignals, type WarningSignals } from './signals.ts';
export { DEFAULT_WARNING_STRATEGY, loadWarningStrategy, parseWarningStrategy, runWarningStrategyTests, WarningEngine, type WarningInput, type WarningOutcome } from './strategy.ts';
export { evaluateWarnings, warningInput, type Evidence, type Warning, type WarningContext } from './warnings.ts';
export { datasetDossierSource, ringContext, ringMembersOf, warningCloseStep, WARNING_STEP, type DossierSource, type WarningContextSource } from './close-step.ts';
export { DEFAULT_MONITORING_POLICY, loadMonitoringPolicy, parseMonitoringPolicy, MonitoringPolicyError, type MonitoringPolicy } from './policy.ts';
export { measureLeadTime, type LeadTimeReport } from './leadtime.ts';
export { annualReview, type ReviewInput, type ReviewOutcome, type ReviewResult } from './review.ts';
export { characteristicStability, chiSquareQuantile, psiCriticalValue, stabilityOf, StabilityInputError, type StabilityResult, type StabilityVerdict } from './stability.ts';
export { PortfolioInputError, rollRates, vintageCurves, type LoanMonthRow, type RollRateMatrix, type Vintage } from './portfolio.ts';
export { renderPortfolioReport, type PortfolioReport } from './report.ts';
export { warnPortfolio, type PortfolioWarnings } from './portfolio-warnings.ts';
