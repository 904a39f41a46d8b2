import type { EventHandler } from './pipeline/handler';
import { orderPlaced } from './order-placed';
import { orderShipped } from './order-shipped';
import { orderCancelled } from './order-cancelled';
import { stockAdjusted } from './stock-adjusted';
import { stockCounted } from './stock-counted';
import { stockTransferred } from './stock-transferred';
import { goodsReceived } from './goods-received';
import { purchaseOrderStatusChanged } from './purchase-order-status-changed';

/** Every inbound event type the service applies: one handler file each. */
export const handlers: readonly EventHandler[] = [orderPlaced, orderShipped, orderCancelled, stockAdjusted, stockCounted, stockTransferred, goodsReceived, purchaseOrderStatusChanged];

/** eventType -> handler. Where each type must arrive is the contract's (inboundEvents), checked when parsing. */
export function handlersByType(list: readonly EventHandler[] = handlers): Map<string, EventHandler> {
  return new Map(list.map((h) => [h.eventType, h]));
}
