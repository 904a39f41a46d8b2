import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import { readInventoryLevels, type InventoryLevel } from './inventory-levels';
import { incomingPurchaseOrders, warehouseTimezones, type IncomingPurchaseOrder } from './purchase-order-reads';

export interface PromiseSupply {
  levels: InventoryLevel[];
  incoming: IncomingPurchaseOrder[];
  /** The candidate warehouses (the one named, or every one with a level row) and their time zones. */
  zones: Map<number, string>;
}

/**
 * What available-to-promise reads about one product, in one snapshot
 * (REPEATABLE READ, read only, no locks): a receipt committing between two
 * separate reads would count its units twice (still incoming and already on
 * hand) or not at all.
 */
export async function readPromiseSupply(db: Db, productId: number, warehouseId?: number): Promise<PromiseSupply> {
  return db.$transaction(
    async (tx) => {
      const levels = await readInventoryLevels(tx, { productIds: [productId], warehouseId });
      const incoming = await incomingPurchaseOrders(tx, productId, warehouseId);
      const zones = await warehouseTimezones(tx, warehouseId !== undefined ? [warehouseId] : levels.map((l) => l.warehouseId));
      return { levels, incoming, zones };
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
}
