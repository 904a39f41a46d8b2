import { goodsReceivedPayload, type GoodsReceiptRejected } from '../src/contracts';
import { checkReceipt, type ResolvedReceiptLine } from '../src/domain/receiving';
import { planReceiptPutaway, type ReceiptPutawayLine, type ReceiptPutawayPlan } from '../src/domain/receipt-putaway';
import type { Tx } from '../src/db/types';
import { productMeasures, resolveProductLines } from '../src/db/products';
import { applyStockChanges } from '../src/db/inventory';
import { appendLedger } from '../src/db/ledger';
import { lockStorageLocations, storageLocations } from '../src/db/locations';
import { appliedReceipt, lockPurchaseOrder, recordReceipt, setPurchaseOrderStatus } from '../src/db/purchase-orders';
import { defineHandler } from './pipeline/handler';
import { fillBackordersInTransaction } from '../src/backorders/fill';

/**
 * GoodsReceived: book a delivery against its purchase order, whole or not at
 * all, in the event's one transaction: stock per (product, location), RECEIVE
 * ledger rows, the PO lines' received quantities, the PO status, the
 * receiptId, and the outcome events.
 *
 * A refused receipt (unknown PO, wrong status, product not on the PO,
 * over-receipt, no room) is a business outcome for the dock, published as
 * GoodsReceiptRejected, not a dead letter. It applies nothing and does NOT
 * record its receiptId: the dock can fix the cause (confirm the PO, free
 * space, correct a quantity) and resend the same receiptId. Only an applied
 * receipt consumes its receiptId; sent again under a new eventId it changes
 * and publishes nothing (DUPLICATE_RECEIPT).
 */
export const goodsReceived = defineHandler({
  eventType: 'GoodsReceived',
  payload: goodsReceivedPayload,
  async handle(ctx, receipt) {
    const { tx, now } = ctx;
    const { poId, receiptId } = receipt;
    const reject = (reason: GoodsReceiptRejected['reason'], detail: string): string => {
      ctx.emit({ eventType: 'GoodsReceiptRejected', key: String(poId), payload: { poId, receiptId, reason, detail: detail.slice(0, 1000) } });
      return reason;
    };

    // The PO lock first: a second delivery of this receiptId waits here and then sees the first one's goods_receipt row.
    const po = await lockPurchaseOrder(tx, poId);
    const earlier = await appliedReceipt(tx, receiptId);
    if (earlier) {
      if (earlier.poId !== poId) ctx.log.warn({ receiptId, poId, bookedOn: earlier.poId }, 'receiptId was already applied to another purchase order; ignored');
      return 'DUPLICATE_RECEIPT';
    }
    if (!po) return reject('UNKNOWN_PO', `purchase order ${poId} does not exist`);

    const resolved = await resolveProductLines(tx, receipt.lines);
    // An unknown product (or a productId and sku naming two products) keeps what the sender named, so it is reported as not on the PO.
    const check = checkReceipt(
      po,
      resolved.map((l): ResolvedReceiptLine =>
        l.product
          ? { productId: l.product.productId, sku: l.product.sku, quantity: l.quantity }
          : { productId: l.sku === null ? l.productId : null, sku: l.sku, quantity: l.quantity },
      ),
      ctx.settings.receiptOverTolerancePercent,
    );
    if (!check.ok) return reject(check.reason, check.detail);

    // checkReceipt passed, so every line's product exists and is on the PO.
    const productIds = [...new Set(resolved.map((l) => l.product!.productId))];
    const products = await productMeasures(tx, productIds);
    const lines = resolved.map((l, i): ReceiptPutawayLine => ({
      product: products.get(l.product!.productId)!,
      quantity: l.quantity,
      locationId: receipt.lines[i]!.locationId,
    }));
    const plan = await planAndLockPutaway(tx, po.warehouseId, lines, productIds);
    if (!plan.ok) return reject(plan.reason, plan.detail);

    const receivedBy = receipt.receivedBy || null;
    const { placements } = plan;
    await applyStockChanges(
      tx,
      placements.map((p) => ({ productId: p.productId, locationId: p.locationId, onHandDelta: p.quantity, reservedDelta: 0 })),
      now,
    );
    await appendLedger(
      tx,
      ctx.eventId,
      placements.map((p) => ({
        productId: p.productId,
        locationId: p.locationId,
        txnType: 'RECEIVE',
        quantity: p.quantity,
        referenceType: 'PURCHASE_ORDER',
        referenceId: String(poId),
        performedBy: receivedBy,
      })),
      now,
    );
    const received = check.lines.filter((l) => l.receivedNow > 0).map((l) => ({ productId: l.productId, quantity: l.receivedNow }));
    await recordReceipt(tx, { poId, receiptId, eventId: ctx.eventId, receivedBy, received }, now);
    if (check.statusChanged) await setPurchaseOrderStatus(tx, poId, check.poStatus, now);

    ctx.emit({ eventType: 'GoodsReceiptRecorded', key: String(poId), payload: { poId, receiptId, poStatus: check.poStatus, lines: placements } });
    if (check.statusChanged) {
      ctx.emit({ eventType: 'PurchaseOrderStatusChanged', key: String(poId), payload: { poId, status: check.poStatus, previousStatus: check.previousStatus } });
    }
    // Received stock goes to open backorders first, in this transaction (contract v2).
    await fillBackordersInTransaction(
      ctx,
      placements.map((p) => ({ productId: p.productId, warehouseId: po.warehouseId })),
    );
    return 'RECEIVED';
  },
});

/**
 * Plans on an unlocked read of the warehouse, then locks exactly the
 * locations the plan writes to and plans again on their fresh contents. If
 * another receipt filled one of them meanwhile the new plan may reach for
 * further locations: those are locked in the next round, until the plan uses
 * only locked locations (the locked set only grows, so this ends). Locking
 * the whole warehouse instead would serialise all its receipts. A later round
 * locks out of location_id order; the rare deadlock that allows is detected by
 * PostgreSQL and retried by the runner like any transient fault.
 */
async function planAndLockPutaway(tx: Tx, warehouseId: number, lines: ReceiptPutawayLine[], productIds: number[]): Promise<ReceiptPutawayPlan> {
  const locations = new Map((await storageLocations(tx, warehouseId, productIds)).map((l) => [l.locationId, l]));
  const locked = new Set<number>();
  for (;;) {
    const plan = planReceiptPutaway(lines, [...locations.values()]);
    if (!plan.ok) return plan;
    const toLock = [...new Set(plan.placements.map((p) => p.locationId))].filter((id) => !locked.has(id));
    if (toLock.length === 0) return plan;
    for (const fresh of await lockStorageLocations(tx, warehouseId, toLock, productIds)) locations.set(fresh.locationId, fresh);
    for (const id of toLock) locked.add(id);
  }
}
