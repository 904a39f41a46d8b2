import type { InboundEventType, OutboundEventType } from '../../../src/contracts';

/** One valid payload per event type, as another team would send it. */
export const inboundExamples: Record<InboundEventType, Record<string, unknown>> = {
  OrderPlaced: {
    orderId: 'ORD-1',
    warehouseId: 1,
    lines: [
      { productId: 1, quantity: 2 },
      { sku: 'SKU-2', quantity: 1 },
    ],
  },
  OrderCancelled: { orderId: 'ORD-1', reason: 'customer changed their mind' },
  OrderShipped: { orderId: 'ORD-1', shipmentId: 'SHP-1', lines: [{ sku: 'SKU-2', quantity: 1 }] },
  OrderConfirmed: { orderId: 'ORD-1' },
  GoodsReceived: {
    poId: 7,
    receiptId: 'RCV-1',
    lines: [
      { productId: 1, quantity: 10, locationId: 3 },
      { sku: 'SKU-2', quantity: 5 },
    ],
    receivedBy: 'dock-team-a',
  },
  PurchaseOrderStatusChanged: { poId: 7, status: 'CONFIRMED' },
  StockAdjusted: { sku: 'SKU-2', locationId: 3, quantityDelta: -4, reason: 'damaged in handling' },
  StockCounted: { productId: 1, locationId: 3, countedQuantity: 0 },
  StockTransferred: { productId: 1, fromLocationId: 3, toLocationId: 4, quantity: 6 },
};

export const outboundExamples: Record<OutboundEventType, Record<string, unknown>> = {
  StockReserved: {
    orderId: 'ORD-1',
    warehouseId: 1,
    lines: [{ productId: 1, sku: 'SKU-1', quantity: 2, allocations: [{ locationId: 3, quantity: 2 }] }],
    holdUntil: null,
  },
  InsufficientStock: {
    orderId: 'ORD-1',
    warehouseId: null,
    lines: [{ productId: null, sku: 'NOPE', requested: 2, available: 0, reason: 'UNKNOWN_PRODUCT' }],
  },
  StockReleased: { orderId: 'ORD-1', lines: [{ productId: 1, sku: 'SKU-1', quantity: 2 }], reason: 'CANCELLED' },
  ReservationExpired: { orderId: 'ORD-1', expiredAt: '2026-11-26T12:15:00.000Z', lines: [{ productId: 1, sku: 'SKU-1', quantity: 2 }] },
  StockShipped: {
    orderId: 'ORD-1',
    shipmentId: null,
    lines: [{ productId: 1, sku: 'SKU-1', quantity: 2, allocations: [{ locationId: 3, quantity: 2 }] }],
  },
  BackorderAllocated: {
    orderId: 'ORD-1',
    warehouseId: 1,
    lines: [{ productId: 1, sku: 'SKU-1', quantity: 2, allocations: [{ locationId: 3, quantity: 2 }], stillBackordered: 1 }],
  },
  GoodsReceiptRecorded: {
    poId: 7,
    receiptId: 'RCV-1',
    poStatus: 'PARTIAL',
    lines: [{ productId: 1, sku: 'SKU-1', quantity: 10, locationId: 3 }],
  },
  GoodsReceiptRejected: { poId: 7, receiptId: 'RCV-1', reason: 'OVER_RECEIPT', detail: 'SKU-1: 12 > 10 open' },
  StockAdjustmentRejected: { productId: 1, sku: 'SKU-1', locationId: 3, reason: 'BELOW_RESERVED' },
  PurchaseOrderCreated: {
    poId: 8,
    supplierId: 2,
    warehouseId: 1,
    status: 'DRAFT',
    expectedDate: '2026-12-01',
    trigger: 'REORDER_POINT',
    lines: [{ productId: 1, sku: 'SKU-1', quantity: 50, unitCost: '12.50' }],
  },
  PurchaseOrderStatusChanged: { poId: 7, status: 'RECEIVED', previousStatus: 'PARTIAL' },
  InventoryLevelChanged: {
    productId: 1,
    sku: 'SKU-1',
    warehouseId: 1,
    onHand: 12,
    reserved: 4,
    available: 8,
    backordered: 0,
    incoming: 50,
    status: 'LOW_STOCK',
    previousStatus: 'IN_STOCK',
    version: 3,
    changedAt: '2026-12-01T12:00:00.000Z',
  },
};

export function envelope(eventType: string, payload: unknown, extra: Record<string, unknown> = {}) {
  return {
    eventId: '6f1c1d8e-3c1b-4f7e-9d8a-0b7a2f6f4a11',
    eventType,
    eventVersion: 1,
    occurredAt: '2026-11-26T12:00:00.000Z',
    correlationId: 'checkout-8812',
    causationId: null,
    payload,
    ...extra,
  };
}

/** Deep copy with one change, so each case starts from a valid example. */
export function withChange<T>(value: T, change: (draft: any) => void): T {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}
