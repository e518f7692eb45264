/**
 * Cursor pagination on the API: `?limit=&cursor=` in, `{ items, nextCursor }` out. The store pages every
 * list by (createdAt, id), newest first, with an opaque cursor (null on the last page): keyset, not offset,
 * so rows added while a client pages never shift or repeat items. This module only declares the shapes.
 */
import { z } from 'zod';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from '../store/index.ts';

const CURSOR_LENGTH_MAX = 400;

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
  cursor: z.string().max(CURSOR_LENGTH_MAX).regex(/^[A-Za-z0-9_-]*$/).optional(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** The store's page request from the API's query string ('' counts as no cursor). */
export function pageRequest(query: { limit: number; cursor?: string | undefined }): { limit: number; cursor: string | null } {
  return { limit: query.limit, cursor: query.cursor ? query.cursor : null };
}
