import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { locationIdOf } from '../support/receiving-helpers';
import { smallCatalog } from '../fixtures/catalog';
import { createPurchaseOrder } from '../fixtures/purchase-orders';
import { reconcile } from '../../src/ops/reconcile';

type Published = NonNullable<TestStack['recorder']['messages'][number]['envelope']>;

/**
 * Contract v2 `backorder: "ALLOW"` on products with allowBackorder: what is
 * not in stock is backordered, and every rise of available stock fills open
 * backorders oldest first in the same transaction. The scenario runs in
 * order; each step starts from the state the one before left.
 */
describe('backorders (through Kafka)', () => {
  let stack: TestStack;
  let pick: number;
  let pick2: number;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog(
        [
          { sku: 'GADGET', location: 'A-01-1-01', quantity: 2 },
          { sku: 'PLAIN', location: 'A-01-1-01', quantity: 1 },
          { sku: 'MOVER', location: 'A-01-1-01', quantity: 3 },
        ],
        [
          { sku: 'GADGET', allowBackorder: true },
          { sku: 'MOVER', allowBackorder: true },
          { sku: 'LATE', allowBackorder: true },
          { sku: 'PREORDER', allowBackorder: true, autoReplenish: true, reorderPoint: 5, reorderQuantity: 3 },
        ],
      ),
    );
    pick = await locationIdOf(stack.db, 'WH1', 'A-01-1-01');
    pick2 = await locationIdOf(stack.db, 'WH1', 'A-01-1-02');
    await stack.startService();
  });

  afterAll(() => stack.stop());

  const send = async (topic: 'orders' | 'inventory-operations' | 'goods-receipts', key: string, eventType: string, payload: Record<string, unknown>) => {
    const [eventId] = await stack.publish(topic, key, [{ eventType, payload }]);
    return eventId!;
  };
  const order = (eventType: string, orderId: string, payload: Record<string, unknown> = {}) => send('orders', orderId, eventType, { orderId, ...payload });
  /** Waits for `count` events of a type caused by an inbound event. */
  const caused = async (eventId: string, eventType: string, count = 1): Promise<Published[]> => {
    const find = () => stack.recorder.messages.flatMap((m) => (m.envelope?.causationId === eventId && m.envelope.eventType === eventType ? [m.envelope] : []));
    await stack.recorder.waitFor(() => find().length >= count, 30_000, `${count} ${eventType} caused by ${eventId}`);
    return find();
  };
  const backorderOf = (orderId: string, sku: string) => stack.db.backorder.findFirstOrThrow({ where: { orderId, product: { sku } } });
  const open = (b: { quantity: number; quantityAllocated: number; quantityCancelled: number }) => b.quantity - b.quantityAllocated - b.quantityCancelled;

  it('reserves what is available and backorders the rest of the line', async () => {
    const placed = await stack.outcomeOf(await order('OrderPlaced', 'bo-1', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'GADGET', quantity: 5 }] }));
    expect(placed.envelope.eventType).toBe('StockReserved');
    expect(placed.envelope.payload).toEqual({
      orderId: 'bo-1',
      warehouseId: 1,
      warehouseIds: [1],
      lines: [{ productId: expect.any(Number), sku: 'GADGET', quantity: 5, backordered: 3, allocations: [{ warehouseId: 1, locationId: pick, quantity: 2 }] }],
    });
    const backorder = await backorderOf('bo-1', 'GADGET');
    expect([backorder.lineQuantity, backorder.quantity, backorder.status]).toEqual([5, 3, 'OPEN']);
    expect(await inventoryOf(stack.db, 'GADGET')).toEqual([{ location: 'A-01-1-01', onHand: 2, reserved: 2, available: 0 }]);
  });

  it('an order wholly backordered is a StockReserved with empty allocations', async () => {
    const placed = await stack.outcomeOf(await order('OrderPlaced', 'bo-2', { backorder: 'ALLOW', lines: [{ sku: 'GADGET', quantity: 2 }] }));
    expect(placed.envelope.payload).toEqual({
      orderId: 'bo-2',
      warehouseId: 1,
      warehouseIds: [1],
      lines: [{ productId: expect.any(Number), sku: 'GADGET', quantity: 2, backordered: 2, allocations: [] }],
    });
  });

  it('without ALLOW, or for a product without allowBackorder, a short line is InsufficientStock as in v1', async () => {
    const never = await stack.outcomeOf(await order('OrderPlaced', 'bo-never', { warehouseId: 1, lines: [{ sku: 'GADGET', quantity: 1 }] }));
    expect(never.envelope.eventType).toBe('InsufficientStock');
    const plain = await stack.outcomeOf(await order('OrderPlaced', 'bo-plain', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'PLAIN', quantity: 2 }] }));
    expect(plain.envelope.payload).toEqual({
      orderId: 'bo-plain',
      warehouseId: 1,
      lines: [{ productId: expect.any(Number), sku: 'PLAIN', requested: 2, available: 1, reason: 'INSUFFICIENT_STOCK' }],
    });
    expect(await stack.db.backorder.count({ where: { orderId: { in: ['bo-never', 'bo-plain'] } } })).toBe(0);
  });

  it('OrderShipped ships only what is reserved; the backorder stays open', async () => {
    const shipped = await stack.outcomeOf(await order('OrderShipped', 'bo-1'));
    expect(shipped.envelope.payload).toEqual({
      orderId: 'bo-1',
      shipmentId: null,
      lines: [{ productId: expect.any(Number), sku: 'GADGET', quantity: 2, allocations: [{ warehouseId: 1, locationId: pick, quantity: 2 }] }],
    });
    expect(open(await backorderOf('bo-1', 'GADGET'))).toBe(3);
    expect(await inventoryOf(stack.db, 'GADGET')).toEqual([{ location: 'A-01-1-01', onHand: 0, reserved: 0, available: 0 }]);
  });

  it('a goods receipt fills open backorders oldest first, in its own transaction', async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'CONFIRMED', lines: [{ sku: 'GADGET', quantity: 4 }] });
    const received = await send('goods-receipts', String(poId), 'GoodsReceived', {
      poId,
      receiptId: 'R-BO-1',
      lines: [{ sku: 'GADGET', quantity: 4, locationId: pick }],
    });
    // Two orders, two keys: they may arrive in either order.
    const allocated = (await caused(received, 'BackorderAllocated', 2)).sort((a, b) => (a.payload.orderId < b.payload.orderId ? -1 : 1));
    expect(allocated.map((e) => e.payload)).toEqual([
      {
        orderId: 'bo-1',
        warehouseId: 1,
        lines: [{ productId: expect.any(Number), sku: 'GADGET', quantity: 3, allocations: [{ locationId: pick, quantity: 3 }], stillBackordered: 0 }],
      },
      {
        orderId: 'bo-2',
        warehouseId: 1,
        lines: [{ productId: expect.any(Number), sku: 'GADGET', quantity: 1, allocations: [{ locationId: pick, quantity: 1 }], stillBackordered: 1 }],
      },
    ]);
    expect((await backorderOf('bo-1', 'GADGET')).status).toBe('FILLED');
    expect(open(await backorderOf('bo-2', 'GADGET'))).toBe(1);
    expect(await inventoryOf(stack.db, 'GADGET')).toEqual([{ location: 'A-01-1-01', onHand: 4, reserved: 4, available: 0 }]);
    const ledger = await stack.db.inventoryTransaction.findMany({ where: { eventId: received }, orderBy: { txnId: 'asc' } });
    expect(ledger.map((l) => [l.txnType, l.quantity, l.referenceId])).toEqual([
      ['RECEIVE', 4, String(poId)],
      ['RESERVE', 3, 'bo-1'],
      ['RESERVE', 1, 'bo-2'],
    ]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('a positive adjustment fills the next backorder', async () => {
    const adjusted = await send('inventory-operations', String(pick2), 'StockAdjusted', {
      sku: 'GADGET',
      locationId: pick2,
      quantityDelta: 2,
      reason: 'found on the floor',
    });
    const [event] = await caused(adjusted, 'BackorderAllocated');
    expect(event!.payload).toMatchObject({ orderId: 'bo-2', lines: [{ quantity: 1, allocations: [{ locationId: pick2, quantity: 1 }], stillBackordered: 0 }] });
    expect((await backorderOf('bo-2', 'GADGET')).status).toBe('FILLED');
    // One unit is left available, and no backorder is open beside it.
    expect((await inventoryOf(stack.db, 'GADGET')).map((r) => r.available)).toEqual([0, 1]);
  });

  it('a count that finds stock fills a backorder', async () => {
    // bo-3 takes the one available unit and backorders 2.
    const placed = await stack.outcomeOf(await order('OrderPlaced', 'bo-3', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'GADGET', quantity: 3 }] }));
    expect(placed.envelope.payload).toMatchObject({ lines: [{ backordered: 2, allocations: [{ locationId: pick2, quantity: 1 }] }] });
    const counted = await send('inventory-operations', String(pick2), 'StockCounted', { sku: 'GADGET', locationId: pick2, countedQuantity: 3 });
    const [event] = await caused(counted, 'BackorderAllocated');
    expect(event!.payload).toMatchObject({ orderId: 'bo-3', lines: [{ quantity: 1, stillBackordered: 1 }] });
    expect(open(await backorderOf('bo-3', 'GADGET'))).toBe(1);
  });

  it('cancelling another order releases its stock to the open backorder first', async () => {
    // bo-1 holds 3 (filled from the receipt). Cancelling it gives 1 to bo-3 and leaves 2 available.
    const cancel = await order('OrderCancelled', 'bo-1');
    const [released] = await caused(cancel, 'StockReleased');
    expect(released!.payload).toEqual({ orderId: 'bo-1', lines: [{ productId: expect.any(Number), sku: 'GADGET', quantity: 3, backorderCancelled: 0 }] });
    const [allocated] = await caused(cancel, 'BackorderAllocated');
    expect(allocated!.payload).toMatchObject({ orderId: 'bo-3', lines: [{ quantity: 1, stillBackordered: 0 }] });
    expect((await inventoryOf(stack.db, 'GADGET')).reduce((s, r) => s + r.available, 0)).toBe(2);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('cancelling an order cancels its backorders (StockReleased backorderCancelled)', async () => {
    const placed = await stack.outcomeOf(await order('OrderPlaced', 'bo-4', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'GADGET', quantity: 5 }] }));
    expect(placed.envelope.payload).toMatchObject({ lines: [{ backordered: 3 }] });
    const released = await stack.outcomeOf(await order('OrderCancelled', 'bo-4'));
    expect(released.envelope.payload).toEqual({
      orderId: 'bo-4',
      lines: [{ productId: expect.any(Number), sku: 'GADGET', quantity: 2, backorderCancelled: 3 }],
    });
    const backorder = await backorderOf('bo-4', 'GADGET');
    expect([backorder.status, backorder.quantityCancelled]).toEqual(['CANCELLED', 3]);
    // Its released units did not refill its own, cancelled backorder.
    expect((await inventoryOf(stack.db, 'GADGET')).reduce((s, r) => s + r.available, 0)).toBe(2);
    // A wholly backordered order cancelled: quantity 0, all of it backorderCancelled.
    await stack.outcomeOf(await order('OrderPlaced', 'bo-5', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'LATE', quantity: 1 }] }));
    const whole = await stack.outcomeOf(await order('OrderCancelled', 'bo-5'));
    expect(whole.envelope.payload).toEqual({ orderId: 'bo-5', lines: [{ productId: expect.any(Number), sku: 'LATE', quantity: 0, backorderCancelled: 1 }] });
  });

  it('a transfer in fills a backorder (one seeded beside stock, as a repair would leave it); reconcile reports it first', async () => {
    const mover = await stack.db.product.findUniqueOrThrow({ where: { sku: 'MOVER' } });
    await stack.db.orderOption.create({ data: { orderId: 'bo-seeded', backorder: 'ALLOW', eventId: '00000000-0000-4000-8000-000000000001' } });
    await stack.db.backorder.create({
      data: { orderId: 'bo-seeded', warehouseId: 1, productId: mover.productId, lineQuantity: 2, quantity: 2, eventId: '00000000-0000-4000-8000-000000000001' },
    });
    const report = await reconcile(stack.db);
    expect(report.clean).toBe(false);
    expect(report.backorders).toEqual([
      {
        check: 'BACKORDER_BESIDE_AVAILABLE',
        orderId: 'bo-seeded',
        productId: mover.productId,
        sku: 'MOVER',
        warehouse: 'WH1',
        detail: '2 backordered while 3 available in WH1',
      },
    ]);

    const moved = await send('inventory-operations', String(pick), 'StockTransferred', {
      sku: 'MOVER',
      fromLocationId: pick,
      toLocationId: pick2,
      quantity: 1,
    });
    const [event] = await caused(moved, 'BackorderAllocated');
    expect(event!.payload).toMatchObject({ orderId: 'bo-seeded', lines: [{ quantity: 2, stillBackordered: 0 }] });
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('a purchase order raised while backorders are open orders at least what brings available - backordered to the reorder point', async () => {
    // PREORDER: no stock anywhere, reorder point 5, reorder quantity 3. 20 backordered: 5 - (0 - 20) = 25.
    const placed = await order('OrderPlaced', 'bo-6', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'PREORDER', quantity: 20 }] });
    const [po] = await caused(placed, 'PurchaseOrderCreated');
    expect(po!.payload).toMatchObject({ warehouseId: 1, trigger: 'REORDER_POINT', lines: [{ sku: 'PREORDER', quantity: 25 }] });
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
