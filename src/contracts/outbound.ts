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

/** Every purchase-order status; the database enum purchase_order_status. */
export const purchaseOrderStatus = z.enum(PURCHASE_ORDER_STATUSES);
/** The statuses a goods receipt can leave a purchase order in. */
export const receivingPoStatus = z.enum(['PARTIAL', 'RECEIVED']);

export const stockReservedPayload = z.object({
  orderId,
  warehouseId: id,
  lines: z.array(z.object({ productId: id, sku, quantity: count, allocations: z.array(allocation).min(1) })).min(1),
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

// May be empty: a cancelled order can have nothing left to release.
export const stockReleasedPayload = z.object({
  orderId,
  lines: z.array(z.object({ productId: id, sku, quantity: count })),
});

export const stockShippedPayload = z.object({
  orderId,
  shipmentId: text(1, 64).nullable(),
  lines: z.array(z.object({ productId: id, sku, quantity: count, allocations: z.array(allocation).min(1) })).min(1),
});

export const goodsReceiptRecordedPayload = z.object({
  poId: id,
  receiptId: text(1, 64),
  poStatus: receivingPoStatus,
  lines: z.array(z.object({ productId: id, sku, quantity: count, locationId: id })).min(1),
});

export const goodsReceiptRejectedReason = z.enum([
  'UNKNOWN_PO',
  'INVALID_PO_STATUS',
  'PRODUCT_NOT_ON_PO',
  'OVER_RECEIPT',
  'NO_PUTAWAY_CAPACITY',
]);

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

export type StockReserved = z.infer<typeof stockReservedPayload>;
export type InsufficientStock = z.infer<typeof insufficientStockPayload>;
export type StockReleased = z.infer<typeof stockReleasedPayload>;
export type StockShipped = z.infer<typeof stockShippedPayload>;
export type GoodsReceiptRecorded = z.infer<typeof goodsReceiptRecordedPayload>;
export type GoodsReceiptRejected = z.infer<typeof goodsReceiptRejectedPayload>;
export type StockAdjustmentRejected = z.infer<typeof stockAdjustmentRejectedPayload>;
export type PurchaseOrderCreated = z.infer<typeof purchaseOrderCreatedPayload>;
export type PurchaseOrderStatusChangedOutbound = z.infer<typeof purchaseOrderStatusChangedOutboundPayload>;

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
    description: 'What was still reserved for a cancelled order has been released.',
    payload: stockReleasedPayload,
  },
  StockShipped: {
    topic: 'inventory-events',
    key: 'orderId',
    description: 'Quantities shipped out of the reservation; on-hand and reserved both went down.',
    payload: stockShippedPayload,
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
} as const satisfies Record<string, OutboundEventSpec>;

export type OutboundEventType = keyof typeof outboundEvents;
export type OutboundPayload<T extends OutboundEventType> = z.infer<(typeof outboundEvents)[T]['payload']>;

export const outboundEventTypes = Object.keys(outboundEvents) as OutboundEventType[];
