import { belowReorderPoint } from './replenishment';

export const stockStatuses = ['IN_STOCK', 'LOW_STOCK', 'OUT_OF_STOCK'] as const;
export type StockStatus = (typeof stockStatuses)[number];

/**
 * The status a storefront shows for a product in a warehouse: OUT_OF_STOCK
 * when nothing is available, LOW_STOCK below the reorder point (the very test
 * that raises a purchase order, so "low" and "reordered" never disagree:
 * since backorders that test is on available - backordered, the units not
 * already owed to waiting orders), IN_STOCK otherwise.
 */
export function stockStatus(level: { available: number; backordered?: number; reorderPoint: number }): StockStatus {
  if (level.available <= 0) return 'OUT_OF_STOCK';
  if (belowReorderPoint(level.available - (level.backordered ?? 0), level.reorderPoint)) return 'LOW_STOCK';
  return 'IN_STOCK';
}
