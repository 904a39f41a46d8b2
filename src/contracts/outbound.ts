import { z } from 'zod';
import { MAX_ID, id, orderId, sku, text } from './primitives';
import type { OutboundTopic } from './topics';
import { PURCHASE_ORDER_STATUSES } from '../domain/purchase-order-status';
import { REPLENISHMENT_TRIGGERS } from '../domain/replenishment';
import { STOCK_OPERATION_REJECTIONS } from '../domain/stock-operations';

/**
 * Outbound payloads. Quantities here are not capped at the inbound 1,000,000:
 * merged lines may sum past it, and a publish must never fail on our own data.
 */

const count = z.int().min(1).max(MAX_ID);
const allocation = z.object({ locationId: id, quantity: count });
/** Contract v2: an allocation names its warehouse (orders split across warehouses). */
const sourcedAllocation = allocation.extend({ warehouseId: id.optional() });

/** Every purchase-order status; the database enum purchase_order_status. */
export const purchaseOrderStatus = z.enum(PURCHASE_ORDER_STATUSES);
/** The statuses a goods receipt can leave a purchase order in. */
export const receivingPoStatus = z.enum(['PARTIAL', 'RECEIVED']);

/**
 * quantity stays the ordered quantity; the allocations sum to quantity -
 * backordered (contract v2), so a v1 line (no backordered) needs at least one.
 */
const reservedLine = z
  .object({ productId: id, sku, quantity: count, backordered: z.int().min(0).max(MAX_ID).optional(), allocations: z.array(sourcedAllocation) })
  .refine((l) => l.allocations.reduce((sum, a) => sum + a.quantity, 0) === l.quantity - (l.backordered ?? 0), {
    message: 'allocations must sum to quantity - backordered',
    path: ['allocations'],
  });

export const stockReservedPayload = z.object({
  orderId,
  /** The warehouse holding the most units of the order (lowest id on a tie). */
  warehouseId: id,
  /** Contract v2: every warehouse holding part of the order. */
  warehouseIds: z.array(id).min(1).optional(),
  lines: z.array(reservedLine).min(1),
  // v2: the hold's deadline (UTC, milliseconds), null for a firm reservation of
  // an order placed with v2 options; absent for a v1 order (its events keep the v1 shape).
  holdUntil: z.iso.datetime().nullable().optional().meta({
    description:
      "v2: the hold's deadline as recorded (UTC, milliseconds); null for a firm reservation. Absent for an order placed without any v2 option (holdUntil, sourcing, backorder).",
  }),
});

export const insufficientStockReason = z.enum(['INSUFFICIENT_STOCK', 'UNKNOWN_PRODUCT', 'INACTIVE_PRODUCT']);

export const insufficientStockPayload = z.object({
  orderId,
  warehouseId: id.nullable(),
  // Only the lines that could not be reserved.
  lines: z
    .array(
      z.object({
        productId: id.nullable(),
        sku: sku.nullable(),
        requested: count,
        available: z.int().min(0).max(MAX_ID),
        reason: insufficientStockReason,
      }),
    )
    .min(1),
});

/** v2: why a reservation was released: the order was cancelled, or its hold passed its deadline. */
export const releaseReason = z.enum(['CANCELLED', 'EXPIRED']);

// May be empty: a cancelled order can have nothing left to release.
// A line released only backordered units (contract v2) has quantity 0.
export const stockReleasedPayload = z.object({
  orderId,
  lines: z.array(
    z
      .object({ productId: id, sku, quantity: z.int().min(0).max(MAX_ID), backorderCancelled: z.int().min(0).max(MAX_ID).optional() })
      .refine((l) => l.quantity + (l.backorderCancelled ?? 0) > 0, { message: 'a line releases or cancels at least one unit', path: ['quantity'] }),
  ),
  reason: releaseReason.optional().meta({
    description:
      'v2: CANCELLED (OrderCancelled) or EXPIRED (the hold passed its holdUntil; a ReservationExpired with the same lines goes with it). Absent for an order placed without any v2 option: it was cancelled.',
  }),
});

// v2: a hold passed its holdUntil (expiredAt) and its reservation was
// released, in the same transaction as the StockReleased with reason EXPIRED.
// lines is what was still reserved; it may be empty (an order with nothing
// left on the shelf for it still learns that its hold ended).
export const reservationExpiredPayload = z.object({
  orderId,
  expiredAt: z.iso.datetime().meta({ description: "The hold's holdUntil (the envelope occurredAt says when it was released)." }),
  lines: z.array(z.object({ productId: id, sku, quantity: count })),
});

