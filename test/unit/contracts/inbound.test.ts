import { inboundEvents, inboundEventTypes, isInboundEventType, type InboundEventType, type OrderPlaced, type OrderShipped } from '../../../src/contracts';
import { inboundExamples, withChange } from './examples';

type Change = (payload: any) => void;

function parse(eventType: InboundEventType, payload: unknown) {
  return inboundEvents[eventType].payload.safeParse(payload);
}

/** The paths of the issues, as "lines.0.quantity", for readable expectations. */
function issuePaths(eventType: InboundEventType, change: Change): string[] {
  const result = parse(eventType, withChange(inboundExamples[eventType], change));
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

const nul = 'a\u0000b';
const line = (n: number) => ({ productId: n + 1, quantity: 1 });

describe('inbound payload examples', () => {
  test.each(inboundEventTypes)('%s example is valid', (eventType) => {
    expect(parse(eventType, inboundExamples[eventType]).success).toBe(true);
  });

  test('the registry covers exactly the contract inbound event types', () => {
    expect([...inboundEventTypes].sort()).toEqual(
      [
        'GoodsReceived',
        'OrderCancelled',
        'OrderConfirmed',
        'OrderPlaced',
        'OrderShipped',
        'PurchaseOrderStatusChanged',
        'StockAdjusted',
        'StockCounted',
        'StockTransferred',
      ].sort(),
    );
  });

  test('eventType lookups only find own registry entries', () => {
    expect(isInboundEventType('OrderPlaced')).toBe(true);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'StockReserved', 'orderplaced']) {
      expect(isInboundEventType(name)).toBe(false);
    }
  });
});

// Product lines are shared by the three line-carrying events; each case
// breaks the first line of the event's valid example.
describe.each(['OrderPlaced', 'OrderShipped', 'GoodsReceived'] as const)('%s lines', (eventType) => {
  test.each<[string, Change, string]>([
    ['neither productId nor sku', (p) => (p.lines[0] = { quantity: 1 }), 'lines.0'],
    ['productId and sku both null', (p) => (p.lines[0] = { productId: null, sku: null, quantity: 1 }), 'lines.0'],
    ['quantity 0', (p) => (p.lines[0].quantity = 0), 'lines.0.quantity'],
    ['negative quantity', (p) => (p.lines[0].quantity = -3), 'lines.0.quantity'],
    ['quantity over 1,000,000', (p) => (p.lines[0].quantity = 1_000_001), 'lines.0.quantity'],
    ['fractional quantity', (p) => (p.lines[0].quantity = 1.5), 'lines.0.quantity'],
    ['quantity as a string', (p) => (p.lines[0].quantity = '2'), 'lines.0.quantity'],
    ['missing quantity', (p) => delete p.lines[0].quantity, 'lines.0.quantity'],
    ['productId 0', (p) => (p.lines[0] = { productId: 0, quantity: 1 }), 'lines.0.productId'],
    ['productId beyond int4', (p) => (p.lines[0] = { productId: 2 ** 31, quantity: 1 }), 'lines.0.productId'],
    ['productId as a string', (p) => (p.lines[0] = { productId: '1', quantity: 1 }), 'lines.0.productId'],
    ['empty sku', (p) => (p.lines[0] = { sku: '', quantity: 1 }), 'lines.0.sku'],
    ['sku of 65 characters', (p) => (p.lines[0] = { sku: 'S'.repeat(65), quantity: 1 }), 'lines.0.sku'],
    ['sku with a NUL byte', (p) => (p.lines[0] = { sku: nul, quantity: 1 }), 'lines.0.sku'],
    ['sku as a number', (p) => (p.lines[0] = { sku: 12, quantity: 1 }), 'lines.0.sku'],
    ['a line that is not an object', (p) => (p.lines[0] = 'SKU-1'), 'lines.0'],
    ['no lines', (p) => (p.lines = []), 'lines'],
    ['501 lines', (p) => (p.lines = Array.from({ length: 501 }, (_, i) => line(i))), 'lines'],
    ['lines as an object', (p) => (p.lines = { 0: line(0) }), 'lines'],
  ])('rejects %s', (_name, change, path) => {
    expect(issuePaths(eventType, change)).toContain(path);
  });

  test('accepts 500 lines, a line with both productId and sku, and sku of 64 characters', () => {
    expect(issuePaths(eventType, (p) => (p.lines = Array.from({ length: 500 }, (_, i) => line(i))))).toEqual([]);
    expect(issuePaths(eventType, (p) => (p.lines[0] = { productId: 1, sku: 'SKU-1', quantity: 1 }))).toEqual([]);
    expect(issuePaths(eventType, (p) => (p.lines[0] = { sku: 'S'.repeat(64), quantity: 1_000_000 }))).toEqual([]);
  });
});

