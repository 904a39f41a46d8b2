import type { Tx } from './types';
import type { OpenBackorder } from '../domain/backorder-fill';
import type { WarehouseProduct } from './inventory';
import { recordLevelChanges, recordStockRowChanges } from './level-changes';

/**
 * Backorders (contract v2). Lock order, shared by placing and filling:
 * inventory rows of the product in the warehouse, then the product row (the
 * "backorder queue" lock, FOR NO KEY UPDATE so foreign-key checks of other
 * writers never wait on it), then the backorder rows, then the reservation
 * rows a fill writes. The product lock closes the one gap row locks leave: a
 * receipt into a location where the product had no inventory row creates a
 * row that a concurrent order cannot see or lock, so both could commit, one
 * backordering and the other adding stock beside it. With the product lock,
 * whichever commits second sees the other.
 */

/** Locks the queue of the given products that may have backorders (allowBackorder, or open backorders left). Returns their ids. */
export async function lockBackorderQueues(tx: Tx, productIds: readonly number[]): Promise<Set<number>> {
  if (productIds.length === 0) return new Set();
  const rows = await tx.$queryRaw<{ product_id: number }[]>`
    SELECT p.product_id FROM product p
     WHERE p.product_id = ANY(${[...new Set(productIds)]}::int[])
       AND (p.allow_backorder OR EXISTS (SELECT 1 FROM backorder b WHERE b.product_id = p.product_id AND b.status = 'OPEN'))
     ORDER BY p.product_id
       FOR NO KEY UPDATE OF p`;
  return new Set(rows.map((r) => r.product_id));
}

export interface QueuedBackorder extends OpenBackorder {
  warehouseId: number;
  sku: string;
}

/** Locks the open backorders of these (product, warehouse) keys, oldest first. */
export async function lockOpenBackorders(tx: Tx, keys: readonly WarehouseProduct[]): Promise<QueuedBackorder[]> {
  if (keys.length === 0) return [];
  const rows = await tx.$queryRaw<{ backorder_id: number; order_id: string; warehouse_id: number; product_id: number; sku: string; open: number }[]>`
    SELECT b.backorder_id, b.order_id, b.warehouse_id, b.product_id, p.sku, b.quantity - b.quantity_allocated - b.quantity_cancelled AS open
      FROM backorder b JOIN product p ON p.product_id = b.product_id
     WHERE b.status = 'OPEN'
       AND (b.product_id, b.warehouse_id) IN (SELECT * FROM unnest(${keys.map((k) => k.productId)}::int[], ${keys.map((k) => k.warehouseId)}::int[]))
     ORDER BY b.backorder_id
       FOR UPDATE OF b`;
  return rows.map(queued);
}

/** Locks the open backorders of one order (cancel, expiry). */
export async function lockOrderBackorders(tx: Tx, orderId: string): Promise<QueuedBackorder[]> {
  const rows = await tx.$queryRaw<{ backorder_id: number; order_id: string; warehouse_id: number; product_id: number; sku: string; open: number }[]>`
    SELECT b.backorder_id, b.order_id, b.warehouse_id, b.product_id, p.sku, b.quantity - b.quantity_allocated - b.quantity_cancelled AS open
      FROM backorder b JOIN product p ON p.product_id = b.product_id
     WHERE b.order_id = ${orderId} AND b.status = 'OPEN'
     ORDER BY b.backorder_id
       FOR UPDATE OF b`;
  return rows.map(queued);
}

function queued(r: { backorder_id: number; order_id: string; warehouse_id: number; product_id: number; sku: string; open: number }): QueuedBackorder {
  return { backorderId: r.backorder_id, orderId: r.order_id, warehouseId: r.warehouse_id, productId: r.product_id, sku: r.sku, openQuantity: r.open };
}

export interface NewBackorder {
  orderId: string;
  warehouseId: number;
  productId: number;
  /** The line's ordered quantity. */
  lineQuantity: number;
  quantity: number;
}

export async function writeBackorders(tx: Tx, eventId: string, backorders: readonly NewBackorder[], now: Date): Promise<void> {
  if (backorders.length === 0) return;
  const col = <T>(pick: (b: NewBackorder) => T) => backorders.map(pick);
  await tx.$executeRaw`
    INSERT INTO backorder (order_id, warehouse_id, product_id, line_quantity, quantity, event_id, created_at, updated_at)
    SELECT order_id, warehouse_id, product_id, line_quantity, quantity, ${eventId}::uuid, ${now}::timestamptz, ${now}::timestamptz
      FROM unnest(${col((b) => b.orderId)}::text[], ${col((b) => b.warehouseId)}::int[], ${col((b) => b.productId)}::int[],
                  ${col((b) => b.lineQuantity)}::int[], ${col((b) => b.quantity)}::int[])
        AS v(order_id, warehouse_id, product_id, line_quantity, quantity)`;
  // backordered moved: the keys' InventoryLevelChanged commits with it.
  recordLevelChanges(tx, backorders);
}

