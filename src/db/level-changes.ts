import { v5 as uuidv5 } from 'uuid';
import { Prisma } from '../generated/prisma/client';
import { InventoryError } from '../errors';
import type { InventoryLevelChanged } from '../contracts';
import { levelFigures, levelStatusOf } from './inventory-levels';
import { stageOutbound, type Cause, type OutboundEvent } from './outbox';
import type { Tx } from './types';
import { poolOf, type Db } from './client';

/**
 * What a transaction changed that moves the figures of InventoryLevelChanged
 * (on hand, reserved, backordered, incoming, and the reorder point behind the
 * status), gathered while it runs and turned into level rows at its end by
 * writeLevelChanges: one event per (product, warehouse) per transaction, with
 * the figures as committed, however many events of the transaction touched it.
 *
 * The functions of src/db that write those figures record what they touched
 * themselves (applyStockChanges, writeReservations, the purchase-order
 * writes), so a new writer that goes through them cannot forget; a writer with
 * its own SQL calls one of the record* functions below. Recording is cheap and
 * may over-approximate (a savepoint rolled back, a transfer inside one
 * warehouse): a key whose figures did not change publishes nothing.
 *
 * Keyed by the transaction client: each interactive transaction (and each
 * retry of one) has its own. A WeakMap, so an abandoned transaction leaves
 * nothing behind.
 */
interface Touched {
  keys: Map<string, LevelKey>;
  stockRows: Map<string, { productId: number; locationId: number }>;
  purchaseOrders: Set<number>;
  products: Set<number>;
}

export interface LevelKey {
  productId: number;
  warehouseId: number;
}

const touchedBy = new WeakMap<Tx, Touched>();

function touched(tx: Tx): Touched {
  // A figure changed outside a transaction would never get its level row: refuse loudly.
  // (A client made by createDb has a pool on record; a transaction client is another object.)
  if (poolOf(tx as unknown as Db)) throw new Error('inventory figures may only change inside an interactive transaction (a level event must commit with them)');
  let t = touchedBy.get(tx);
  if (!t) {
    t = { keys: new Map(), stockRows: new Map(), purchaseOrders: new Set(), products: new Set() };
    touchedBy.set(tx, t);
  }
  return t;
}

/** Inventory rows (product, location) whose on hand or reserved changed. */
export function recordStockRowChanges(tx: Tx, rows: readonly { productId: number; locationId: number }[]): void {
  const t = touched(tx);
  for (const { productId, locationId } of rows) t.stockRows.set(`${productId}@${locationId}`, { productId, locationId });
}

/** (product, warehouse) keys whose figures changed by other means (e.g. backorders). */
export function recordLevelChanges(tx: Tx, keys: readonly LevelKey[]): void {
  const t = touched(tx);
  for (const { productId, warehouseId } of keys) t.keys.set(`${productId}:${warehouseId}`, { productId, warehouseId });
}

/** Purchase orders whose status or received quantities changed: their lines' incoming moved. */
export function recordPurchaseOrderChanges(tx: Tx, poIds: readonly number[]): void {
  const t = touched(tx);
  for (const poId of poIds) t.purchaseOrders.add(poId);
}

/** Products whose master data behind the status changed (reorder point): every warehouse of each. */
export function recordProductChanges(tx: Tx, productIds: readonly number[]): void {
  const t = touched(tx);
  for (const productId of productIds) t.products.add(productId);
}

/** One (product, warehouse) whose figures this transaction changed, as it commits them. */
export interface LevelChange extends LevelKey {
  sku: string;
  onHand: number;
  reserved: number;
  backordered: number;
  incoming: number;
  reorderPoint: number;
  version: number;
  /** The figures of the key's previous level row; null on its first. */
  previous: { onHand: number; reserved: number; backordered: number; incoming: number; reorderPoint: number } | null;
}

interface ChangeRow {
  product_id: number;
  warehouse_id: number;
  sku: string;
  /** bigint: sums over rows (levelFigures). */
  on_hand: bigint | number;
  reserved: bigint | number;
  backordered: bigint | number;
  incoming: bigint | number;
  reorder_point: number;
  /** null: another transaction changed the key after this statement's snapshot; the statement runs again. */
  version: number | null;
  was_version: number | null;
  was_on_hand: bigint | number | null;
  was_reserved: bigint | number | null;
  was_backordered: bigint | number | null;
  was_incoming: bigint | number | null;
  was_reorder_point: number | null;
}

const MAX_ATTEMPTS = 5;

