import { Prisma } from '../generated/prisma/client';
import type { Tx } from './types';
import { recordPurchaseOrderChanges } from './level-changes';
import type { PurchaseOrderStatus } from '../domain/purchase-order-status';
import type { PurchaseOrderLine } from '../domain/receiving';

export interface LockedPurchaseOrder {
  poId: number;
  warehouseId: number;
  status: PurchaseOrderStatus;
  lines: PurchaseOrderLine[];
}

/**
 * Locks a purchase order row (FOR UPDATE) and then its lines, or returns null
 * when there is no such PO. Everything that changes a PO's status or its
 * received quantities takes this lock first, so receipts and procurement
 * updates of one PO apply one after the other, each on what the previous one
 * committed.
 */
export async function lockPurchaseOrder(tx: Tx, poId: number): Promise<LockedPurchaseOrder | null> {
  const [po] = await tx.$queryRaw<{ po_id: number; warehouse_id: number; status: PurchaseOrderStatus }[]>`
    SELECT po_id, warehouse_id, status::text AS status FROM purchase_order WHERE po_id = ${poId} FOR UPDATE`;
  if (!po) return null;
  const lines = await tx.$queryRaw<{ product_id: number; ordered: number; received: number }[]>`
    SELECT product_id, quantity_ordered AS ordered, quantity_received AS received
      FROM purchase_order_line WHERE po_id = ${poId}
     ORDER BY po_line_id
       FOR UPDATE`;
  return {
    poId: po.po_id,
    warehouseId: po.warehouse_id,
    status: po.status,
    lines: lines.map((l) => ({ productId: l.product_id, ordered: l.ordered, received: l.received })),
  };
}

/** A status change moves what the PO's lines count as incoming (SENT, CONFIRMED and PARTIAL count; DRAFT and the closed ones do not). */
export async function setPurchaseOrderStatus(tx: Tx, poId: number, status: PurchaseOrderStatus, now: Date): Promise<void> {
  recordPurchaseOrderChanges(tx, [poId]);
  await tx.purchaseOrder.update({ where: { poId }, data: { status, updatedAt: now } });
}

/** The PO a receiptId was booked against, or null when it was never applied. */
export async function appliedReceipt(tx: Tx, receiptId: string): Promise<{ poId: number } | null> {
  return tx.goodsReceipt.findUnique({ where: { receiptId }, select: { poId: true } });
}

export interface ReceiptRecord {
  poId: number;
  receiptId: string;
  eventId: string;
  receivedBy: string | null;
  /** Units received now per product (only products this receipt touched). */
  received: readonly { productId: number; quantity: number }[];
}

/**
 * Books a receipt on its (locked) PO: adds to the lines' quantity_received in
 * one statement and records the receiptId, so the same receipt sent again
 * under another eventId is recognised.
 */
export async function recordReceipt(tx: Tx, receipt: ReceiptRecord, now: Date): Promise<void> {
  recordPurchaseOrderChanges(tx, [receipt.poId]); // what is still incoming went down
  if (receipt.received.length > 0) {
    const values = Prisma.join(receipt.received.map((r) => Prisma.sql`(${r.productId}::int, ${r.quantity}::int)`));
    await tx.$executeRaw`
      UPDATE purchase_order_line AS pl
         SET quantity_received = pl.quantity_received + v.quantity
        FROM (VALUES ${values}) AS v(product_id, quantity)
       WHERE pl.po_id = ${receipt.poId} AND pl.product_id = v.product_id`;
  }
  await tx.goodsReceipt.create({
    data: { receiptId: receipt.receiptId, poId: receipt.poId, eventId: receipt.eventId, receivedBy: receipt.receivedBy, createdAt: now },
  });
}
