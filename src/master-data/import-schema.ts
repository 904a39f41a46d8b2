import { z } from 'zod';

/**
 * The master-data import file (contract: "Master-data import file"). Natural
 * keys tie records together; the database assigns numeric ids. Unknown keys
 * are refused (.strict()): a misspelt field in a file written by hand should
 * be an error, not silently ignored.
 */
const code = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\u0000]*$/);
const name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\u0000]*$/);
const part = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[^-\s\u0000]+$/, 'must not contain "-" or spaces (it is part of aisle-bay-level-bin)');
const money = z.string().regex(/^\d{1,10}(\.\d{1,2})?$/, 'must be a decimal string like "12.50"');
const count = z.int().min(0).max(1_000_000_000);

/**
 * A non-negative number for a numeric(precision, scale) column: at most
 * precision - scale digits before the point, and no more than scale decimals
 * (PostgreSQL would round them silently). Before, 1,000,000,000 passed here and
 * the database refused the whole import with an overflow.
 */
function decimal(precision: number, scale: number) {
  const max = Number(`${'9'.repeat(precision - scale)}.${'9'.repeat(scale)}`);
  return (
    z
      .number()
      .min(0)
      .max(max, `must be at most ${max.toFixed(scale)} (the column is numeric(${precision},${scale}))`)
      // Exact for doubles: true only for the double nearest to a number of that many decimals.
      .refine((v) => Number(v.toFixed(scale)) === v, `at most ${scale} decimal places`)
  );
}

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone name such as Europe/Berlin');

const location = z.strictObject({
  aisle: part,
  bay: part,
  level: part,
  bin: part,
  type: z.enum(['BULK', 'PICK_FACE', 'OVERFLOW']),
  maxWeightKg: decimal(12, 3),
  // Its own bound (int column): count.max() would only add a check to count's 1e9, not raise it.
  maxVolumeCubicCm: z.int().min(0).max(2_000_000_000),
});

const warehouse = z.strictObject({
  code,
  name,
  address: z.string().max(500).optional(),
  timezone: timezone.default('UTC'),
  capacityCubicMeters: decimal(12, 3).optional(),
  locations: z.array(location).default([]),
});

const product = z.strictObject({
  sku: code,
  name,
  category: code.optional(),
  supplier: code.optional(),
  unitCost: money,
  unitWeightGrams: count,
  dimensions: z.strictObject({ length: count, width: count, height: count }),
  reorderPoint: count.default(0),
  reorderQuantity: count.default(0),
  leadTimeDays: z.int().min(0).max(3650).default(0),
  isActive: z.boolean().default(true),
  autoReplenish: z.boolean().default(false),
  allowBackorder: z.boolean().default(false),
});

const stock = z.strictObject({
  sku: code,
  warehouse: code,
  /** aisle-bay-level-bin */
  location: z.string().regex(/^[^-\s]+-[^-\s]+-[^-\s]+-[^-\s]+$/, 'must be aisle-bay-level-bin'),
  quantity: count.max(1_000_000),
});

export const importFileSchema = z.strictObject({
  categories: z.array(z.strictObject({ code, name })).default([]),
  suppliers: z.array(z.strictObject({ code, name })).default([]),
  warehouses: z.array(warehouse).default([]),
  products: z.array(product).default([]),
  stock: z.array(stock).default([]),
});

export type ImportFile = z.infer<typeof importFileSchema>;
export type ImportFileInput = z.input<typeof importFileSchema>;