/**
 * The end of a transaction that changed figures: for every key it touched,
 * computes the figures (levelFigures, the one computation the query API
 * answers with too), and where they differ from the key's level row writes
 * them with version + 1. Returns the keys that changed, for their
 * InventoryLevelChanged events; clears what was recorded. No round trip when
 * nothing was recorded; one in the common case.
 *
 * Why the version check (WHERE l.version = EXCLUDED.version - 1): under READ
 * COMMITTED the figures come from the statement's snapshot, but the level row
 * lock may only be granted after another transaction that changed the same key
 * (on another location, or its incoming) has committed, which the snapshot
 * does not see. Writing then would publish a higher version with older
 * figures. Instead PostgreSQL leaves such a row unwritten (it is still locked,
 * by ON CONFLICT), and the statement runs again with a fresh snapshot, in which
 * the other transaction's commit is visible and nobody else can change the key.
 *
 * Locks: only level rows, in (product_id, warehouse_id) order, and only here
 * at the end of a transaction, after every other lock it takes: transactions
 * waiting for each other here wait for nothing else, so they cannot deadlock.
 */
export async function writeLevelChanges(tx: Tx, now: Date): Promise<LevelChange[]> {
  const t = touchedBy.get(tx);
  if (!t || (t.keys.size === 0 && t.stockRows.size === 0 && t.purchaseOrders.size === 0 && t.products.size === 0)) return [];
  touchedBy.delete(tx);
  const changes = new Map<string, LevelChange>();
  for (let attempt = 1; ; attempt++) {
    const rows = await tx.$queryRaw<ChangeRow[]>(levelStatement(t, now));
    for (const row of rows) if (row.version !== null) changes.set(`${row.product_id}:${row.warehouse_id}`, changeOf(row));
    if (rows.every((r) => r.version !== null)) break;
    if (attempt === MAX_ATTEMPTS) {
      // The rows are locked after the first attempt, so this does not happen; if it did, the whole transaction is retried.
      throw new InventoryError('LEVEL_VERSION_CONFLICT', `inventory level rows kept changing under this transaction (${attempt} attempts)`, true);
    }
  }
  return [...changes.values()].sort((a, b) => a.productId - b.productId || a.warehouseId - b.warehouseId);
}

function changeOf(row: ChangeRow): LevelChange {
  const previous =
    row.was_version === null
      ? null
      : {
          onHand: Number(row.was_on_hand),
          reserved: Number(row.was_reserved),
          backordered: Number(row.was_backordered),
          incoming: Number(row.was_incoming),
          reorderPoint: row.was_reorder_point!,
        };
  return {
    productId: row.product_id,
    warehouseId: row.warehouse_id,
    sku: row.sku,
    // Sums are bigint (a product can hold more than 2^31 units in a warehouse); exact as numbers far below 2^53.
    onHand: Number(row.on_hand),
    reserved: Number(row.reserved),
    backordered: Number(row.backordered),
    incoming: Number(row.incoming),
    reorderPoint: row.reorder_point,
    version: row.version!,
    previous,
  };
}

/**
 * One set-based statement, one array parameter per column. `touched` expands
 * what was recorded into (product, warehouse) keys: stock rows by their
 * location's warehouse, purchase orders by their lines, products by every
 * warehouse where they have stock, a purchase-order line or a level row. A key
 * without a level row gets one only if it has figures to show (stock rows or
 * incoming), like the query API lists it; a key that had one keeps getting
 * records, down to zeros, so its last record is never stale.
 */
