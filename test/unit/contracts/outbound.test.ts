import { outboundEvents, outboundEventTypes, type OutboundEventType } from '../../../src/contracts';
import { outboundExamples, withChange } from './examples';

function issuePaths(eventType: OutboundEventType, change: (payload: any) => void): string[] {
  const result = outboundEvents[eventType].payload.safeParse(withChange(outboundExamples[eventType], change));
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('outbound payloads', () => {
  test.each(outboundEventTypes)('%s example is valid', (eventType) => {
    expect(issuePaths(eventType, () => {})).toEqual([]);
  });

  test('each event type goes to the topic the contract names', () => {
    const byTopic = (topic: string) => outboundEventTypes.filter((t) => outboundEvents[t].topic === topic).sort();
    expect(byTopic('inventory-events')).toEqual(
      [
        'BackorderAllocated',
        'GoodsReceiptRecorded',
        'GoodsReceiptRejected',
        'InsufficientStock',
        'ReservationExpired',
        'StockAdjustmentRejected',
        'StockReleased',
        'StockReserved',
        'StockShipped',
      ].sort(),
    );
    expect(byTopic('purchase-orders')).toEqual(['PurchaseOrderCreated', 'PurchaseOrderStatusChanged']);
    expect(byTopic('inventory-levels')).toEqual(['InventoryLevelChanged']);
  });

  test('every key field exists in the example payload', () => {
    for (const eventType of outboundEventTypes) {
      // A composite key ({productId}:{warehouseId}) names each of its fields.
      for (const field of outboundEvents[eventType].key.split(':')) expect(outboundExamples[eventType]).toHaveProperty(field);
    }
  });

  test.each<[string, OutboundEventType, (payload: any) => void, string]>([
    ['a reservation line without allocations', 'StockReserved', (p) => (p.lines[0].allocations = []), 'lines.0.allocations'],
    ['a null warehouseId on StockReserved', 'StockReserved', (p) => (p.warehouseId = null), 'warehouseId'],
    ['an unknown InsufficientStock reason', 'InsufficientStock', (p) => (p.lines[0].reason = 'OUT_OF_STOCK'), 'lines.0.reason'],
    ['negative available', 'InsufficientStock', (p) => (p.lines[0].available = -1), 'lines.0.available'],
    ['an undefined shipmentId (must be null)', 'StockShipped', (p) => delete p.shipmentId, 'shipmentId'],
    ['a receipt leaving the PO CONFIRMED', 'GoodsReceiptRecorded', (p) => (p.poStatus = 'CONFIRMED'), 'poStatus'],
    ['an unknown GoodsReceiptRejected reason', 'GoodsReceiptRejected', (p) => (p.reason = 'LATE'), 'reason'],
    ['a missing detail', 'GoodsReceiptRejected', (p) => delete p.detail, 'detail'],
    ['an empty adjustment reason', 'StockAdjustmentRejected', (p) => (p.reason = ''), 'reason'],
    ['unitCost as a number', 'PurchaseOrderCreated', (p) => (p.lines[0].unitCost = 12.5), 'lines.0.unitCost'],
    ['unitCost with one decimal', 'PurchaseOrderCreated', (p) => (p.lines[0].unitCost = '12.5'), 'lines.0.unitCost'],
    ['expectedDate with a time', 'PurchaseOrderCreated', (p) => (p.expectedDate = '2026-12-01T00:00:00Z'), 'expectedDate'],
    ['an unknown trigger', 'PurchaseOrderCreated', (p) => (p.trigger = 'MANUAL'), 'trigger'],
    ['an outbound status change to CONFIRMED', 'PurchaseOrderStatusChanged', (p) => (p.status = 'CONFIRMED'), 'status'],
    ['a missing previousStatus', 'PurchaseOrderStatusChanged', (p) => delete p.previousStatus, 'previousStatus'],
    ['an unknown level status', 'InventoryLevelChanged', (p) => (p.status = 'DISCONTINUED'), 'status'],
    ['an undefined previousStatus (must be null on a first record)', 'InventoryLevelChanged', (p) => delete p.previousStatus, 'previousStatus'],
    ['negative available', 'InventoryLevelChanged', (p) => (p.available = -1), 'available'],
    ['version 0', 'InventoryLevelChanged', (p) => (p.version = 0), 'version'],
  ])('rejects %s', (_name, eventType, change, path) => {
    expect(issuePaths(eventType, change)).toContain(path);
  });

  test('quantities are not capped at the inbound 1,000,000 (merged lines may exceed it)', () => {
    expect(issuePaths('StockReleased', (p) => (p.lines[0].quantity = 2_000_000))).toEqual([]);
  });

  test('a first level record has previousStatus null', () => {
    expect(issuePaths('InventoryLevelChanged', (p) => (p.previousStatus = null))).toEqual([]);
  });

  test('StockReleased may list no lines', () => {
    expect(issuePaths('StockReleased', (p) => (p.lines = []))).toEqual([]);
  });
});
