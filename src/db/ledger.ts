import type { Tx } from './types';
import type { TxnType } from '../generated/prisma/enums';

export interface LedgerEntry {
  productId: number;
  locationId: number;
  txnType: TxnType;
  /** Signed: the change to on_hand (RECEIVE, SHIP, ADJUST, TRANSFER) or to reserved (RESERVE +, RELEASE -). */
  quantity: number;
  referenceType: 'ORDER' | 'PURCHASE_ORDER' | 'ADJUSTMENT' | 'COUNT' | 'TRANSFER' | 'IMPORT';
  referenceId: string;
  performedBy?: string | null;
  /** The event that caused this row, when it differs from the batch's (several orders reserved at once). */
  eventId?: string | null;
}

/**
 * Appends ledger rows (the ledger is never updated or deleted), one statement
 * with one array parameter per column however many rows: the hot path writes
 * hundreds at a time, and Prisma's createMany spends far more CPU per row.
 */
export async function appendLedger(tx: Tx, eventId: string | null, entries: readonly LedgerEntry[], now: Date): Promise<void> {
  if (entries.length === 0) return;
  const column = <T>(pick: (e: LedgerEntry) => T) => entries.map(pick);
  await tx.$executeRaw`
    INSERT INTO inventory_transaction (product_id, location_id, txn_type, quantity, reference_id, reference_type, performed_by, event_id, created_at)
    SELECT product_id, location_id, txn_type::txn_type, quantity, reference_id, reference_type, performed_by, event_id::uuid, ${now}::timestamptz
      FROM unnest(${column((e) => e.productId)}::int[], ${column((e) => e.locationId)}::int[], ${column((e) => e.txnType)}::text[],
                  ${column((e) => e.quantity)}::int[], ${column((e) => e.referenceId)}::text[], ${column((e) => e.referenceType)}::text[],
                  ${column((e) => e.performedBy ?? 'inventory-service')}::text[], ${column((e) => e.eventId ?? eventId)}::text[])
        AS v(product_id, location_id, txn_type, quantity, reference_id, reference_type, performed_by, event_id)`;
}
