/**
 * A slow or failing database must give the client a clear 503, never a hang or a 500. Two guards: the
 * app answers any request still unanswered at its deadline with a 503 (app.ts), and errors that mean "the
 * database is not there" — the store's own judgement, `isUnavailable` — become ServiceUnavailable.
 * `withinDeadline` is the same guard for one piece of work with a shorter deadline (the health check).
 */
import { isUnavailable } from '../store/index.ts';
import { ServiceUnavailable } from './problem.ts';

/**
 * SQLSTATEs the service also counts as unavailable beyond the store's list: the database does not exist (it
 * was dropped or the URL names a database not yet created) or refuses this login — a deployment failure
 * the client cannot fix, so a 503, not a 4xx or a 500.
 */
const DEPLOYMENT_SQLSTATES = new Set(['3D000', '28000', '28P01']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (isUnavailable(error)) return true;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && DEPLOYMENT_SQLSTATES.has(code);
}

/**
 * Run `work` and give up after `deadlineMs` with a 503. The work itself is not cancelled (the store's
 * pool and statement timeouts end it); the client is answered on time either way.
 */
export async function withinDeadline<T>(work: () => Promise<T>, deadlineMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceUnavailable(`${what} did not finish within ${deadlineMs} ms; the database may be slow or unavailable`)), deadlineMs);
  });
  try {
    return await Promise.race([work(), expired]);
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw new ServiceUnavailable();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
