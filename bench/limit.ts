import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { onConnections, type BenchOrder } from './baseline';

export interface LimitResult {
  events: number;
  /** Events per statement (= per transaction): the service's events per transaction in the same run. */
  batch: number;
  connections: number;
  elapsedMs: number;
  eventsPerSecond: number;
  /** Round trips per event: the write statement and the relay's "published" UPDATE, per batch. */
  statementsPerEvent: number;
  /** Deadlocks between the connections, retried (the statement locks its rows in one order, so none are expected). */
  deadlocks: number;
  check: { ok: boolean; reservedSum: number; inboxRows: number; reservations: number; ledgerRows: number; outboxRows: number; levelEvents: number };
}

/**
 * The set-based limit: what PostgreSQL can do for the service's work on this
 * machine. Exactly the rows the service writes for a run of OrderPlaced events
 * (inbox rows with their outcome, the inventory update, one reservation and
 * one RESERVE ledger row per order, one StockReserved outbox row per order,
 * one inventory_level row and one InventoryLevelChanged outbox row per
 * (product, warehouse) of the run), written by ONE statement per run: a single
 * statement is its own transaction, so a run costs one round trip and one
 * commit. After it, a second statement marks the run's outbox rows published,
 * as the relay does (that is the database's work too). Runs as large as the
 * service's transactions, on as many connections as the service has
 * transactions in flight; no Kafka, no ORM, no Node work between statements.
 *
 * What it leaves out that the service does: the look-ups before the locks
 * (open parked events, existing reservations, the product by id, the
 * warehouse choice), the level row's version check, and the inbox row's two
 * writes (the service claims it APPLYING, then writes the outcome; here it
 * is written once); the bench's orders never run short, so the availability
 * check is the UPDATE's WHERE only. The outbox envelopes have the service's
 * shape (StockReserved lines with sku and allocations; level payloads with
 * sku and previousStatus), so the rows weigh the same.
 */
