/**
 * Authentication and roles. An API key (Authorization: Bearer <key>) is looked up in the store, which keeps
 * only its SHA-256 hash, and becomes a Principal: the tenant it acts for, that tenant's kind, the key's
 * role and, for an enterprise, its credit code. Handlers say which roles may call them (`allow`); every
 * query below them is scoped by the principal's tenant.
 */
import { authenticate, type Principal, type Role, type Store } from '../store/index.ts';
import { Forbidden, HttpProblem, Unauthorized } from './problem.ts';

export type { Principal, Role };

/** Longest Authorization header value looked at; a key is far shorter. */
const AUTHORIZATION_LENGTH_MAX = 512;

export async function authenticateRequest(store: Store, authorization: string | undefined): Promise<Principal> {
  if (authorization === undefined || authorization === '') throw new Unauthorized();
  if (authorization.length > AUTHORIZATION_LENGTH_MAX) throw new Unauthorized('the Authorization header is too long');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new Unauthorized('use Authorization: Bearer <key>');
  const principal = await authenticate(store, match[1]!);
  if (!principal) throw new Unauthorized('the API key is unknown or revoked');
  return principal;
}

/** The request's principal if its role is one of `roles`; a 403 problem otherwise. */
export function allow(principal: Principal | null, roles: readonly Role[]): Principal {
  if (!principal) throw new Unauthorized();
  if (!roles.includes(principal.role)) throw new Forbidden(`a ${principal.role} key may not do this; it needs one of: ${roles.join(', ')}`);
  return principal;
}

/** An enterprise principal's own credit code (an enterprise key always has one). */
export function enterpriseCodeOf(principal: Principal): string {
  if (principal.role !== 'enterprise' || !principal.creditCode) throw new HttpProblem(403, 'forbidden', 'only an enterprise key acts for an enterprise');
  return principal.creditCode;
}
