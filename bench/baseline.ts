import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

export interface BenchOrder {
  orderId: string;
  productId: number;
  /** The warehouse that stocks the product (the baseline skips choosing one). */
  warehouseId: number;
}

export interface BaselineResult {
  events: number;
  reserved: number;
  short: number;
  elapsedMs: number;
  eventsPerSecond: number;
  /** Round trips per event: BEGIN, lock, UPDATE, INSERT, COMMIT. */
  statementsPerEvent: number;
  check: { ok: boolean; reservedSum: number; ledgerRows: number };
}

const LOCK = `
  SELECT i.inventory_id, i.location_id, i.quantity_on_hand - i.quantity_reserved AS available
    FROM inventory i JOIN location l ON l.location_id = i.location_id
   WHERE i.product_id = $1 AND l.warehouse_id = $2
   ORDER BY i.product_id, i.location_id
     FOR UPDATE OF i`;
const RESERVE = `UPDATE inventory SET quantity_reserved = quantity_reserved + $2 WHERE inventory_id = $1`;
const LEDGER = `
  INSERT INTO inventory_transaction (product_id, location_id, txn_type, quantity, reference_id, reference_type, performed_by, event_id, created_at)
  VALUES ($1, $2, 'RESERVE', $3, $4, 'ORDER', 'bench-baseline', $5::uuid, now())`;

/**
 * The reference point: the same reservation the service makes (lock the
 * product's rows in the warehouse, check what is available, reserve, append a
 * RESERVE ledger row), as raw SQL through `pg`, one transaction per event,
 * with `concurrency` workers each on its own connection. No Kafka, no inbox,
 * no outbox, no reservation row, no ORM: what one event costs at minimum on
 * the per-event FOR UPDATE path.
 */
export async function runBaseline(databaseUrl: string, orders: readonly BenchOrder[], concurrency: number): Promise<BaselineResult> {
  let next = 0;
  let reserved = 0;
  let short = 0;
  const elapsedMs = await onConnections(databaseUrl, concurrency, async (client) => {
    for (;;) {
      const order = orders[next++];
      if (!order) return;
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<{ inventory_id: number; location_id: number; available: number }>(LOCK, [order.productId, order.warehouseId]);
        const row = rows.find((r) => r.available >= 1);
        if (!row) {
          await client.query('ROLLBACK');
          short++;
          continue;
        }
        await client.query(RESERVE, [row.inventory_id, 1]);
        await client.query(LEDGER, [order.productId, row.location_id, 1, order.orderId, randomUUID()]);
        await client.query('COMMIT');
        reserved++;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
  });
  return {
    events: orders.length,
    reserved,
    short,
    elapsedMs,
    eventsPerSecond: orders.length / (elapsedMs / 1000),
    statementsPerEvent: 5,
    check: await checkBaseline(databaseUrl, reserved),
  };
}

/**
 * Runs `work` on `connections` connections of their own at once; the wall
 * time (ms) from the first to the last one done, connecting not counted.
 */
export async function onConnections(databaseUrl: string, connections: number, work: (client: Client) => Promise<void>): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      return c;
    }),
  );
  const started = process.hrtime.bigint();
  try {
    await Promise.all(clients.map(work));
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function checkBaseline(databaseUrl: string, reserved: number): Promise<BaselineResult['check']> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ reserved_sum: number; ledger_rows: number }>(
      `SELECT (SELECT COALESCE(SUM(quantity_reserved), 0)::int FROM inventory) AS reserved_sum,
              (SELECT COUNT(*)::int FROM inventory_transaction WHERE txn_type = 'RESERVE') AS ledger_rows`,
    );
    const { reserved_sum: reservedSum, ledger_rows: ledgerRows } = rows[0]!;
    return { ok: reservedSum === reserved && ledgerRows === reserved, reservedSum, ledgerRows };
  } finally {
    await client.end();
  }
}