const WRITE = `
  WITH ev AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::int[], $6::bigint[]) WITH ORDINALITY
      AS v(event_id, out_event_id, order_id, product_id, warehouse_id, off, n)
  ),
  claimed AS (
    INSERT INTO processed_event (event_id, event_type, topic, partition, "offset", outcome)
    SELECT event_id, 'OrderPlaced', 'orders', 0, off, 'RESERVED' FROM ev
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
  ),
  pick AS (
    -- the order's row by the service's pick sequence (src/domain/pick-sequence.ts): pick faces first, then the most
    -- available, then the lowest location id (as read: the bench's orders never exhaust a pick face, so this is the row
    -- the service takes)
    SELECT DISTINCT ON (ev.n) ev.*, p.sku, i.inventory_id, i.location_id
      FROM ev JOIN claimed USING (event_id)
      JOIN product p ON p.product_id = ev.product_id
      JOIN location l ON l.warehouse_id = ev.warehouse_id
      JOIN inventory i ON i.location_id = l.location_id AND i.product_id = ev.product_id
     WHERE i.quantity_on_hand > i.quantity_reserved
     ORDER BY ev.n, array_position(ARRAY['PICK_FACE', 'BULK', 'OVERFLOW'], l.type::text), i.quantity_on_hand - i.quantity_reserved DESC, i.location_id
  ),
  locked AS (
    -- rows locked in one global order before any is written: concurrent runs queue, never deadlock
    SELECT inventory_id FROM inventory WHERE inventory_id IN (SELECT inventory_id FROM pick) ORDER BY inventory_id FOR UPDATE
  ),
  stock AS (
    UPDATE inventory AS i SET quantity_reserved = i.quantity_reserved + t.units
      FROM (SELECT p.inventory_id, count(*)::int AS units FROM pick p JOIN locked USING (inventory_id) GROUP BY p.inventory_id) t
     WHERE i.inventory_id = t.inventory_id AND i.quantity_on_hand - i.quantity_reserved >= t.units
    RETURNING i.inventory_id, i.product_id, i.location_id, i.quantity_on_hand, i.quantity_reserved
  ),
  reserved AS (SELECT p.* FROM pick p JOIN stock USING (inventory_id)),
  held AS (
    INSERT INTO reservation (order_id, warehouse_id, product_id, location_id, quantity, event_id, created_at, updated_at)
    SELECT order_id, warehouse_id, product_id, location_id, 1, event_id, now(), now() FROM reserved
  ),
  ledger AS (
    INSERT INTO inventory_transaction (product_id, location_id, txn_type, quantity, reference_id, reference_type, performed_by, event_id, created_at)
    SELECT product_id, location_id, 'RESERVE', 1, order_id, 'ORDER', 'bench-limit', event_id, now() FROM reserved
  ),
  figures AS (
    -- a (product, warehouse)'s figures as this statement commits them: the rows it updated as updated, the others as read
    SELECT k.product_id, k.warehouse_id, k.sku, SUM(COALESCE(s.quantity_on_hand, i.quantity_on_hand))::bigint AS on_hand,
           SUM(COALESCE(s.quantity_reserved, i.quantity_reserved))::bigint AS reserved
      FROM (SELECT DISTINCT product_id, warehouse_id, sku FROM reserved) k
      JOIN location l ON l.warehouse_id = k.warehouse_id
      JOIN inventory i ON i.location_id = l.location_id AND i.product_id = k.product_id
      LEFT JOIN stock s ON s.inventory_id = i.inventory_id
     GROUP BY k.product_id, k.warehouse_id, k.sku
  ),
  level AS (
    INSERT INTO inventory_level AS v (product_id, warehouse_id, version, on_hand, reserved, backordered, incoming, reorder_point, changed_at)
    SELECT f.product_id, f.warehouse_id, 1, f.on_hand, f.reserved, 0, 0, p.reorder_point, now()
      FROM figures f JOIN product p USING (product_id)
     ORDER BY f.product_id, f.warehouse_id
    ON CONFLICT (product_id, warehouse_id) DO UPDATE
       SET version = v.version + 1, on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved, changed_at = EXCLUDED.changed_at
    RETURNING v.product_id, v.warehouse_id, v.version, v.on_hand, v.reserved, v.reorder_point
  ),
  was AS (
    -- the level rows as they were (this statement's snapshot): the events' previousStatus
    SELECT product_id, warehouse_id, on_hand - reserved < reorder_point AS low, on_hand <= reserved AS out FROM inventory_level
     WHERE (product_id, warehouse_id) IN (SELECT product_id, warehouse_id FROM figures)
  ),
  outbox AS (
    INSERT INTO outbox_event (event_id, event_type, topic, message_key, envelope, headers, created_at)
    SELECT out_event_id, 'StockReserved', 'inventory-events', order_id,
           jsonb_build_object('eventId', out_event_id, 'eventType', 'StockReserved', 'eventVersion', 1, 'occurredAt', now(),
                              'correlationId', order_id, 'causationId', event_id,
                              'payload', jsonb_build_object('orderId', order_id, 'warehouseId', warehouse_id,
                                         'lines', jsonb_build_array(jsonb_build_object('productId', product_id, 'sku', sku, 'quantity', 1,
                                                  'allocations', jsonb_build_array(jsonb_build_object('locationId', location_id, 'quantity', 1)))))),
           jsonb_build_object('event-type', 'StockReserved', 'event-id', out_event_id), now()
      FROM reserved
    UNION ALL
    SELECT l.id, 'InventoryLevelChanged', 'inventory-levels', l.product_id || ':' || l.warehouse_id,
           jsonb_build_object('eventId', id, 'eventType', 'InventoryLevelChanged', 'eventVersion', 1, 'occurredAt', now(),
                              'correlationId', null, 'causationId', null,
                              'payload', jsonb_build_object('productId', l.product_id, 'sku', f.sku, 'warehouseId', l.warehouse_id, 'onHand', l.on_hand,
                                         'reserved', l.reserved, 'available', l.on_hand - l.reserved, 'backordered', 0, 'incoming', 0,
                                         'status', CASE WHEN l.on_hand <= l.reserved THEN 'OUT_OF_STOCK' WHEN l.on_hand - l.reserved < l.reorder_point THEN 'LOW_STOCK' ELSE 'IN_STOCK' END,
                                         'previousStatus', CASE WHEN w.out THEN 'OUT_OF_STOCK' WHEN w.low THEN 'LOW_STOCK' WHEN w.low IS NOT NULL THEN 'IN_STOCK' END,
                                         'version', l.version, 'changedAt', now())),
           jsonb_build_object('event-type', 'InventoryLevelChanged', 'event-id', l.id), now()
      FROM (SELECT gen_random_uuid() AS id, * FROM level) l
      JOIN figures f ON f.product_id = l.product_id AND f.warehouse_id = l.warehouse_id
      LEFT JOIN was w ON w.product_id = l.product_id AND w.warehouse_id = l.warehouse_id
    RETURNING outbox_id
  )
  SELECT array_agg(outbox_id)::bigint[] AS ids FROM outbox`;
