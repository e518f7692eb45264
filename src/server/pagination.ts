/**
 * Cursor pagination: a page is `{ items, nextCursor }`; the cursor is opaque to the client (base64url of
 * the last item's id) and null on the last page. Keyset, not offset: rows appended while a client pages
 * never shift or repeat items.
 */
import { z } from 'zod';
import { HttpProblem } from './problem.ts';

export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;
const CURSOR_LENGTH_MAX = 200;

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
  cursor: z.string().max(CURSOR_LENGTH_MAX).regex(/^[A-Za-z0-9_-]*$/).optional(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (decoded.length === 0 || encodeCursor(decoded) !== cursor) throw new HttpProblem(400, 'bad_cursor', 'the cursor is not one this service gave out');
  return decoded;
}

/** A page from up to limit + 1 rows ordered by id: the extra row only says that there is a next page. */
export function pageFrom<R extends { id: string }, I>(rows: readonly R[], limit: number, render: (row: R) => I): { items: I[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(render), nextCursor: more ? encodeCursor(kept[kept.length - 1]!.id) : null };
}
