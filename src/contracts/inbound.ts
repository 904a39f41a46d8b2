import { z } from 'zod';
import { id, lines, optional, orderId, productRefShape, quantity, requireProductRef, text } from './primitives';
import type { InboundTopic } from './topics';
import { PROCUREMENT_STATUSES } from '../domain/purchase-order-status';

/**
 * Inbound payloads, exactly as docs/contract.md states them.
 * Unknown fields are stripped, not rejected: producers may add fields.
 */

const orderLine = requireProductRef(z.object({ ...productRefShape, quantity }));

/** Contract v2: how an order may be sourced and whether short lines may be backordered. */
export const sourcing = z.enum(['SINGLE_WAREHOUSE', 'SPLIT']);
export const backorderPolicy = z.enum(['NEVER', 'ALLOW']);

export const orderPlacedPayload = z
  .object({
    orderId,
    warehouseId: optional(id),
    lines: lines(orderLine),
    // v2: the reservation is a hold released at this instant unless the order is
    // confirmed or shipped first. Its window is checked against the envelope
    // (holdWithinWindow below). Absent: a firm reservation, as in v1.
    holdUntil: optional(z.iso.datetime({ offset: true })).meta({
      description:
        'Optional (v2). The reservation is a hold released at this instant unless the order is confirmed (OrderConfirmed) or shipped first. After the envelope occurredAt and at most 30 days after it, else INVALID_PAYLOAD. Kept to the millisecond.',
    }),
    sourcing: optional(sourcing),
    backorder: optional(backorderPolicy),
  })
  // A split order chooses its warehouses; naming one contradicts that.
  .refine((order) => !(order.sourcing === 'SPLIT' && order.warehouseId !== undefined), {
    message: 'sourcing SPLIT cannot be combined with warehouseId',
    path: ['sourcing'],
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

// v2: the order's hold becomes firm (no expiry).
export const orderConfirmedPayload = z.object({ orderId });

/** The longest hold an OrderPlaced may ask for, counted from its envelope's occurredAt. */
export const MAX_HOLD_DAYS = 30;

/**
 * holdUntil must lie after the envelope's occurredAt and at most
 * MAX_HOLD_DAYS after it (contract v2), compared as instants. A rule across
 * envelope and payload, so it runs after both have parsed.
 */
export function holdWithinWindow(order: { holdUntil?: string | undefined }, envelope: { occurredAt: string }): string | null {
  if (order.holdUntil === undefined) return null;
  const [placedAt, holdUntil] = [Date.parse(envelope.occurredAt), Date.parse(order.holdUntil)];
  if (holdUntil <= placedAt) return `payload.holdUntil: ${order.holdUntil} is not after the envelope's occurredAt ${envelope.occurredAt}`;
  if (holdUntil - placedAt > MAX_HOLD_DAYS * 86_400_000)
    return `payload.holdUntil: ${order.holdUntil} is more than ${MAX_HOLD_DAYS} days after the envelope's occurredAt ${envelope.occurredAt}`;
  return null;
}

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

export const stockCountedPayload = requireProductRef(z.object({ ...productRefShape, locationId: id, countedQuantity: z.int().min(0).max(1_000_000) }));

export const stockTransferredPayload = requireProductRef(z.object({ ...productRefShape, fromLocationId: id, toLocationId: id, quantity }));

export type OrderPlaced = z.infer<typeof orderPlacedPayload>;
export type OrderCancelled = z.infer<typeof orderCancelledPayload>;
export type OrderShipped = z.infer<typeof orderShippedPayload>;
export type OrderConfirmed = z.infer<typeof orderConfirmedPayload>;
export type GoodsReceived = z.infer<typeof goodsReceivedPayload>;
export type PurchaseOrderStatusChanged = z.infer<typeof purchaseOrderStatusChangedPayload>;
export type StockAdjusted = z.infer<typeof stockAdjustedPayload>;
export type StockCounted = z.infer<typeof stockCountedPayload>;
export type StockTransferred = z.infer<typeof stockTransferredPayload>;
export type OrderLine = z.infer<typeof orderLine>;
export type ReceiptLine = z.infer<typeof receiptLine>;

export interface InboundEventSpec {
  topic: InboundTopic;
  /** The payload field whose value producers use as the message key. */
  key: string;
  description: string;
  /** The envelope eventVersions the service knows for this type; any other is dead-lettered UNSUPPORTED_EVENT_VERSION. */
  versions: readonly number[];
  payload: z.ZodType;
  /** A rule across the parsed payload and its envelope: the problem (INVALID_PAYLOAD), or null. */
  checkAgainstEnvelope?: (payload: any, envelope: { occurredAt: string }) => string | null;
}

/** Every inbound event type: where it must arrive, how it is keyed, its payload. */
export const inboundEvents = {
  OrderPlaced: {
    topic: 'orders',
    key: 'orderId',
    description: 'Reserve every line or none; without warehouseId, in the one warehouse that covers every line (lowest id wins a tie).',
    versions: [1],
    payload: orderPlacedPayload,
    checkAgainstEnvelope: holdWithinWindow,
  },
  OrderCancelled: {
    topic: 'orders',
    key: 'orderId',
    description: 'Release whatever is still reserved for the order.',
    versions: [1],
    payload: orderCancelledPayload,
  },
  OrderShipped: {
    topic: 'orders',
    key: 'orderId',
    description: "Ship the given quantities out of the order's reservation (all of it when lines is absent).",
    versions: [1],
    payload: orderShippedPayload,
  },
  OrderConfirmed: {
    topic: 'orders',
    key: 'orderId',
    description: "The order's hold becomes firm: its reservation no longer expires. Unknown or already firm: no change; expired: dead-lettered HOLD_EXPIRED.",
    versions: [1],
    payload: orderConfirmedPayload,
  },
  GoodsReceived: {
    topic: 'goods-receipts',
    key: 'poId',
    description: 'Receive goods against a CONFIRMED or PARTIAL purchase order; without locationId the service chooses put-away.',
    versions: [1],
    payload: goodsReceivedPayload,
  },
  PurchaseOrderStatusChanged: {
    topic: 'purchase-order-updates',
    key: 'poId',
    description: 'Procurement moved a purchase order to SENT, CONFIRMED or CANCELLED.',
    versions: [1],
    payload: purchaseOrderStatusChangedPayload,
  },
  StockAdjusted: {
    topic: 'inventory-operations',
    key: 'locationId',
    description: 'Adjust on-hand stock at a location by a signed, non-zero delta.',
    versions: [1],
    payload: stockAdjustedPayload,
  },
  StockCounted: {
    topic: 'inventory-operations',
    key: 'locationId',
    description: 'Cycle count; the service records the difference as an ADJUST.',
    versions: [1],
    payload: stockCountedPayload,
  },
  StockTransferred: {
    topic: 'inventory-operations',
    // The contract keys inventory-operations by locationId; a transfer has two.
    key: 'fromLocationId',
    description: 'Move stock between two locations.',
    versions: [1],
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
