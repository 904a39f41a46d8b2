import { z } from 'zod';
import { MAX_ID, MAX_QUANTITY, text } from '../contracts/primitives';

/**
 * Query and path parameters arrive as text; these parse them strictly (no
 * `1e3`, `0x10`, ` 7` or `7.0`): a malformed parameter is a 400 that names it,
 * never a guess and never a 500.
 */
export const idParam = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'must be a positive whole number')
  .transform(Number)
  .pipe(z.number().int().max(MAX_ID));

export const quantityParam = z
  .string()
  .regex(/^[1-9]\d{0,6}$/, 'must be a positive whole number')
  .transform(Number)
  .pipe(z.number().int().max(MAX_QUANTITY));

export const skuParam = text(1, 64);
export const orderIdParam = text(1, 64);
export const referenceIdParam = text(1, 64);

/** An ISO-8601 instant with a zone (Z or an offset): a bare date or local time would be read in some server's zone. */
export const instantParam = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .pipe(z.date().refine((d) => !Number.isNaN(d.getTime()), 'must be a valid instant'));

/** A parameter that may repeat (`?sku=A&sku=B`): one value or a list of them. */
export function repeated<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).min(1)]);
}

export function listOf<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A Date as an ISO-8601 instant; a day (PostgreSQL date) as YYYY-MM-DD. */
export const isoInstant = (d: Date) => d.toISOString();
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