const PUBLISHED = `UPDATE outbox_event SET published_at = now() WHERE outbox_id = ANY($1::bigint[])`;

export async function runLimit(databaseUrl: string, orders: readonly BenchOrder[], batch: number, connections: number): Promise<LimitResult> {
  const before = await figures(databaseUrl);
  const runs: BenchOrder[][] = [];
  for (let i = 0; i < orders.length; i += batch) runs.push(orders.slice(i, i + batch));
  let next = 0;
  let deadlocks = 0;
  // Each statement is its own transaction: a deadlock rolls back that one only, and it runs again.
  const retryingDeadlocks = async <T>(statement: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await statement();
      } catch (error) {
        if ((error as { code?: string }).code !== '40P01') throw error;
        deadlocks++;
      }
    }
  };
  let offset = 0;
  const elapsedMs = await onConnections(databaseUrl, connections, async (client) => {
    for (let run = runs[next++]; run; run = runs[next++]) {
      const params = [
        run.map(() => randomUUID()),
        run.map(() => randomUUID()),
        run.map((o) => o.orderId),
        run.map((o) => o.productId),
        run.map((o) => o.warehouseId),
        run.map(() => offset++),
      ];
      const { rows } = await retryingDeadlocks(() => client.query<{ ids: string[] | null }>(WRITE, params));
      await retryingDeadlocks(() => client.query(PUBLISHED, [rows[0]?.ids ?? []]));
    }
  });
  return {
    events: orders.length,
    batch,
    connections,
    elapsedMs,
    eventsPerSecond: orders.length / (elapsedMs / 1000),
    statementsPerEvent: (2 * runs.length) / orders.length,
    deadlocks,
    check: checkLimit(before, await figures(databaseUrl), orders.length),
  };
}

const FIGURES = `
  SELECT (SELECT COALESCE(SUM(quantity_reserved), 0)::int FROM inventory) AS "reservedSum",
         (SELECT COUNT(*)::int FROM processed_event) AS "inboxRows",
         (SELECT COUNT(*)::int FROM reservation) AS reservations,
         (SELECT COUNT(*)::int FROM inventory_transaction WHERE txn_type = 'RESERVE') AS "ledgerRows",
         (SELECT COUNT(*)::int FROM outbox_event WHERE event_type = 'StockReserved') AS "outboxRows",
         (SELECT COUNT(*)::int FROM outbox_event WHERE event_type = 'InventoryLevelChanged') AS "levelEvents",
         (SELECT COALESCE(SUM(version), 0)::int FROM inventory_level) AS "levelVersions",
         (SELECT COUNT(*)::int FROM outbox_event WHERE published_at IS NULL) AS unpublished`;
type Figures = Omit<LimitResult['check'], 'ok'> & { levelVersions: number; unpublished: number };

async function figures(databaseUrl: string): Promise<Figures> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Figures>(FIGURES)).rows[0]!;
  } finally {
    await client.end();
  }
}

/**
 * Against the figures before the run (the catalogue's import left level rows
 * and unpublished outbox rows): every order reserved once, with its inbox row,
 * reservation, ledger row and outcome; one level event per new level version;
 * everything written published.
 */
function checkLimit(before: Figures, after: Figures, events: number): LimitResult['check'] {
  const d = (k: keyof Figures) => after[k] - before[k];
  const check = {
    reservedSum: d('reservedSum'),
    inboxRows: d('inboxRows'),
    reservations: d('reservations'),
    ledgerRows: d('ledgerRows'),
    outboxRows: d('outboxRows'),
    levelEvents: d('levelEvents'),
  };
  const ok =
    [check.reservedSum, check.inboxRows, check.reservations, check.ledgerRows, check.outboxRows].every((n) => n === events) &&
    check.levelEvents === d('levelVersions') &&
    d('unpublished') === 0;
  return { ok, ...check };
}
