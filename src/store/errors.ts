/**
 * The store's errors. Those caused by what a caller asked for are PuhuiUserError subclasses with a stable code the
 * HTTP service maps to a problem document (consent_required → 403, not_found → 404, conflict → 409, invalid → 400).
 * A database that is down, refuses connections or is too slow is not the user's fault: StoreUnavailableError
 * (code `store_unavailable`) is deliberately NOT a user error, so the service answers 503 instead of 4xx.
 */
import { PuhuiUserError } from '../domain/errors.ts';

export class ConsentRequiredError extends PuhuiUserError {
  constructor(message: string) { super(message, 'consent_required'); }
}

export class NotFoundError extends PuhuiUserError {
  constructor(message: string) { super(message, 'not_found'); }
}

export class ConflictError extends PuhuiUserError {
  constructor(message: string) { super(message, 'conflict'); }
}

/** A request the store refuses as malformed (an unknown scope, a batch too large, an illegal transition …). */
export class InvalidRequestError extends PuhuiUserError {
  constructor(message: string, code = 'invalid_request') { super(message, code); }
}

/** The principal may not do this at all (wrong tenant kind or role), independent of consent. */
export class ForbiddenError extends PuhuiUserError {
  constructor(message: string) { super(message, 'forbidden'); }
}

export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** PostgreSQL SQLSTATE classes and codes that mean "the database cannot serve now", not "the query is wrong". */
const UNAVAILABLE_SQLSTATES = new Set([
  '57014', // query_canceled (statement_timeout)
  '57P01', '57P02', '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now
  '53300', '53400', // too_many_connections, configuration_limit_exceeded
  '55P03', // lock_not_available (lock_timeout)
  '40P01', // deadlock_detected: retryable, not the caller's fault
]);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated', 'timeout exceeded when trying to connect', 'Query read timeout',
  'Client has encountered a connection error', 'Connection terminated unexpectedly', 'PGlite is closed',
  'Cannot use a pool after calling end', 'driver has already been destroyed',
];

/** True when an error (from pg, PGlite or the network) means the database is down, unreachable or too slow. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || UNAVAILABLE_NODE_CODES.has(code))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m));
}

/** The error a caller should see: StoreUnavailableError for an unavailable database, the error itself otherwise. */
export function mapStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  const detail = (error as { message?: string }).message ?? String(error);
  return new StoreUnavailableError(`the database is unavailable or too slow: ${detail}`, { cause: error });
}

/** SQLSTATE 23505: a unique constraint refused the row. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
