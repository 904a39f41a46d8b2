import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { deadLetterOf, locationIdOf } from '../support/receiving-helpers';
import { smallCatalog } from '../fixtures/catalog';

/**
 * Contract v2 `sourcing: "SPLIT"`: WH1 and WH2 each hold part of what an
 * order needs; the order is reserved over both, shipped and cancelled per
 * allocation, and every event names each allocation's warehouse.
 */
describe('orders split across warehouses (through Kafka)', () => {
  let stack: TestStack;
  let loc: Record<string, number>;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog([
        { sku: 'BOLT', location: 'A-01-1-01', quantity: 3 },
        { sku: 'BOLT', warehouse: 'WH2', location: 'A-01-1-01', quantity: 5 },
        { sku: 'NUT', warehouse: 'WH2', location: 'B-01-1-01', quantity: 4 },
        { sku: 'WASHER', location: 'A-01-1-02', quantity: 2 },
        { sku: 'WASHER', warehouse: 'WH2', location: 'A-01-1-02', quantity: 2 },
      ]),
    );
    loc = {
      wh1a: await locationIdOf(stack.db, 'WH1', 'A-01-1-01'),
      wh1a2: await locationIdOf(stack.db, 'WH1', 'A-01-1-02'),
      wh2a: await locationIdOf(stack.db, 'WH2', 'A-01-1-01'),
      wh2a2: await locationIdOf(stack.db, 'WH2', 'A-01-1-02'),
      wh2b: await locationIdOf(stack.db, 'WH2', 'B-01-1-01'),
    };
    await stack.startService();
  });

  afterAll(() => stack.stop());

  const order = async (type: string, orderId: string, payload: Record<string, unknown> = {}) => {
    const [eventId] = await stack.publish('orders', orderId, [{ eventType: type, payload: { orderId, ...payload } }]);
    return eventId!;
  };

  it('reserves over the fewest warehouses, the one covering most units first, and publishes the v2 fields', async () => {
    // BOLT x7: WH1 has 3, WH2 has 5. NUT x1 only in WH2. WH2 covers 6 units, WH1 3: WH2 first.
    const placed = await stack.outcomeOf(
      await order('OrderPlaced', 'split-1', {
        sourcing: 'SPLIT',
        lines: [
          { sku: 'BOLT', quantity: 7 },
          { sku: 'NUT', quantity: 1 },
        ],
      }),
    );
    expect(placed.envelope.eventType).toBe('StockReserved');
    expect(placed.envelope.payload).toEqual({
      orderId: 'split-1',
      warehouseId: 2,
      warehouseIds: [1, 2],
      lines: [
        {
          productId: expect.any(Number),
          sku: 'BOLT',
          quantity: 7,
          backordered: 0,
          allocations: [
            { warehouseId: 2, locationId: loc.wh2a, quantity: 5 },
            { warehouseId: 1, locationId: loc.wh1a, quantity: 2 },
          ],
        },
        { productId: expect.any(Number), sku: 'NUT', quantity: 1, backordered: 0, allocations: [{ warehouseId: 2, locationId: loc.wh2b, quantity: 1 }] },
      ],
    });
    const rows = await stack.db.reservation.findMany({ where: { orderId: 'split-1' }, orderBy: { reservationId: 'asc' } });
    expect(rows.map((r) => [r.warehouseId, r.locationId, r.quantity])).toEqual([
      [2, loc.wh2a, 5],
      [1, loc.wh1a, 2],
      [2, loc.wh2b, 1],
    ]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('ships a split order per allocation: StockShipped names each warehouse and location', async () => {
    const partial = await stack.outcomeOf(await order('OrderShipped', 'split-1', { shipmentId: 'S-1', lines: [{ sku: 'BOLT', quantity: 6 }] }));
    expect(partial.envelope.payload).toEqual({
      orderId: 'split-1',
      shipmentId: 'S-1',
      lines: [
        {
          productId: expect.any(Number),
          sku: 'BOLT',
          quantity: 6,
          allocations: [
            { warehouseId: 2, locationId: loc.wh2a, quantity: 5 },
            { warehouseId: 1, locationId: loc.wh1a, quantity: 1 },
          ],
        },
      ],
    });
    expect(await inventoryOf(stack.db, 'BOLT')).toEqual([
      { location: 'A-01-1-01', onHand: 2, reserved: 1, available: 1 },
      { location: 'A-01-1-01', onHand: 0, reserved: 0, available: 0 },
    ]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('cancels the rest of a split order in every warehouse it holds', async () => {
    const released = await stack.outcomeOf(await order('OrderCancelled', 'split-1'));
    expect(released.envelope.payload).toEqual({
      orderId: 'split-1',
      lines: [
        { productId: expect.any(Number), sku: 'BOLT', quantity: 1, backorderCancelled: 0 },
        { productId: expect.any(Number), sku: 'NUT', quantity: 1, backorderCancelled: 0 },
      ],
    });
    const ledger = await stack.db.inventoryTransaction.findMany({
      where: { eventId: released.envelope.causationId!, txnType: 'RELEASE' },
      orderBy: { locationId: 'asc' },
    });
    expect(ledger.map((l) => [l.locationId, l.quantity])).toEqual(
      [
        [loc.wh1a, -1],
        [loc.wh2b, -1],
      ].sort((a, b) => a[0]! - b[0]!),
    );
    expect((await stack.db.inventory.aggregate({ _sum: { quantityReserved: true } }))._sum.quantityReserved).toBe(0);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('a split order one warehouse covers stays in that one warehouse', async () => {
    const placed = await stack.outcomeOf(await order('OrderPlaced', 'split-2', { sourcing: 'SPLIT', lines: [{ sku: 'WASHER', quantity: 2 }] }));
    expect(placed.envelope.payload).toMatchObject({
      warehouseId: 1,
      warehouseIds: [1],
      lines: [{ allocations: [{ warehouseId: 1, locationId: loc.wh1a2, quantity: 2 }] }],
    });
  });

  it('all or nothing: more than every warehouse together holds is InsufficientStock, nothing reserved', async () => {
    const before = (await stack.db.inventory.aggregate({ _sum: { quantityReserved: true } }))._sum.quantityReserved;
    const outcome = await stack.outcomeOf(
      await order('OrderPlaced', 'split-3', {
        sourcing: 'SPLIT',
        lines: [
          { sku: 'WASHER', quantity: 1 },
          { sku: 'BOLT', quantity: 99 },
        ],
      }),
    );
    expect(outcome.envelope.eventType).toBe('InsufficientStock');
    expect((await stack.db.inventory.aggregate({ _sum: { quantityReserved: true } }))._sum.quantityReserved).toBe(before);
    expect(await stack.db.reservation.count({ where: { orderId: 'split-3' } })).toBe(0);
  });

  it('SPLIT together with warehouseId is INVALID_PAYLOAD', async () => {
    const eventId = await order('OrderPlaced', 'split-4', { sourcing: 'SPLIT', warehouseId: 1, lines: [{ sku: 'BOLT', quantity: 1 }] });
    const dead = await deadLetterOf(stack, eventId);
    expect(dead.headers['dlq-error-code']).toBe('INVALID_PAYLOAD');
  });
});
