import { mergeLinesBy, resolvedProductKey, type OrderLineToReserve } from './order-lines';

/**
 * Units available (on hand minus reserved) per warehouseId, then per
 * productId. Totals rather than rows on purpose: the caller can read them with
 * one aggregate query and then lock only the chosen warehouse's rows.
 */
export type AvailableByWarehouse = ReadonlyMap<number, ReadonlyMap<number, number>>;

export type WarehouseChoice =
  | { ok: true; warehouseId: number }
  /**
   * No single warehouse covers every line. warehouseId is the one to report
   * InsufficientStock against (null only when there are no warehouses).
   */
  | { ok: false; reason: 'NO_WAREHOUSE_COVERS_ORDER'; warehouseId: number | null };

/**
 * For an order without a warehouseId: the lowest-id warehouse that can cover
 * every line (orders are never split across warehouses).
 *
 * When none can, we report against the warehouse that covers the most lines,
 * lowest id on a tie, rather than a null warehouse with figures from
 * somewhere: the caller then runs allocateReservation on that one warehouse,
 * so the InsufficientStock event names a real warehouse, lists exactly the
 * lines that warehouse is short of, and its `available` figures all come
 * from it (an order service can act on them, e.g. by resubmitting the order
 * there with reduced quantities).
 */
export function chooseWarehouse(lines: readonly OrderLineToReserve[], availableByWarehouse: AvailableByWarehouse): WarehouseChoice {
  const merged = mergeLinesBy(lines, resolvedProductKey);
  let best: { warehouseId: number; covered: number } | null = null;
  for (const warehouseId of [...availableByWarehouse.keys()].sort((a, b) => a - b)) {
    const available = availableByWarehouse.get(warehouseId) ?? new Map<number, number>();
    const covered = merged.filter((line) => canCover(line, available)).length;
    if (covered === merged.length) return { ok: true, warehouseId };
    if (best === null || covered > best.covered) best = { warehouseId, covered };
  }
  return { ok: false, reason: 'NO_WAREHOUSE_COVERS_ORDER', warehouseId: best?.warehouseId ?? null };
}

function canCover(line: OrderLineToReserve, available: ReadonlyMap<number, number>): boolean {
  const { product } = line;
  // Unknown or inactive products cannot be reserved anywhere, whatever the stock.
  if (!product || !product.isActive) return false;
  return (available.get(product.productId) ?? 0) >= line.quantity;
}
