import { purchaseOrderStatusChangedPayload } from '../src/contracts';
import { transitionFromProcurement } from '../src/domain/purchase-order-status';
import { EventRejectedError } from '../src/errors';
import { lockPurchaseOrder, setPurchaseOrderStatus } from '../src/db/purchase-orders';
import { defineHandler } from './pipeline/handler';

/**
 * PurchaseOrderStatusChanged from procurement: DRAFT -> SENT -> CONFIRMED,
 * or any open status -> CANCELLED. The PO row is locked first, so a receipt
 * of the same PO cannot slip in between the check and the write (a PO
 * cancelled here is then refused by receiving as INVALID_PO_STATUS).
 *
 * An unknown PO or an illegal transition can never succeed: dead letter. The
 * status the PO already has is a no-op (transitionFromProcurement: procurement
 * retries under new eventIds), writing and publishing nothing.
 *
 * Nothing is published for these changes. Procurement made them and already
 * knows; the contract lists PurchaseOrderStatusChanged on purchase-orders as
 * PARTIAL/RECEIVED only, the receiving side that this service owns, and the
 * outbound schema pins that. Consumers that validate the status strictly
 * would break on SENT/CONFIRMED/CANCELLED from us, and procurement would read
 * its own change echoed back. Widening it later is a contract change.
 */
export const purchaseOrderStatusChanged = defineHandler({
  eventType: 'PurchaseOrderStatusChanged',
  payload: purchaseOrderStatusChangedPayload,
  async handle(ctx, change) {
    const po = await lockPurchaseOrder(ctx.tx, change.poId);
    if (!po) throw new EventRejectedError('UNKNOWN_PO', `purchase order ${change.poId} does not exist`);
    const transition = transitionFromProcurement(po.status, change.status);
    if (!transition.ok) throw new EventRejectedError(transition.reason, `purchase order ${change.poId}: ${transition.detail}`);
    if (!transition.changed) return 'STATUS_UNCHANGED';
    await setPurchaseOrderStatus(ctx.tx, change.poId, transition.status, ctx.now);
    ctx.log.info({ poId: change.poId, status: transition.status, previousStatus: transition.previousStatus }, 'purchase order status changed by procurement');
    return 'STATUS_CHANGED';
  },
});
