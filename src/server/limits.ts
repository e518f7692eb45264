/**
 * The service's limits, each with its unit. Defaults suit one process on a small machine; `puhui serve`
 * and tests may lower or raise them. Every one exists so that no client can make the service unbounded.
 */
export interface ServiceLimits {
  /** Largest request body accepted (413 above it). */
  bodyBytesMax: number;
  /** Requests one API key may make per window (429 above it). */
  requestsPerWindowPerKey: number;
  /** The rate-limit window. */
  rateWindowMs: number;
  /** Longest time one request may wait on the database before the client gets a 503. */
  requestDeadlineMs: number;
  /** Rows in one intake batch. */
  intakeRowsMax: number;
}

export const DEFAULT_LIMITS: ServiceLimits = {
  bodyBytesMax: 2 * 1024 * 1024,
  requestsPerWindowPerKey: 6000,
  rateWindowMs: 60_000,
  requestDeadlineMs: 5_000,
  intakeRowsMax: 5_000,
};
