import type { ProductRef, RequestedLine } from './types';

/**
 * An order line after the caller looked its product up in the database.
 * productId/sku are what the order named (kept so an unknown product can be
 * reported exactly as requested); product is the row found, null if none.
 */
export interface OrderLineToReserve {
  productId: number | null;
  sku: string | null;
  quantity: number;
  product: ProductRef | null;
}

/**
 * Key of a line as the sender named it. productId wins over sku when both are
 * given because it is the stable id. Lines naming one product differently
 * (one by id, one by sku) get different keys here: only after the caller has
 * resolved skus can they be recognised as the same product, which is why
 * allocation merges again with resolvedProductKey.
 */
export function requestedProductKey(line: { productId?: number | null; sku?: string | null }): string {
  if (line.productId !== undefined && line.productId !== null) return `id:${line.productId}`;
  if (line.sku !== undefined && line.sku !== null) return `sku:${line.sku}`;
  // The inbound schema requires one of the two, so reaching this is a bug, not a business outcome.
  throw new Error('order line names neither productId nor sku');
}

/** Key after resolution: the product found, else whatever the order named. */
export function resolvedProductKey(line: OrderLineToReserve): string {
  return line.product ? `id:${line.product.productId}` : requestedProductKey(line);
}

/**
 * Sums the quantities of lines sharing a key. The first line of each key keeps
 * its place and its other fields, so the output order follows the request and
 * events echo the order's own sequence.
 */
export function mergeLinesBy<T extends { quantity: number }>(lines: readonly T[], keyOf: (line: T) => string): T[] {
  const merged = new Map<string, T>();
  for (const line of lines) {
    const key = keyOf(line);
    const first = merged.get(key);
    merged.set(key, first ? { ...first, quantity: first.quantity + line.quantity } : { ...line });
  }
  return [...merged.values()];
}

/**
 * Merges raw inbound lines (contract: "two lines for the same product are
 * merged"), keyed by productId when given, else by sku. The caller resolves
 * skus to products afterwards; a product named once by id and once by sku is
 * merged later, by allocateReservation, once both resolve to the same product.
 */
export function mergeOrderLines<T extends RequestedLine>(lines: readonly T[]): T[] {
  return mergeLinesBy(lines, requestedProductKey);
}
