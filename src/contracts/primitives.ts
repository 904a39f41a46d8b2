import { z } from 'zod';

/** PostgreSQL's int4: every numeric id the service hands out fits in it. */
export const MAX_ID = 2_147_483_647;
export const MAX_QUANTITY = 1_000_000;
export const MAX_LINES = 500;

// PostgreSQL text cannot store U+0000: a NUL would fail at write time on every
// redelivery, so it is rejected here, where it becomes a dead letter instead.
const noNul = /^[^\u0000]*$/;

/** A string of min..max UTF-16 units (never fewer characters than a VARCHAR(max) holds). */
// A lone UTF-16 surrogate (a string cut in the middle of an emoji) is not
// valid JSON text for PostgreSQL's jsonb and becomes U+FFFD in its text
// columns: it too would fail in the database on every redelivery.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function text(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .regex(noNul, { message: 'must not contain a NUL (U+0000) character' })
    .refine((s) => !loneSurrogate.test(s), { message: 'must not contain a lone UTF-16 surrogate' });
}

/**
 * An optional field. null is read as absent: Jackson, System.Text.Json and Go
 * write null for unset fields by default, and the contract's `field?` means
 * "may be left out", not "must be left out".
 */
export function optional<T extends z.ZodType>(schema: T) {
  return schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();
}

export const id = z.int().min(1).max(MAX_ID);
export const quantity = z.int().min(1).max(MAX_QUANTITY);
export const sku = text(1, 64);
export const orderId = text(1, 64);

/** The way every inbound line (and stock operation) names its product. */
export const productRefShape = { productId: optional(id), sku: optional(sku) };

interface ProductRef {
  productId?: number | undefined;
  sku?: string | undefined;
}

/**
 * Requires productId or sku (both may be given; that they name the same
 * product is checked against master data, not here). The JSON Schema side is
 * spelled out by hand because zod cannot render a refinement.
 */
export function requireProductRef<T extends z.ZodType<ProductRef>>(schema: T): T {
  return schema
    .refine((ref) => ref.productId !== undefined || ref.sku !== undefined, {
      message: 'productId or sku is required',
    })
    .meta({
      anyOf: [
        { required: ['productId'], properties: { productId: { type: 'integer' } } },
        { required: ['sku'], properties: { sku: { type: 'string' } } },
      ],
    });
}

export function lines<T extends z.ZodType>(line: T) {
  return z.array(line).min(1).max(MAX_LINES);
}
