/**
 * Errors as RFC 9457 problem documents (application/problem+json). Every error the service sends has a
 * stable `code`: a PuhuiUserError's own code, or one of the service's codes below. A client branches on
 * `code`, never on `title` or `detail` (texts for people). Anything that is not a known error is a defect:
 * the client sees a 500 with the request id and nothing of the internals; the log keeps the stack.
 */
import { PuhuiUserError } from '../domain/errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** An error the service answers with a given HTTP status. */
export class HttpProblem extends PuhuiUserError {
  constructor(readonly status: number, code: string, message: string, readonly errors?: ProblemFieldError[]) {
    super(message, code);
  }
}

export interface ProblemFieldError { path: string; message: string }

export class Unauthorized extends HttpProblem {
  constructor(message = 'an API key is required: Authorization: Bearer <key>') { super(401, 'unauthorized', message); }
}
export class Forbidden extends HttpProblem {
  constructor(message: string) { super(403, 'forbidden', message); }
}
export class NotFound extends HttpProblem {
  constructor(what: string) { super(404, 'not_found', `${what} not found`); }
}
export class Conflict extends HttpProblem {
  constructor(code: string, message: string) { super(409, code, message); }
}
/** The database did not answer in time or refused the connection: retry later, nothing was half-done. */
export class ServiceUnavailable extends HttpProblem {
  constructor(message = 'the database is unavailable; try again shortly') { super(503, 'database_unavailable', message); }
}

/**
 * HTTP status for the codes of user errors raised below the service (store, snapshot, decision). A user
 * error whose code is not listed is a bad request (400).
 */
const STATUS_BY_CODE: Record<string, number> = {
  consent_required: 403,
  forbidden: 403,
  not_found: 404,
  idempotency_conflict: 409,
  conflict: 409,
  consent_state: 409,
  snapshot_missing: 409,
  unknown_enterprise: 404,
};

export function statusOfUserError(error: PuhuiUserError): number {
  if (error instanceof HttpProblem) return error.status;
  return STATUS_BY_CODE[error.code] ?? 400;
}

const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed',
  406: 'Not acceptable', 409: 'Conflict', 413: 'Content too large', 415: 'Unsupported media type',
  422: 'Unprocessable content', 429: 'Too many requests', 500: 'Internal error', 503: 'Service unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance: string;
  requestId: string;
  errors?: ProblemFieldError[];
}

export function problemOf(input: { status: number; code: string; detail: string; instance: string; requestId: string; errors?: ProblemFieldError[] }): Problem {
  return {
    type: `https://puhui.dev/problems/${input.code}`,
    title: TITLES[input.status] ?? (input.status >= 500 ? 'Server error' : 'Client error'),
    status: input.status,
    code: input.code,
    detail: input.detail,
    instance: input.instance,
    requestId: input.requestId,
    ...(input.errors && input.errors.length > 0 ? { errors: input.errors } : {}),
  };
}
