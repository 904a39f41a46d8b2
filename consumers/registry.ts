import type { InboundEventType } from '../src/contracts';
import type { EventHandler } from './pipeline/handler';
import { orderPlaced } from './order-placed';
import { orderShipped } from './order-shipped';
import { orderCancelled } from './order-cancelled';
import { stockAdjusted } from './stock-adjusted';
import { stockCounted } from './stock-counted';
import { stockTransferred } from './stock-transferred';
import { goodsReceived } from './goods-received';
import { purchaseOrderStatusChanged } from './purchase-order-status-changed';

/**
 * Every inbound event type of the contract and its handler, one file each.
 * Keyed by the contract's inbound types: a type without a handler (or a
 * handler for a type the contract does not have) does not compile.
 */
export const handlers: { readonly [T in InboundEventType]: EventHandler & { eventType: T } } = {
  OrderPlaced: orderPlaced,
  OrderShipped: orderShipped,
  OrderCancelled: orderCancelled,
  StockAdjusted: stockAdjusted,
  StockCounted: stockCounted,
  StockTransferred: stockTransferred,
  GoodsReceived: goodsReceived,
  PurchaseOrderStatusChanged: purchaseOrderStatusChanged,
};

/** eventType -> handler. Where each type must arrive is the contract's (inboundEvents), checked when parsing. */
export function handlersByType(list: readonly EventHandler[] = Object.values(handlers)): Map<string, EventHandler> {
  return new Map(list.map((h) => [h.eventType, h]));
}