/** Counts units of backorders as allocated (filled) or cancelled; a backorder with nothing left open is FILLED or CANCELLED. */
export async function drawFromBackorders(
  tx: Tx,
  draws: readonly { backorderId: number; quantity: number }[],
  how: 'ALLOCATE' | 'CANCEL',
  now: Date,
): Promise<void> {
  if (draws.length === 0) return;
  // One statement for both ways (allocated or cancelled units, the other column + 0): they differ only in which count grows.
  const closed = how === 'ALLOCATE' ? 'FILLED' : 'CANCELLED';
  const touched = await tx.$queryRaw<{ product_id: number; warehouse_id: number }[]>`
    UPDATE backorder AS b
       SET quantity_allocated = b.quantity_allocated + v.allocated,
           quantity_cancelled = b.quantity_cancelled + v.cancelled,
           status = CASE WHEN b.quantity_allocated + b.quantity_cancelled + v.allocated + v.cancelled = b.quantity THEN ${closed}::backorder_status ELSE b.status END,
           updated_at = ${now}::timestamptz
      FROM unnest(${draws.map((d) => d.backorderId)}::int[], ${draws.map((d) => (how === 'ALLOCATE' ? d.quantity : 0))}::int[],
                  ${draws.map((d) => (how === 'CANCEL' ? d.quantity : 0))}::int[]) AS v(backorder_id, allocated, cancelled)
     WHERE b.backorder_id = v.backorder_id
    RETURNING b.product_id, b.warehouse_id`;
  // backordered moved: the keys' InventoryLevelChanged commits with it.
  recordLevelChanges(
    tx,
    touched.map((r) => ({ productId: r.product_id, warehouseId: r.warehouse_id })),
  );
}

export interface BackorderReservation {
  orderId: string;
  warehouseId: number;
  productId: number;
  locationId: number;
  quantity: number;
}

/**
 * Reserves stock for filled backorders: inventory reserved, the order's
 * reservation row at that location (created, or topped up: a line partly
 * reserved when placed may get more at the same location, and a row already
 * shipped in full opens again), and RESERVE ledger rows caused by eventId.
 */
export async function reserveForBackorders(tx: Tx, eventId: string, rows: readonly BackorderReservation[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(pick: (r: BackorderReservation) => T) => rows.map(pick);
  const perRow = new Map<string, { productId: number; locationId: number; quantity: number }>();
  for (const r of rows) {
    const key = `${r.productId}@${r.locationId}`;
    const sum = perRow.get(key) ?? { productId: r.productId, locationId: r.locationId, quantity: 0 };
    sum.quantity += r.quantity;
    perRow.set(key, sum);
  }
  const stock = [...perRow.values()].sort((a, b) => a.productId - b.productId || a.locationId - b.locationId);
  await tx.$executeRaw`
    UPDATE inventory AS i SET quantity_reserved = i.quantity_reserved + v.quantity
      FROM unnest(${stock.map((s) => s.productId)}::int[], ${stock.map((s) => s.locationId)}::int[], ${stock.map((s) => s.quantity)}::int[]) AS v(product_id, location_id, quantity)
     WHERE i.product_id = v.product_id AND i.location_id = v.location_id`;
  // reserved moved: the keys' InventoryLevelChanged commits with it.
  recordStockRowChanges(tx, stock);
  await tx.$executeRaw`
    INSERT INTO reservation AS r (order_id, warehouse_id, product_id, location_id, quantity, event_id, created_at, updated_at)
    SELECT order_id, warehouse_id, product_id, location_id, quantity, ${eventId}::uuid, ${now}::timestamptz, ${now}::timestamptz
      FROM unnest(${col((r) => r.orderId)}::text[], ${col((r) => r.warehouseId)}::int[], ${col((r) => r.productId)}::int[],
                  ${col((r) => r.locationId)}::int[], ${col((r) => r.quantity)}::int[])
        AS v(order_id, warehouse_id, product_id, location_id, quantity)
    ON CONFLICT (order_id, product_id, location_id) DO UPDATE
       SET quantity = r.quantity + EXCLUDED.quantity, status = 'OPEN', updated_at = EXCLUDED.updated_at`;
  await tx.$executeRaw`
    INSERT INTO inventory_transaction (product_id, location_id, txn_type, quantity, reference_id, reference_type, performed_by, event_id, created_at)
    SELECT product_id, location_id, 'RESERVE', quantity, order_id, 'ORDER', 'inventory-service', ${eventId}::uuid, ${now}::timestamptz
      FROM unnest(${col((r) => r.productId)}::int[], ${col((r) => r.locationId)}::int[], ${col((r) => r.quantity)}::int[], ${col((r) => r.orderId)}::text[])
        AS v(product_id, location_id, quantity, order_id)`;
}

export interface OrderOptions {
  sourcing: string | null;
  backorder: string | null;
}

/** Remembers that an order was placed with contract v2 options: its later events carry the v2 fields. */
export async function recordOrderOptions(tx: Tx, orderId: string, eventId: string, options: OrderOptions, now: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO order_option (order_id, sourcing, backorder, event_id, created_at)
    VALUES (${orderId}, ${options.sourcing}, ${options.backorder}, ${eventId}::uuid, ${now}::timestamptz)`;
}

/** The v2 options an order was placed with; null for a v1 order (or an unknown one). */
export async function orderOptions(tx: Tx, orderId: string): Promise<OrderOptions | null> {
  const [row] = await tx.$queryRaw<OrderOptions[]>`SELECT sourcing, backorder FROM order_option WHERE order_id = ${orderId}`;
  return row ?? null;
}

/** Every warehouse id, ascending (a wholly backordered order may wait where nothing is stocked yet). */
export async function allWarehouseIds(tx: Tx): Promise<number[]> {
  const rows = await tx.$queryRaw<{ warehouse_id: number }[]>`SELECT warehouse_id FROM warehouse ORDER BY warehouse_id`;
  return rows.map((r) => r.warehouse_id);
}
