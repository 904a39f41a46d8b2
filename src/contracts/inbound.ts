import { z } from 'zod';
import { id, lines, optional, orderId, productRefShape, quantity, requireProductRef, text } from './primitives';
import type { InboundTopic } from './topics';
import { PROCUREMENT_STATUSES } from '../domain/purchase-order-status';

/**
 * Inbound payloads, exactly as docs/contract.md states them.
 * Unknown fields are stripped, not rejected: producers may add fields.
 */

const orderLine = requireProductRef(z.object({ ...productRefShape, quantity }));

export const orderPlacedPayload = z.object({
  orderId,
  warehouseId: optional(id),
  lines: lines(orderLine),
});

export const orderCancelledPayload = z.object({
  orderId,
  reason: optional(text(0, 500)),
});

export const orderShippedPayload = z.object({
  orderId,
  shipmentId: optional(text(1, 64)),
  // Absent means "ship everything still reserved"; an empty list is refused
  // rather than guessed at.
  lines: optional(lines(orderLine)),
});

const receiptLine = requireProductRef(z.object({ ...productRefShape, quantity, locationId: optional(id) }));

export const goodsReceivedPayload = z.object({
  poId: id,
  receiptId: text(1, 64),
  lines: lines(receiptLine),
  receivedBy: optional(text(0, 128)),
});

/** The statuses procurement may set; PARTIAL and RECEIVED are the service's own. */
export const procurementPoStatus = z.enum(PROCUREMENT_STATUSES);

export const purchaseOrderStatusChangedPayload = z.object({
  poId: id,
  status: procurementPoStatus,
});

export const stockAdjustedPayload = requireProductRef(
  z.object({
    ...productRefShape,
    locationId: id,
    quantityDelta: z
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .refine((delta) => delta !== 0, { message: 'quantityDelta must not be 0' })
      .meta({ not: { const: 0 } }),
    reason: text(0, 500),
  }),
);

export const stockCountedPayload = requireProductRef(
  z.object({ ...productRefShape, locationId: id, countedQuantity: z.int().min(0).max(1_000_000) }),
);

export const stockTransferredPayload = requireProductRef(
  z.object({ ...productRefShape, fromLocationId: id, toLocationId: id, quantity }),
);

export type OrderPlaced = z.infer<typeof orderPlacedPayload>;
export type OrderCancelled = z.infer<typeof orderCancelledPayload>;
export type OrderShipped = z.infer<typeof orderShippedPayload>;
export type GoodsReceived = z.infer<typeof goodsReceivedPayload>;
export type PurchaseOrderStatusChanged = z.infer<typeof purchaseOrderStatusChangedPayload>;
export type StockAdjusted = z.infer<typeof stockAdjustedPayload>;
export type StockCounted = z.infer<typeof stockCountedPayload>;
export type StockTransferred = z.infer<typeof stockTransferredPayload>;
export type OrderLine = z.infer<typeof orderLine>;
export type ReceiptLine = z.infer<typeof receiptLine>;

interface InboundEventSpec {
  topic: InboundTopic;
  /** The payload field whose value producers use as the message key. */
  key: string;
  description: string;
  payload: z.ZodType;
}

/** Every inbound event type: where it must arrive, how it is keyed, its payload. */
export const inboundEvents = {
  OrderPlaced: {
    topic: 'orders',
    key: 'orderId',
    description: 'Reserve every line or none; without warehouseId, in the one warehouse that covers every line (lowest id wins a tie).',
    payload: orderPlacedPayload,
  },
  OrderCancelled: {
    topic: 'orders',
    key: 'orderId',
    description: 'Release whatever is still reserved for the order.',
    payload: orderCancelledPayload,
  },
  OrderShipped: {
    topic: 'orders',
    key: 'orderId',
    description: "Ship the given quantities out of the order's reservation (all of it when lines is absent).",
    payload: orderShippedPayload,
  },
  GoodsReceived: {
    topic: 'goods-receipts',
    key: 'poId',
    description: 'Receive goods against a CONFIRMED or PARTIAL purchase order; without locationId the service chooses put-away.',
    payload: goodsReceivedPayload,
  },
  PurchaseOrderStatusChanged: {
    topic: 'purchase-order-updates',
    key: 'poId',
    description: 'Procurement moved a purchase order to SENT, CONFIRMED or CANCELLED.',
    payload: purchaseOrderStatusChangedPayload,
  },
  StockAdjusted: {
    topic: 'inventory-operations',
    key: 'locationId',
    description: 'Adjust on-hand stock at a location by a signed, non-zero delta.',
    payload: stockAdjustedPayload,
  },
  StockCounted: {
    topic: 'inventory-operations',
    key: 'locationId',
    description: 'Cycle count; the service records the difference as an ADJUST.',
    payload: stockCountedPayload,
  },
  StockTransferred: {
    topic: 'inventory-operations',
    // The contract keys inventory-operations by locationId; a transfer has two.
    key: 'fromLocationId',
    description: 'Move stock between two locations.',
    payload: stockTransferredPayload,
  },
} as const satisfies Record<string, InboundEventSpec>;

export type InboundEventType = keyof typeof inboundEvents;
export type InboundPayload<T extends InboundEventType> = z.infer<(typeof inboundEvents)[T]['payload']>;

export const inboundEventTypes = Object.keys(inboundEvents) as InboundEventType[];

/** Own-property check: `constructor` or `__proto__` as an eventType must not find anything. */
export function isInboundEventType(eventType: string): eventType is InboundEventType {
  return Object.hasOwn(inboundEvents, eventType);
}
