import { z } from 'zod';
import { ApiProblem } from './problems';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** `limit`: 1 to 500 (above is 400, not silently capped: a caller asking for more should know it gets less). */
export const limitParam = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`)
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_PAGE_LIMIT))
  .optional()
  .describe(`page size, 1 to ${MAX_PAGE_LIMIT}, default ${DEFAULT_PAGE_LIMIT}`);

export const cursorParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a cursor returned as nextCursor')
  .optional()
  .describe('opaque: the nextCursor of the previous page');

export const nextCursorField = z.string().nullable().describe('pass as cursor for the next page; null on the last page');

/**
 * Keyset cursors: the sort key of the last row of a page, as base64url JSON.
 * Opaque to clients (the shape may change), checked on the way back in: a
 * cursor that does not decode to the expected key is a 400, never a 500 or
 * a silently wrong page.
 */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<T>(schema: z.ZodType<T>, cursor: string | undefined): T | null {
  if (cursor === undefined) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new ApiProblem(400, 'INVALID_CURSOR', 'cursor is not one this API returned', [{ path: 'cursor', message: 'not a cursor of this list' }]);
  return parsed.data;
}

/** Reads one row more than the page holds to know whether there is a next page. */
export function page<T, K extends Record<string, string | number>>(rows: T[], limit: number, keyOf: (row: T) => K): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

export const pageLimit = (limit: number | undefined) => limit ?? DEFAULT_PAGE_LIMIT;
