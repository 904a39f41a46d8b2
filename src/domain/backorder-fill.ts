import { availableAt, pickSequence, type StockAtLocation } from './pick-sequence';
import type { LocationQuantity } from './types';

/** An open backorder of one product in one warehouse. */
export interface OpenBackorder {
  backorderId: number;
  orderId: string;
  productId: number;
  /** quantity - allocated - cancelled, > 0 */
  openQuantity: number;
}

/** What one backorder receives from the stock that arrived. */
export interface BackorderFill {
  backorderId: number;
  orderId: string;
  productId: number;
  quantity: number;
  allocations: LocationQuantity[];
  stillBackordered: number;
}

/**
 * Fills the open backorders of ONE product in ONE warehouse from its available
 * stock, oldest backorder first (lowest backorderId), each taking what it can
 * in v1 location order. Greedy on purpose: either every backorder is filled or
 * no stock is left available, so no commit leaves available stock beside an
 * open backorder. An older backorder is filled before a younger one starts,
 * even partly: first come, first served.
 */
export function fillBackorders(queue: readonly OpenBackorder[], stock: readonly StockAtLocation[]): BackorderFill[] {
  const slots = stock.map((s) => ({ ...s }));
  const fills: BackorderFill[] = [];
  for (const backorder of [...queue].sort((a, b) => a.backorderId - b.backorderId)) {
    const allocations: LocationQuantity[] = [];
    let remaining = backorder.openQuantity;
    for (const slot of pickSequence(slots)) {
      if (remaining === 0) break;
      const taken = Math.min(remaining, availableAt(slot));
      allocations.push({ locationId: slot.locationId, quantity: taken });
      slot.reserved += taken;
      remaining -= taken;
    }
    const quantity = backorder.openQuantity - remaining;
    if (quantity === 0) break;
    fills.push({
      backorderId: backorder.backorderId,
      orderId: backorder.orderId,
      productId: backorder.productId,
      quantity,
      allocations,
      stillBackordered: remaining,
    });
  }
  return fills;
}