function levelStatement(t: Touched, now: Date): Prisma.Sql {
  const keys = [...t.keys.values()];
  const stockRows = [...t.stockRows.values()];
  const products = [...t.products];
  return Prisma.sql`
    WITH touched AS (
      SELECT k.product_id, k.warehouse_id FROM unnest(${keys.map((k) => k.productId)}::int[], ${keys.map((k) => k.warehouseId)}::int[]) AS k(product_id, warehouse_id)
      UNION
      SELECT s.product_id, l.warehouse_id
        FROM unnest(${stockRows.map((s) => s.productId)}::int[], ${stockRows.map((s) => s.locationId)}::int[]) AS s(product_id, location_id)
        JOIN location l ON l.location_id = s.location_id
      UNION
      SELECT pl.product_id, po.warehouse_id FROM purchase_order po JOIN purchase_order_line pl ON pl.po_id = po.po_id WHERE po.po_id = ANY(${[...t.purchaseOrders]}::int[])
      UNION
      SELECT i.product_id, l.warehouse_id FROM inventory i JOIN location l ON l.location_id = i.location_id WHERE i.product_id = ANY(${products}::int[])
      UNION
      SELECT pl.product_id, po.warehouse_id FROM purchase_order_line pl JOIN purchase_order po ON po.po_id = pl.po_id WHERE pl.product_id = ANY(${products}::int[])
      UNION
      SELECT product_id, warehouse_id FROM inventory_level WHERE product_id = ANY(${products}::int[])
    ),
    figures AS (${levelFigures(Prisma.sql`ARRAY(SELECT DISTINCT product_id FROM touched)`)}),
    current AS (
      SELECT t.product_id, t.warehouse_id, p.sku, p.reorder_point, f.product_id IS NOT NULL AS listed,
             COALESCE(f.on_hand, 0) AS on_hand, COALESCE(f.reserved, 0) AS reserved,
             COALESCE(f.backordered, 0) AS backordered, COALESCE(f.incoming, 0) AS incoming,
             v.version AS was_version, v.on_hand AS was_on_hand, v.reserved AS was_reserved,
             v.backordered AS was_backordered, v.incoming AS was_incoming, v.reorder_point AS was_reorder_point
        FROM touched t
        JOIN product p ON p.product_id = t.product_id
        LEFT JOIN figures f ON f.product_id = t.product_id AND f.warehouse_id = t.warehouse_id
        LEFT JOIN inventory_level v ON v.product_id = t.product_id AND v.warehouse_id = t.warehouse_id
    ),
    changed AS (
      SELECT * FROM current
       WHERE CASE WHEN was_version IS NULL THEN listed
                  ELSE (on_hand, reserved, backordered, incoming, reorder_point)
                       IS DISTINCT FROM (was_on_hand, was_reserved, was_backordered, was_incoming, was_reorder_point) END
    ),
    written AS (
      INSERT INTO inventory_level AS l (product_id, warehouse_id, version, on_hand, reserved, backordered, incoming, reorder_point, changed_at)
      SELECT product_id, warehouse_id, COALESCE(was_version, 0) + 1, on_hand, reserved, backordered, incoming, reorder_point, ${now}::timestamptz
        FROM changed
       ORDER BY product_id, warehouse_id
      ON CONFLICT (product_id, warehouse_id) DO UPDATE
         SET version = EXCLUDED.version, on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved, backordered = EXCLUDED.backordered,
             incoming = EXCLUDED.incoming, reorder_point = EXCLUDED.reorder_point, changed_at = EXCLUDED.changed_at
       WHERE l.version = EXCLUDED.version - 1
      RETURNING l.product_id, l.warehouse_id, l.version
    )
    SELECT c.product_id, c.warehouse_id, c.sku, c.on_hand, c.reserved, c.backordered, c.incoming, c.reorder_point, w.version,
           c.was_version, c.was_on_hand, c.was_reserved, c.was_backordered, c.was_incoming, c.was_reorder_point
      FROM changed c
      LEFT JOIN written w ON w.product_id = c.product_id AND w.warehouse_id = c.warehouse_id`;
}

// Fixed namespace of InventoryLevelChanged eventIds (UUID v5), distinct from the outbox's.
const LEVEL_NAMESPACE = 'c3a1f6d2-7b4e-4f0a-8e5d-1f9b2a6c7d40';

/** A level event's id: from its key and version only, so a retried or replayed transaction can never mint another. */
export function levelEventId(productId: number, warehouseId: number, version: number): string {
  return uuidv5(`${productId}|${warehouseId}|${version}`, LEVEL_NAMESPACE);
}

/** The InventoryLevelChanged events of the changes, keyed {productId}:{warehouseId}; status by the API's own rule. */
export function levelChangedEvents(changes: readonly LevelChange[], changedAt: Date): OutboundEvent[] {
  return changes.map((c) => {
    const { available, status } = levelStatusOf(c);
    const payload: InventoryLevelChanged = {
      productId: c.productId,
      sku: c.sku,
      warehouseId: c.warehouseId,
      onHand: c.onHand,
      reserved: c.reserved,
      available,
      backordered: c.backordered,
      incoming: c.incoming,
      status,
      previousStatus: c.previous ? levelStatusOf(c.previous).status : null,
      version: c.version,
      changedAt: changedAt.toISOString(),
    };
    return {
      eventType: 'InventoryLevelChanged',
      key: `${c.productId}:${c.warehouseId}`,
      payload,
      eventId: levelEventId(c.productId, c.warehouseId, c.version),
    };
  });
}

/**
 * For writers other than the consumer pipeline (which folds the events into
 * its own end-of-transaction statement): call last in the transaction that
 * changed figures, after every other write. `cause` is the one event or
 * command run behind the change, or eventId null when there is none.
 * Returns the staged eventIds.
 */
export async function stageLevelChanges(tx: Tx, cause: Cause, now: Date): Promise<string[]> {
  const events = levelChangedEvents(await writeLevelChanges(tx, now), now);
  return events.length > 0 ? stageOutbound(tx, [{ cause, events }], now) : [];
}