describe('order events', () => {
  test.each<[string, InboundEventType, Change, string]>([
    ['missing orderId', 'OrderPlaced', (p) => delete p.orderId, 'orderId'],
    ['empty orderId', 'OrderCancelled', (p) => (p.orderId = ''), 'orderId'],
    ['orderId of 65 characters', 'OrderShipped', (p) => (p.orderId = 'O'.repeat(65)), 'orderId'],
    ['orderId with a NUL byte', 'OrderPlaced', (p) => (p.orderId = nul), 'orderId'],
    ['numeric orderId', 'OrderPlaced', (p) => (p.orderId = 42), 'orderId'],
    ['warehouseId 0', 'OrderPlaced', (p) => (p.warehouseId = 0), 'warehouseId'],
    ['warehouseId as a string', 'OrderPlaced', (p) => (p.warehouseId = '1'), 'warehouseId'],
    ['missing lines', 'OrderPlaced', (p) => delete p.lines, 'lines'],
    ['reason of 501 characters', 'OrderCancelled', (p) => (p.reason = 'r'.repeat(501)), 'reason'],
    ['reason with a NUL byte', 'OrderCancelled', (p) => (p.reason = nul), 'reason'],
    ['empty shipmentId', 'OrderShipped', (p) => (p.shipmentId = ''), 'shipmentId'],
    ['shipmentId of 65 characters', 'OrderShipped', (p) => (p.shipmentId = 's'.repeat(65)), 'shipmentId'],
    ['an empty lines list on OrderShipped', 'OrderShipped', (p) => (p.lines = []), 'lines'],
  ])('rejects %s', (_name, eventType, change, path) => {
    expect(issuePaths(eventType, change)).toContain(path);
  });

  test('optional fields may be absent or null (null reads as absent)', () => {
    const placed = parse('OrderPlaced', { orderId: 'O', warehouseId: null, lines: [{ productId: 1, sku: null, quantity: 1 }] });
    expect(placed.success && placed.data).toEqual({ orderId: 'O', warehouseId: undefined, lines: [{ productId: 1, quantity: 1 }] });
    expect(parse('OrderCancelled', { orderId: 'O' }).success).toBe(true);
    expect(parse('OrderCancelled', { orderId: 'O', reason: 'r'.repeat(500) }).success).toBe(true);
  });

  test('OrderShipped without lines (or with null) means everything reserved', () => {
    for (const payload of [{ orderId: 'O' }, { orderId: 'O', lines: null, shipmentId: null }]) {
      const result = parse('OrderShipped', payload);
      expect(result.success).toBe(true);
      const shipped = (result as { data: OrderShipped }).data;
      expect(shipped.lines).toBeUndefined();
      expect(shipped.shipmentId).toBeUndefined();
    }
  });

  test('unknown fields are stripped, not rejected', () => {
    const result = parse('OrderPlaced', { ...inboundExamples.OrderPlaced, channel: 'web', lines: [{ sku: 'A', quantity: 1, note: 'x' }] });
    expect(result.success).toBe(true);
    const placed = (result as unknown as { data: OrderPlaced }).data;
    expect(placed).not.toHaveProperty('channel');
    expect(placed.lines[0]).toEqual({ sku: 'A', quantity: 1 });
  });
});

