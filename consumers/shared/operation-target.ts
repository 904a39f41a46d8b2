import type { Dimensions } from '../../src/domain/capacity';
import type { StockLevel, StockOperationRejection } from '../../src/domain/stock-operations';
import type { Tx } from '../../src/db/types';
import { locationWarehouses } from '../../src/db/locations';
import { productMeasuresByRef } from '../../src/db/products';
import type { EventContext } from '../../src/transaction-context';

/**
 * What the three inventory-operations handlers (StockAdjusted, StockCounted,
 * StockTransferred) share: finding the product and locations an operation
 * names, and refusing it with a StockAdjustmentRejected.
 */

export interface OperationProduct {
  productId: number;
  sku: string;
  unitWeightGrams: number;
  dimensions: Dimensions;
}

export interface OperationLocation {
  locationId: number;
  warehouseId: number;
}

export interface Refusal {
  /** The product as master data knows it, or as the sender named it when it is unknown. */
  productId: number | null;
  sku: string | null;
  locationId: number;
  reason: StockOperationRejection;
  detail: string;
}

export type OperationTarget = { ok: true; product: OperationProduct; locations: Map<number, OperationLocation> } | { ok: false; refusal: Refusal };

/**
 * Unknown products and locations are refused with a StockAdjustmentRejected
 * (UNKNOWN_PRODUCT, UNKNOWN_LOCATION), not dead-lettered: these are hand-keyed
 * warehouse operations, so a typo is likely and the staff who made it read
 * inventory-events, not the DLQ. A productId and sku naming different
 * products count as unknown, as they do for orders. Inactive products are
 * accepted: their stock still physically exists and must be countable.
 */
export async function findOperationTarget(tx: Tx, ref: { productId?: number; sku?: string }, locationIds: readonly number[]): Promise<OperationTarget> {
  const found = await productMeasuresByRef(tx, ref);
  const product = found && (ref.sku === undefined || found.sku === ref.sku) ? found : null;
  if (!product) {
    return {
      ok: false,
      refusal: { productId: ref.productId ?? null, sku: ref.sku ?? null, locationId: locationIds[0]!, reason: 'UNKNOWN_PRODUCT', detail: 'no such product' },
    };
  }
  const rows = await locationWarehouses(tx, locationIds);
  const locations = new Map(rows.map((l) => [l.locationId, l]));
  const missing = locationIds.find((id) => !locations.has(id));
  if (missing !== undefined) {
    return {
      ok: false,
      refusal: { productId: product.productId, sku: product.sku, locationId: missing, reason: 'UNKNOWN_LOCATION', detail: `no location ${missing}` },
    };
  }
  return { ok: true, product, locations };
}

/** The locked level of one (product, location); a location without an inventory row holds nothing. */
export function levelAt(rows: readonly (StockLevel & { productId: number; locationId: number })[], productId: number, locationId: number): StockLevel {
  const row = rows.find((r) => r.productId === productId && r.locationId === locationId);
  return { onHand: row?.onHand ?? 0, reserved: row?.reserved ?? 0 };
}

/**
 * Refuses the operation: nothing is changed, one StockAdjustmentRejected is
 * published, keyed like the payload's location. The reason is a stable code
 * for machines; the human detail goes to the log. Returns the outcome word.
 */
export function refuse(ctx: EventContext, refusal: Refusal): string {
  const { detail, ...payload } = refusal;
  ctx.log.info({ ...payload, detail }, 'stock operation refused');
  ctx.emit({ eventType: 'StockAdjustmentRejected', key: String(refusal.locationId), payload });
  return `REJECTED_${refusal.reason}`;
}
