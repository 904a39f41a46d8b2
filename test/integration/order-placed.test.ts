import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { smallCatalog } from '../fixtures/catalog';

describe('OrderPlaced through Kafka', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog(
        [
          { sku: 'HAMMER', location: 'A-01-1-01', quantity: 5 },
          { sku: 'HAMMER', location: 'B-01-1-01', quantity: 20 },
          { sku: 'SAW', location: 'A-01-1-02', quantity: 3 },
          { sku: 'DRILL', location: 'A-01-1-01', quantity: 10 },
          { sku: 'DRILL', warehouse: 'WH2', location: 'A-01-1-01', quantity: 50 },
        ],
        [{ sku: 'RETIRED', isActive: false }],
      ),
    );
    await stack.startService();
  });

  afterAll(() => stack.stop());

  it('reserves across locations, pick face first, and publishes StockReserved', async () => {
    const [eventId] = await stack.publish('orders', 'order-1', [
      { eventType: 'OrderPlaced', payload: { orderId: 'order-1', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 8 }] } },
    ]);
    const reserved = await stack.outcomeOf(eventId!);

    expect(reserved.envelope.eventType).toBe('StockReserved');
    expect(reserved!.key).toBe('order-1');
    expect(reserved!.headers['event-type']).toBe('StockReserved');
    expect(reserved.envelope.payload).toEqual({
      orderId: 'order-1',
      warehouseId: 1,
      lines: [
        {
          productId: expect.any(Number),
          sku: 'HAMMER',
          quantity: 8,
          allocations: [
            { locationId: 1, quantity: 5 },
            { locationId: 3, quantity: 3 },
          ],
        },
      ],
    });
    expect(await inventoryOf(stack.db, 'HAMMER')).toEqual([
      { location: 'A-01-1-01', onHand: 5, reserved: 5, available: 0 },
      { location: 'B-01-1-01', onHand: 20, reserved: 3, available: 17 },
    ]);
    const ledger = await stack.db.inventoryTransaction.findMany({ where: { eventId }, orderBy: { locationId: 'asc' } });
    expect(ledger.map((l) => [l.txnType, l.locationId, l.quantity, l.referenceId])).toEqual([
      ['RESERVE', 1, 5, 'order-1'],
      ['RESERVE', 3, 3, 'order-1'],
    ]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('short on one line of three: InsufficientStock for that line only, nothing reserved', async () => {
    const before = await stack.db.inventory.aggregate({ _sum: { quantityReserved: true } });
    const [eventId] = await stack.publish('orders', 'order-2', [
      {
        eventType: 'OrderPlaced',
        payload: {
          orderId: 'order-2',
          warehouseId: 1,
          lines: [
            { sku: 'HAMMER', quantity: 1 },
            { sku: 'SAW', quantity: 4 },
            { sku: 'DRILL', quantity: 1 },
          ],
        },
      },
    ]);
    const outcome = await stack.outcomeOf(eventId!);

    expect(outcome.envelope.eventType).toBe('InsufficientStock');
    expect(outcome.envelope.payload).toEqual({
      orderId: 'order-2',
      warehouseId: 1,
      lines: [{ productId: expect.any(Number), sku: 'SAW', requested: 4, available: 3, reason: 'INSUFFICIENT_STOCK' }],
    });
    const after = await stack.db.inventory.aggregate({ _sum: { quantityReserved: true } });
    expect(after._sum.quantityReserved).toBe(before._sum.quantityReserved);
    expect(await stack.db.reservation.count({ where: { orderId: 'order-2' } })).toBe(0);
  });

  it('reports unknown and inactive products with their reasons', async () => {
    const [eventId] = await stack.publish('orders', 'order-3', [
      {
        eventType: 'OrderPlaced',
        payload: {
          orderId: 'order-3',
          warehouseId: 1,
          lines: [
            { sku: 'NOPE', quantity: 1 },
            { sku: 'RETIRED', quantity: 1 },
          ],
        },
      },
    ]);
    const outcome = await stack.outcomeOf(eventId!);
    expect(outcome.envelope.payload.lines).toEqual([
      { productId: null, sku: 'NOPE', requested: 1, available: 0, reason: 'UNKNOWN_PRODUCT' },
      { productId: expect.any(Number), sku: 'RETIRED', requested: 1, available: 0, reason: 'INACTIVE_PRODUCT' },
    ]);
  });

  it('without warehouseId reserves in the one warehouse that covers every line', async () => {
    const [eventId] = await stack.publish('orders', 'order-4', [
      { eventType: 'OrderPlaced', payload: { orderId: 'order-4', lines: [{ sku: 'DRILL', quantity: 30 }] } },
    ]);
    const outcome = await stack.outcomeOf(eventId!);
    expect(outcome.envelope.eventType).toBe('StockReserved');
    expect(outcome.envelope.payload.warehouseId).toBe(2);
  });

  it('the same event delivered twice reserves once and publishes one outcome', async () => {
    const event = {
      eventType: 'OrderPlaced',
      eventId: '0b6c0f6e-2f57-4d3c-9a52-7c1c1b0f0a01',
      payload: { orderId: 'order-5', warehouseId: 1, lines: [{ sku: 'DRILL', quantity: 2 }] },
    };
    await stack.publish('orders', 'order-5', [event, event]);
    const [follow] = await stack.publish('orders', 'order-5b', [
      { eventType: 'OrderPlaced', payload: { orderId: 'order-5b', warehouseId: 1, lines: [{ sku: 'DRILL', quantity: 1 }] } },
    ]);
    await stack.outcomesOf([event.eventId, follow!]);

    expect(stack.recorder.messages.filter((m) => m.envelope?.causationId === event.eventId)).toHaveLength(1);
    expect(await stack.db.reservation.aggregate({ where: { orderId: 'order-5' }, _sum: { quantity: true } })).toEqual({ _sum: { quantity: 2 } });
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
