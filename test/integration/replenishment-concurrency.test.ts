import { randomUUID } from 'node:crypto';
import { TestStack } from '../support/harness';
import { stockDrift } from '../support/assertions';
import { waitUntil } from '../support/kafka';
import { waitForLockWaiter } from '../support/lock-waits';
import { autoReplenished, replenishmentCatalog } from '../fixtures/replenishment-catalog';
import { createReplenishmentOrder, type ReplenishmentOrder } from '../../src/replenishment/purchase-orders';

/** Exactly one open replenishment PO per product and warehouse, whoever races for it. */
describe('replenishment: one PO under concurrency', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      replenishmentCatalog(
        [
          { sku: 'HOT', location: 'A-01-1-01', quantity: 150 },
          { sku: 'HOT', location: 'B-01-1-01', quantity: 150 },
          { sku: 'RACE', location: 'A-01-1-02', quantity: 1 },
          { sku: 'ROLLBACK', location: 'A-01-1-02', quantity: 1 },
        ],
        // Point 1000 with 300 on hand: every single order finds HOT below its point and wants a PO.
        [autoReplenished('HOT', { reorderPoint: 1000, reorderQuantity: 500 }), autoReplenished('RACE'), autoReplenished('ROLLBACK')],
      ),
    );
  });

  afterAll(() => stack.stop());

  const productId = async (sku: string) => (await stack.db.product.findUniqueOrThrow({ where: { sku } })).productId;
  const openPurchaseOrders = async (sku: string) =>
    stack.db.purchaseOrder.findMany({ where: { replenishProductId: await productId(sku), status: { in: ['DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL'] } } });

  it('40 orders for one SKU through two service instances: exactly one open PO and one PurchaseOrderCreated', async () => {
    await stack.startService();
    await stack.startService();
    const eventIds: string[] = [];
    // Different orderIds as keys spread the orders over the topic's 3 partitions, hence over both instances.
    for (let i = 0; i < 40; i++) {
      const orderId = `hot-${i}`;
      eventIds.push(
        ...(await stack.publish('orders', orderId, [{ eventType: 'OrderPlaced', payload: { orderId, warehouseId: 1, lines: [{ sku: 'HOT', quantity: 6 }] } }])),
      );
    }
    // Every order reserved (waiting for StockReserved itself: the one PurchaseOrderCreated may be recorded before it).
    await stack.recorder.waitFor(
      (ms) => eventIds.every((id) => ms.some((m) => m.envelope?.eventType === 'StockReserved' && m.envelope.causationId === id)),
      60_000,
      'StockReserved of 40 orders',
    );

    expect(await openPurchaseOrders('HOT')).toHaveLength(1);
    expect(await stack.db.outboxEvent.count({ where: { eventType: 'PurchaseOrderCreated' } })).toBe(1);
    await waitUntil(() => stack.recorder.ofType('PurchaseOrderCreated').length === 1, 10_000, 'PurchaseOrderCreated on Kafka');
    // Both instances had work: the events arrived on more than one partition.
    const partitions = await stack.db.processedEvent.findMany({ where: { eventId: { in: eventIds } }, distinct: ['partition'], select: { partition: true } });
    expect(partitions.length).toBeGreaterThan(1);
    expect((await stack.db.inventory.aggregate({ where: { productId: await productId('HOT') }, _sum: { quantityReserved: true } }))._sum.quantityReserved).toBe(
      240,
    );
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  async function raceOrder(sku: string): Promise<ReplenishmentOrder> {
    const acme = await stack.db.supplier.findUniqueOrThrow({ where: { code: 'ACME' } });
    return {
      productId: await productId(sku),
      sku,
      supplierId: acme.supplierId,
      warehouseId: 1,
      quantity: 50,
      unitCost: '7.25',
      expectedDate: '2026-12-01',
      trigger: 'REORDER_POINT',
    };
  }

  /** A transaction that creates the PO, then holds its uncommitted row until told to finish. */
  function holdingTransaction(order: ReplenishmentOrder, finish: 'commit' | 'rollback') {
    let release!: () => void;
    let inserted!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const hasInserted = new Promise<void>((r) => (inserted = r));
    const done = stack.db
      .$transaction(async (tx) => {
        const event = await createReplenishmentOrder(tx, order, randomUUID());
        inserted();
        await released;
        if (finish === 'rollback') throw new Error('rolled back on purpose');
        return event;
      })
      .catch((error: Error) => (error.message === 'rolled back on purpose' ? 'ROLLED_BACK' : Promise.reject(error)));
    return { hasInserted, release, done };
  }

  it('two transactions calling createReplenishmentOrder at once: the second waits on the index and creates nothing', async () => {
    const order = await raceOrder('RACE');
    const first = holdingTransaction(order, 'commit');
    await first.hasInserted;
    let secondFinished = false;
    const second = stack.db.$transaction((tx) => createReplenishmentOrder(tx, order, randomUUID())).finally(() => (secondFinished = true));

    await waitForLockWaiter(stack.db); // blocked by the first's uncommitted entry in the unique index
    expect(secondFinished).toBe(false);
    first.release();

    expect(await first.done).toMatchObject({ eventType: 'PurchaseOrderCreated' });
    expect(await second).toBeNull();
    expect(await openPurchaseOrders('RACE')).toHaveLength(1);
  });

  it('when the first of two rolls back, the waiting one creates the PO', async () => {
    const order = await raceOrder('ROLLBACK');
    const first = holdingTransaction(order, 'rollback');
    await first.hasInserted;
    const second = stack.db.$transaction((tx) => createReplenishmentOrder(tx, order, randomUUID()));
    await waitForLockWaiter(stack.db);
    first.release();

    expect(await first.done).toBe('ROLLED_BACK');
    expect(await second).toMatchObject({ eventType: 'PurchaseOrderCreated' });
    expect(await openPurchaseOrders('ROLLBACK')).toHaveLength(1);
  });

  it('eight transactions at once: exactly one creates', async () => {
    await stack.db.purchaseOrder.updateMany({ where: { replenishProductId: await productId('RACE') }, data: { status: 'RECEIVED' } });
    const order = await raceOrder('RACE');
    const results = await Promise.all(Array.from({ length: 8 }, () => stack.db.$transaction((tx) => createReplenishmentOrder(tx, order, randomUUID()))));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await openPurchaseOrders('RACE')).toHaveLength(1);
  });
});