export const stockShippedPayload = z.object({
  orderId,
  shipmentId: text(1, 64).nullable(),
  lines: z.array(z.object({ productId: id, sku, quantity: count, allocations: z.array(sourcedAllocation).min(1) })).min(1),
});

/** Contract v2: stock arrived and was reserved for an order's backorder. */
export const backorderAllocatedPayload = z.object({
  orderId,
  warehouseId: id,
  lines: z
    .array(z.object({ productId: id, sku, quantity: count, allocations: z.array(allocation).min(1), stillBackordered: z.int().min(0).max(MAX_ID) }))
    .min(1),
});

export const goodsReceiptRecordedPayload = z.object({
  poId: id,
  receiptId: text(1, 64),
  poStatus: receivingPoStatus,
  lines: z.array(z.object({ productId: id, sku, quantity: count, locationId: id })).min(1),
});

export const goodsReceiptRejectedReason = z.enum(['UNKNOWN_PO', 'INVALID_PO_STATUS', 'PRODUCT_NOT_ON_PO', 'OVER_RECEIPT', 'NO_PUTAWAY_CAPACITY']);

export const goodsReceiptRejectedPayload = z.object({
  poId: id,
  receiptId: text(1, 64),
  reason: goodsReceiptRejectedReason,
  detail: text(0, 1000),
});

export const stockAdjustmentRejectedPayload = z.object({
  productId: id.nullable(),
  sku: sku.nullable(),
  locationId: id,
  /** A stable code (src/domain/stock-operations.ts); the human detail is logged, not published. */
  reason: z.enum(STOCK_OPERATION_REJECTIONS),
});

export const replenishmentTrigger = z.enum(REPLENISHMENT_TRIGGERS);

export const purchaseOrderCreatedPayload = z.object({
  poId: id,
  supplierId: id,
  warehouseId: id,
  status: purchaseOrderStatus,
  // Today in the warehouse's own time zone plus the product's lead time.
  expectedDate: z.iso.date(),
  trigger: replenishmentTrigger,
  lines: z
    .array(
      z.object({
        productId: id,
        sku,
        quantity: count,
        // A decimal string so no consumer rounds it through a float: NUMERIC(12,2) via toFixed(2).
        unitCost: z.string().regex(/^\d{1,10}\.\d{2}$/, { message: 'must be a decimal with two places, e.g. "12.50"' }),
      }),
    )
    .min(1),
});

/** Outbound form: the receiving side of the lifecycle, which this service owns. */
export const purchaseOrderStatusChangedOutboundPayload = z.object({
  poId: id,
  status: receivingPoStatus,
  previousStatus: purchaseOrderStatus,
});

/** A (product, warehouse)'s status for people and storefronts: OUT_OF_STOCK at available 0, LOW_STOCK below the reorder point. */
export const inventoryLevelStatus = z.enum(['IN_STOCK', 'LOW_STOCK', 'OUT_OF_STOCK']);

// Sums over a warehouse's rows: they may pass 2^31 (each row may not), so any safe integer.
const figure = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * The figures of one (product, warehouse) as a transaction committed them;
 * the latest record per key on the compacted inventory-levels topic is the
 * current level. version rises with every change of the key, in topic order.
 */
export const inventoryLevelChangedPayload = z.object({
  productId: id,
  sku,
  warehouseId: id,
  onHand: figure,
  reserved: figure,
  /** onHand - reserved, never negative. */
  available: figure,
  backordered: figure,
  /** Still to come on purchase orders in SENT, CONFIRMED or PARTIAL (ordered minus received). */
  incoming: figure,
  status: inventoryLevelStatus,
  /** The status of this key's previous record; null on its first. */
  previousStatus: inventoryLevelStatus.nullable(),
  version: z.int().min(1).max(MAX_ID),
  changedAt: z.iso.datetime({ offset: true }),
});

