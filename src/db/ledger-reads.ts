import type { Db } from './client';

export interface LedgerRow {
  txnId: bigint;
  productId: number;
  sku: string;
  warehouseId: number;
  locationId: number;
  type: string;
  quantity: number;
  referenceType: string | null;
  referenceId: string | null;
  performedBy: string | null;
  eventId: string | null;
  createdAt: Date;
}

export interface LedgerFilter {
  productId?: number;
  locationId?: number;
  referenceId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Keyset: rows older than this txnId. */
  before?: bigint;
  limit: number;
}

/**
 * Ledger rows newest first (by txnId, which grows with every append, so the
 * order is stable even for rows of one transaction that share a createdAt).
 * No locks.
 */
export async function readLedger(db: Db, f: LedgerFilter): Promise<LedgerRow[]> {
  return db.$queryRaw<LedgerRow[]>`
    SELECT t.txn_id AS "txnId", t.product_id AS "productId", p.sku, l.warehouse_id AS "warehouseId", t.location_id AS "locationId",
           t.txn_type::text AS type, t.quantity, t.reference_type AS "referenceType", t.reference_id AS "referenceId",
           t.performed_by AS "performedBy", t.event_id::text AS "eventId", t.created_at AS "createdAt"
      FROM inventory_transaction t JOIN product p ON p.product_id = t.product_id JOIN location l ON l.location_id = t.location_id
     WHERE (${f.productId ?? null}::int IS NULL OR t.product_id = ${f.productId ?? null}::int)
       AND (${f.locationId ?? null}::int IS NULL OR t.location_id = ${f.locationId ?? null}::int)
       AND (${f.referenceId ?? null}::text IS NULL OR t.reference_id = ${f.referenceId ?? null}::text)
       AND (${f.from ?? null}::timestamptz IS NULL OR t.created_at >= ${f.from ?? null}::timestamptz)
       AND (${f.to ?? null}::timestamptz IS NULL OR t.created_at < ${f.to ?? null}::timestamptz)
       AND (${f.before ?? null}::bigint IS NULL OR t.txn_id < ${f.before ?? null}::bigint)
     ORDER BY t.txn_id DESC
     LIMIT ${f.limit}`;
}
