export { expectedDate } from './expected-date';
export { demandStatistics, recommendedReorderPoint, type DemandStatistics } from './demand-statistics';
export { inverseNormalCdf } from './inverse-normal';

/** The product master fields replenishment reads. unitCost stays a decimal string, never a float. */
export interface ReplenishableProduct {
  isActive: boolean;
  autoReplenish: boolean;
  reorderPoint: number;
  reorderQuantity: number;
  leadTimeDays: number;
  unitCost: string;
  supplierId: number | null;
}

export type NoReplenishmentReason =
  'PRODUCT_INACTIVE' | 'AUTO_REPLENISH_OFF' | 'STOCK_SUFFICIENT' | 'OPEN_PURCHASE_ORDER' | 'NO_SUPPLIER' | 'NO_REORDER_QUANTITY';

export type ReplenishmentDecision = { create: true; quantity: number; unitCost: string; supplierId: number } | { create: false; why: NoReplenishmentReason };

/**
 * Shared by both triggers. Reasons come most fundamental first, so `why`
 * names the thing to fix: a product nobody wants replenished is not reported
 * as "no supplier". NO_SUPPLIER is only reached when a PO was otherwise due,
 * which makes it worth a warning by the caller. The order quantity is the
 * master's reorderQuantity as is (a fixed-quantity policy).
 */
function decide(product: ReplenishableProduct, triggered: boolean, hasOpenPurchaseOrder: boolean, free = 0, backordered = 0): ReplenishmentDecision {
  if (!product.isActive) return { create: false, why: 'PRODUCT_INACTIVE' };
  if (!product.autoReplenish) return { create: false, why: 'AUTO_REPLENISH_OFF' };
  if (!triggered) return { create: false, why: 'STOCK_SUFFICIENT' };
  // One open PO per product and warehouse: it is already on its way, ordering again would double up.
  if (hasOpenPurchaseOrder) return { create: false, why: 'OPEN_PURCHASE_ORDER' };
  if (product.supplierId === null) return { create: false, why: 'NO_SUPPLIER' };
  if (product.reorderQuantity <= 0) return { create: false, why: 'NO_REORDER_QUANTITY' };
  return { create: true, quantity: orderQuantity(product, free, backordered), unitCost: product.unitCost, supplierId: product.supplierId };
}

/**
 * Contract v2: while backorders are open, a PO orders at least its reorder
 * quantity and at least what brings available - backordered (free, may be
 * negative) back up to the reorder point. Without backorders it stays the
 * fixed reorder quantity, as in v1.
 */
export function orderQuantity(product: Pick<ReplenishableProduct, 'reorderPoint' | 'reorderQuantity'>, free: number, backordered: number): number {
  if (backordered <= 0) return product.reorderQuantity;
  return Math.max(product.reorderQuantity, product.reorderPoint - free);
}

/**
 * After stock moves: order when what is available in the warehouse has
 * dropped strictly below the reorder point (at the point is still enough).
 */
export function decideReorderPointReplenishment(input: {
  product: ReplenishableProduct;
  availableInWarehouse: number;
  /** Contract v2: open backorders there count as demand (the trigger sees available - backordered). */
  backorderedInWarehouse?: number;
  hasOpenPurchaseOrder: boolean;
}): ReplenishmentDecision {
  const backordered = input.backorderedInWarehouse ?? 0;
  const free = input.availableInWarehouse - backordered;
  return decide(input.product, belowReorderPoint(free, input.product.reorderPoint), input.hasOpenPurchaseOrder, free, backordered);
}

/**
 * The daily scan looks ahead: order when the stock above the reorder point
 * would be used up within two lead times at the recent average demand
 * (available - reorderPoint <= 2 * demand * leadTime), so the PO arrives
 * before the reorder-point trigger would even fire.
 *
 * With zero demand that formula would fire for any product sitting exactly
 * at its reorder point, and it says nothing about the future, so it applies
 * only when averageDailyDemand > 0. A product already strictly below its
 * reorder point is ordered regardless of demand (the reorder-point trigger
 * may have been missed, e.g. while a PO was open and then cancelled).
 * Zero demand at or above the reorder point: no order.
 */
export function decideDailyScan(input: {
  product: ReplenishableProduct;
  available: number;
  /** Contract v2: open backorders count as demand (the scan sees available - backordered). */
  backordered?: number;
  averageDailyDemand: number;
  hasOpenPurchaseOrder: boolean;
}): ReplenishmentDecision {
  const { product, averageDailyDemand } = input;
  const backordered = input.backordered ?? 0;
  const available = input.available - backordered;
  const runsLowSoon = averageDailyDemand > 0 && available - product.reorderPoint <= 2 * averageDailyDemand * product.leadTimeDays;
  return decide(product, belowReorderPoint(available, product.reorderPoint) || runsLowSoon, input.hasOpenPurchaseOrder, available, backordered);
}

/**
 * "Below the reorder point", the one test for it: the reorder trigger on the
 * OrderPlaced path, the daily scan and stock status (LOW_STOCK) all ask here.
 */
export function belowReorderPoint(available: number, reorderPoint: number): boolean {
  return available < reorderPoint;
}

/** How a replenishment purchase order came about (the contract's PurchaseOrderCreated.trigger). */
export const REPLENISHMENT_TRIGGERS = ['REORDER_POINT', 'DAILY_SCAN'] as const;
export type ReplenishmentTrigger = (typeof REPLENISHMENT_TRIGGERS)[number];