export type StockReserved = z.infer<typeof stockReservedPayload>;
export type InsufficientStock = z.infer<typeof insufficientStockPayload>;
export type StockReleased = z.infer<typeof stockReleasedPayload>;
export type StockShipped = z.infer<typeof stockShippedPayload>;
export type BackorderAllocated = z.infer<typeof backorderAllocatedPayload>;
export type ReservationExpired = z.infer<typeof reservationExpiredPayload>;
export type GoodsReceiptRecorded = z.infer<typeof goodsReceiptRecordedPayload>;
export type GoodsReceiptRejected = z.infer<typeof goodsReceiptRejectedPayload>;
export type StockAdjustmentRejected = z.infer<typeof stockAdjustmentRejectedPayload>;
export type PurchaseOrderCreated = z.infer<typeof purchaseOrderCreatedPayload>;
export type PurchaseOrderStatusChangedOutbound = z.infer<typeof purchaseOrderStatusChangedOutboundPayload>;
export type InventoryLevelChanged = z.infer<typeof inventoryLevelChangedPayload>;

interface OutboundEventSpec {
  topic: OutboundTopic;
  /** The payload field whose value is the message key. */
  key: string;
  description: string;
  payload: z.ZodType;
}

/** Every outbound event type: the topic it is published to, its key and payload. */
export const outboundEvents = {
  StockReserved: {
    topic: 'inventory-events',
    key: 'orderId',
    description: 'Every line of the order is reserved, with the locations it was allocated from.',
    payload: stockReservedPayload,
  },
  InsufficientStock: {
    topic: 'inventory-events',
    key: 'orderId',
    description: 'The order could not be reserved; lists only the lines that failed.',
    payload: insufficientStockPayload,
  },
  StockReleased: {
    topic: 'inventory-events',
    key: 'orderId',
    description: 'What was still reserved for an order has been released: the order was cancelled, or its hold expired (reason).',
    payload: stockReleasedPayload,
  },
  ReservationExpired: {
    topic: 'inventory-events',
    key: 'orderId',
    description: 'A hold passed its holdUntil (expiredAt) and was released, together with a StockReleased of reason EXPIRED. causationId is null.',
    payload: reservationExpiredPayload,
  },
  StockShipped: {
    topic: 'inventory-events',
    key: 'orderId',
    description: 'Quantities shipped out of the reservation; on-hand and reserved both went down.',
    payload: stockShippedPayload,
  },
  BackorderAllocated: {
    topic: 'inventory-events',
    key: 'orderId',
    description: "Stock arrived and was reserved for the order's backorder, oldest backorder first, in the same transaction as the arrival.",
    payload: backorderAllocatedPayload,
  },
  GoodsReceiptRecorded: {
    topic: 'inventory-events',
    key: 'poId',
    description: 'A goods receipt was put away; poStatus is the purchase order status after it.',
    payload: goodsReceiptRecordedPayload,
  },
  GoodsReceiptRejected: {
    topic: 'inventory-events',
    key: 'poId',
    description: 'A goods receipt was refused and nothing of it applied.',
    payload: goodsReceiptRejectedPayload,
  },
  StockAdjustmentRejected: {
    topic: 'inventory-events',
    // The contract says "orderId or poId" for this topic, but an adjustment
    // has neither: it is keyed like its cause, by location.
    key: 'locationId',
    description: 'A stock operation was refused, e.g. it would take on-hand below reserved or below zero.',
    payload: stockAdjustmentRejectedPayload,
  },
  PurchaseOrderCreated: {
    topic: 'purchase-orders',
    key: 'poId',
    description: 'The service created a replenishment purchase order.',
    payload: purchaseOrderCreatedPayload,
  },
  PurchaseOrderStatusChanged: {
    topic: 'purchase-orders',
    key: 'poId',
    description: 'A receipt moved a purchase order to PARTIAL or RECEIVED.',
    payload: purchaseOrderStatusChangedOutboundPayload,
  },
  InventoryLevelChanged: {
    topic: 'inventory-levels',
    // The key is `{productId}:{warehouseId}`, built from two payload fields.
    key: 'productId:warehouseId',
    description:
      'The figures of one (product, warehouse) after a transaction that changed them; compacted topic, the latest record per key is the current level.',
    payload: inventoryLevelChangedPayload,
  },
} as const satisfies Record<string, OutboundEventSpec>;

export type OutboundEventType = keyof typeof outboundEvents;
export type OutboundPayload<T extends OutboundEventType> = z.infer<(typeof outboundEvents)[T]['payload']>;

export const outboundEventTypes = Object.keys(outboundEvents) as OutboundEventType[];
