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

/** Appends ledger rows; the ledger is never updated or deleted. */
export async function appendLedger(tx: Tx, eventId: string | null, entries: readonly LedgerEntry[], now: Date): Promise<void> {
  if (entries.length === 0) return;
  await tx.inventoryTransaction.createMany({
    data: entries.map((e) => ({ ...e, performedBy: e.performedBy ?? 'inventory-service', eventId: e.eventId ?? eventId, createdAt: now })),
  });
}
