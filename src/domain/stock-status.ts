import { belowReorderPoint } from './replenishment';

export const stockStatuses = ['IN_STOCK', 'LOW_STOCK', 'OUT_OF_STOCK'] as const;
export type StockStatus = (typeof stockStatuses)[number];

/**
 * The status a storefront shows for a product in a warehouse: OUT_OF_STOCK
 * when nothing is available, LOW_STOCK below the reorder point (the very test
 * that raises a purchase order, so "low" and "reordered" never disagree),
 * IN_STOCK otherwise.
 */
export function stockStatus(level: { available: number; reorderPoint: number }): StockStatus {
  if (level.available <= 0) return 'OUT_OF_STOCK';
  if (belowReorderPoint(level.available, level.reorderPoint)) return 'LOW_STOCK';
  return 'IN_STOCK';
}
