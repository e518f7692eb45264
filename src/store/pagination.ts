/**
 * Cursor pagination over (createdAt, id): stable under inserts, no OFFSET scans. A cursor is opaque to clients
 * (base64url of the last row's key) and refused with `invalid_cursor` when it does not decode.
 */
import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { InvalidRequestError } from './errors.ts';

export const PAGE_LIMIT_DEFAULT = 20;
export const PAGE_LIMIT_MAX = 100;

export interface PageRequest {
  cursor?: string | null;
  limit?: number;
  /** Newest first by default. */
  order?: 'asc' | 'desc';
  /** Column references for the key, when the query joins tables (default createdAt and id). */
  createdAtColumn?: string;
  idColumn?: string;
}

export interface Page<T> { items: T[]; nextCursor: string | null }

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the user error
  }
  throw new InvalidRequestError('the cursor is not one this service issued', 'invalid_cursor');
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return PAGE_LIMIT_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) {
    throw new InvalidRequestError(`limit must be a whole number 1..${PAGE_LIMIT_MAX}`, 'invalid_limit');
  }
  return limit;
}

/** One page of a query whose rows carry createdAt and id; the query must already be scoped to the principal. */
export async function listPage<DB, TB extends keyof DB, O extends { createdAt: string; id: string }>(
  query: SelectQueryBuilder<DB, TB, O>, request: PageRequest = {},
): Promise<Page<O>> {
  const limit = pageLimit(request.limit);
  const order = request.order ?? 'desc';
  const createdAt = sql.ref(request.createdAtColumn ?? 'createdAt');
  const id = sql.ref(request.idColumn ?? 'id');
  let paged = query;
  if (request.cursor) {
    const [afterCreatedAt, afterId] = decodeCursor(request.cursor);
    paged = order === 'desc'
      ? paged.where(sql<SqlBool>`(${createdAt}, ${id}) < (${afterCreatedAt}, ${afterId})`)
      : paged.where(sql<SqlBool>`(${createdAt}, ${id}) > (${afterCreatedAt}, ${afterId})`);
  }
  const direction = order === 'desc' ? sql`desc` : sql`asc`;
  const rows = await paged.orderBy(sql`${createdAt} ${direction}`).orderBy(sql`${id} ${direction}`).limit(limit + 1).execute();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}
