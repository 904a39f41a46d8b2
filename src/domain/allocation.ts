import { mergeLinesBy, resolvedProductKey, type OrderLineToReserve } from './order-lines';
import { availableAt, pickSequence, totalAvailable, type StockAtLocation } from './pick-sequence';
import type { LocationQuantity } from './types';

export { mergeOrderLines, type OrderLineToReserve } from './order-lines';
export { chooseWarehouse, type WarehouseChoice, type AvailableByWarehouse } from './warehouse-choice';

/** One order line reserved in full, and where its units come from. */
export interface ReservedLine {
  productId: number;
  sku: string;
  quantity: number;
  allocations: LocationQuantity[];
}

export type ShortReason = 'INSUFFICIENT_STOCK' | 'UNKNOWN_PRODUCT' | 'INACTIVE_PRODUCT';

/** A line that could not be reserved, shaped like an InsufficientStock line. */
export interface ShortLine {
  productId: number | null;
  sku: string | null;
  requested: number;
  /** Everything available for the product in this warehouse; 0 for an unknown product. */
  available: number;
  reason: ShortReason;
}

export type ReservationAllocation = { ok: true; lines: ReservedLine[] } | { ok: false; shortLines: ShortLine[] };

/** One warehouse's inventory rows of the order's products, by productId. */
export type StockByProduct = ReadonlyMap<number, readonly StockAtLocation[]>;

/**
 * Reserves an order in one warehouse, all or nothing: either every line is
 * allocated, or the result lists only the lines that could not be, so the
 * InsufficientStock event tells the order service exactly what blocked it.
 * Lines for the same product are merged first (by resolved product), so two
 * lines cannot each claim the same units. Locations are drawn in pickSequence
 * order (PICK_FACE, BULK, OVERFLOW; most available first; lowest id).
 */
export function allocateReservation(lines: readonly OrderLineToReserve[], stockByProduct: StockByProduct): ReservationAllocation {
  const reserved: ReservedLine[] = [];
  const shortLines: ShortLine[] = [];
  for (const line of mergeLinesBy(lines, resolvedProductKey)) {
    const outcome = allocateLine(line, stockByProduct);
    if ('shortage' in outcome) shortLines.push(outcome.shortage);
    else reserved.push(outcome.reserved);
  }
  return shortLines.length > 0 ? { ok: false, shortLines } : { ok: true, lines: reserved };
}

function allocateLine(line: OrderLineToReserve, stockByProduct: StockByProduct): { reserved: ReservedLine } | { shortage: ShortLine } {
  const { product, quantity } = line;
  if (!product) {
    return { shortage: { productId: line.productId, sku: line.sku, requested: quantity, available: 0, reason: 'UNKNOWN_PRODUCT' } };
  }
  const slots = stockByProduct.get(product.productId) ?? [];
  const available = totalAvailable(slots);
  const shortage = (reason: ShortReason) => ({
    shortage: { productId: product.productId, sku: product.sku, requested: quantity, available, reason },
  });
  if (!product.isActive) return shortage('INACTIVE_PRODUCT');
  if (available < quantity) return shortage('INSUFFICIENT_STOCK');

  const allocations: LocationQuantity[] = [];
  let remaining = quantity;
  for (const slot of pickSequence(slots)) {
    if (remaining === 0) break;
    const taken = Math.min(remaining, availableAt(slot));
    allocations.push({ locationId: slot.locationId, quantity: taken });
    remaining -= taken;
  }
  return { reserved: { productId: product.productId, sku: product.sku, quantity, allocations } };
}