describe('GoodsReceived', () => {
  test.each<[string, Change, string]>([
    ['missing poId', (p) => delete p.poId, 'poId'],
    ['poId 0', (p) => (p.poId = 0), 'poId'],
    ['negative poId', (p) => (p.poId = -7), 'poId'],
    ['poId beyond int4', (p) => (p.poId = 2 ** 31), 'poId'],
    ['poId as a string', (p) => (p.poId = '7'), 'poId'],
    ['missing receiptId', (p) => delete p.receiptId, 'receiptId'],
    ['empty receiptId', (p) => (p.receiptId = ''), 'receiptId'],
    ['receiptId of 65 characters', (p) => (p.receiptId = 'R'.repeat(65)), 'receiptId'],
    ['receivedBy of 129 characters', (p) => (p.receivedBy = 'b'.repeat(129)), 'receivedBy'],
    ['receivedBy with a NUL byte', (p) => (p.receivedBy = nul), 'receivedBy'],
    ['locationId 0', (p) => (p.lines[0].locationId = 0), 'lines.0.locationId'],
    ['missing lines', (p) => delete p.lines, 'lines'],
  ])('rejects %s', (_name, change, path) => {
    expect(issuePaths('GoodsReceived', change)).toContain(path);
  });

  test('accepts receivedBy of 128 characters and a line without locationId', () => {
    expect(issuePaths('GoodsReceived', (p) => (p.receivedBy = 'b'.repeat(128)))).toEqual([]);
    expect(issuePaths('GoodsReceived', (p) => delete p.lines[0].locationId)).toEqual([]);
  });
});

describe('PurchaseOrderStatusChanged (from procurement)', () => {
  test.each(['SENT', 'CONFIRMED', 'CANCELLED'])('accepts %s', (status) => {
    expect(issuePaths('PurchaseOrderStatusChanged', (p) => (p.status = status))).toEqual([]);
  });

  test.each(['PARTIAL', 'RECEIVED', 'DRAFT', 'confirmed', '', null])('rejects status %p', (status) => {
    expect(issuePaths('PurchaseOrderStatusChanged', (p) => (p.status = status))).toContain('status');
  });

  test('rejects a missing poId', () => {
    expect(issuePaths('PurchaseOrderStatusChanged', (p) => delete p.poId)).toContain('poId');
  });
});

describe('stock operations', () => {
  test.each<[string, InboundEventType, Change, string]>([
    ['StockAdjusted without a product', 'StockAdjusted', (p) => delete p.sku, ''],
    ['StockCounted without a product', 'StockCounted', (p) => delete p.productId, ''],
    ['StockTransferred without a product', 'StockTransferred', (p) => delete p.productId, ''],
    ['quantityDelta 0', 'StockAdjusted', (p) => (p.quantityDelta = 0), 'quantityDelta'],
    ['quantityDelta over 1,000,000', 'StockAdjusted', (p) => (p.quantityDelta = 1_000_001), 'quantityDelta'],
    ['quantityDelta under -1,000,000', 'StockAdjusted', (p) => (p.quantityDelta = -1_000_001), 'quantityDelta'],
    ['fractional quantityDelta', 'StockAdjusted', (p) => (p.quantityDelta = 0.5), 'quantityDelta'],
    ['missing reason', 'StockAdjusted', (p) => delete p.reason, 'reason'],
    ['reason of 501 characters', 'StockAdjusted', (p) => (p.reason = 'r'.repeat(501)), 'reason'],
    ['reason with a NUL byte', 'StockAdjusted', (p) => (p.reason = nul), 'reason'],
    ['missing locationId', 'StockAdjusted', (p) => delete p.locationId, 'locationId'],
    ['negative countedQuantity', 'StockCounted', (p) => (p.countedQuantity = -1), 'countedQuantity'],
    ['countedQuantity over 1,000,000', 'StockCounted', (p) => (p.countedQuantity = 1_000_001), 'countedQuantity'],
    ['countedQuantity as a string', 'StockCounted', (p) => (p.countedQuantity = '5'), 'countedQuantity'],
    ['transfer quantity 0', 'StockTransferred', (p) => (p.quantity = 0), 'quantity'],
    ['transfer quantity over 1,000,000', 'StockTransferred', (p) => (p.quantity = 1_000_001), 'quantity'],
    ['missing fromLocationId', 'StockTransferred', (p) => delete p.fromLocationId, 'fromLocationId'],
    ['toLocationId 0', 'StockTransferred', (p) => (p.toLocationId = 0), 'toLocationId'],
  ])('rejects %s', (_name, eventType, change, path) => {
    expect(issuePaths(eventType, change)).toContain(path);
  });

  test('accepts the bounds', () => {
    expect(issuePaths('StockAdjusted', (p) => (p.quantityDelta = 1_000_000))).toEqual([]);
    expect(issuePaths('StockAdjusted', (p) => (p.quantityDelta = -1_000_000))).toEqual([]);
    expect(issuePaths('StockCounted', (p) => (p.countedQuantity = 1_000_000))).toEqual([]);
    expect(issuePaths('StockTransferred', (p) => (p.quantity = 1_000_000))).toEqual([]);
  });
});
