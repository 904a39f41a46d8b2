import { randomUUID } from 'node:crypto';
import { TestStack } from '../support/harness';
import { stockDrift } from '../support/assertions';
import { autoReplenished, replenishmentCatalog } from '../fixtures/replenishment-catalog';
import { afterAvailabilityDrop } from '../../src/replenishment/trigger';
import { createLogger } from '../../src/logger';
import type { OutboundEvent } from '../../src/db/outbox';

/** Reorder-point trigger through Kafka: OrderPlaced lowers available below the point. */
describe('replenishment: reorder-point trigger', () => {
  let stack: TestStack;
  // 13:00 in Berlin: expected dates are 26 November + lead time.
  const clock = () => new Date('2026-11-26T12:00:00Z');

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      replenishmentCatalog(
        [
          { sku: 'PUMP', location: 'A-01-1-01', quantity: 15 },
          { sku: 'MANUAL', location: 'A-01-1-01', quantity: 15 },
          { sku: 'RETIRED', location: 'A-01-1-02', quantity: 5 },
        ],
        [
          autoReplenished('PUMP', { reorderPoint: 10, reorderQuantity: 50, unitCost: '7.25', leadTimeDays: 3 }),
          autoReplenished('MANUAL', { autoReplenish: false }),
          autoReplenished('RETIRED', { isActive: false }),
        ],
      ),
    );
    await stack.startService({ clock });
  });

  afterAll(() => stack.stop());

  const productId = async (sku: string) => (await stack.db.product.findUniqueOrThrow({ where: { sku } })).productId;
  const purchaseOrdersOf = async (sku: string) =>
    stack.db.purchaseOrder.findMany({ where: { replenishProductId: await productId(sku) }, include: { lines: true }, orderBy: { poId: 'asc' } });
  const createdEventsInOutbox = () => stack.db.outboxEvent.count({ where: { eventType: 'PurchaseOrderCreated' } });

  /** Places an order in WH1 and waits for its StockReserved. */
  async function order(orderId: string, sku: string, quantity: number): Promise<string> {
    const [eventId] = await stack.publish('orders', orderId, [{ eventType: 'OrderPlaced', payload: { orderId, warehouseId: 1, lines: [{ sku, quantity }] } }]);
    // Wait for StockReserved itself: a PurchaseOrderCreated of the same event may be recorded first (another topic).
    await stack.recorder.waitFor(
      (ms) => ms.some((m) => m.envelope?.eventType === 'StockReserved' && m.envelope.causationId === eventId),
      30_000,
      `StockReserved of ${orderId}`,
    );
    return eventId!;
  }

  it('crossing the reorder point creates one DRAFT PO and publishes PurchaseOrderCreated keyed by poId', async () => {
    const eventId = await order('pump-1', 'PUMP', 6); // 15 -> 9 available, below 10

    const [created] = (
      await stack.recorder.waitFor((ms) => ms.some((m) => m.envelope?.eventType === 'PurchaseOrderCreated' && m.envelope.causationId === eventId))
    ).filter((m) => m.envelope?.eventType === 'PurchaseOrderCreated' && m.envelope.causationId === eventId);
    const [po] = await purchaseOrdersOf('PUMP');
    const acme = await stack.db.supplier.findUniqueOrThrow({ where: { code: 'ACME' } });
    expect(created!.topic).toBe(`${stack.config.KAFKA_TOPIC_PREFIX}purchase-orders`);
    expect(created!.key).toBe(String(po!.poId));
    expect(created!.envelope!.payload).toEqual({
      poId: po!.poId,
      supplierId: acme.supplierId,
      warehouseId: 1,
      status: 'DRAFT',
      expectedDate: '2026-11-29', // 26 Nov in Berlin + 3 days
      trigger: 'REORDER_POINT',
      lines: [{ productId: await productId('PUMP'), sku: 'PUMP', quantity: 50, unitCost: '7.25' }],
    });
    expect(po).toMatchObject({ status: 'DRAFT', supplierId: acme.supplierId, warehouseId: 1, trigger: 'REORDER_POINT', causationEventId: eventId });
    expect(po!.expectedDate!.toISOString().slice(0, 10)).toBe('2026-11-29');
    expect(po!.lines.map((l) => [l.quantityOrdered, l.unitCost.toString()])).toEqual([[50, '7.25']]);
  });

  it('a second drop while that PO is open creates none', async () => {
    const before = await createdEventsInOutbox();
    await order('pump-2', 'PUMP', 1); // 9 -> 8
    expect(await purchaseOrdersOf('PUMP')).toHaveLength(1);
    expect(await createdEventsInOutbox()).toBe(before);
  });

  it('once the PO is RECEIVED, the next drop creates one new PO', async () => {
    const [first] = await purchaseOrdersOf('PUMP');
    // Set directly: receiving is another handler's job; what matters here is the status leaving the open set.
    await stack.db.purchaseOrder.update({ where: { poId: first!.poId }, data: { status: 'RECEIVED' } });

    const eventId = await order('pump-3', 'PUMP', 1); // 8 -> 7
    const pos = await purchaseOrdersOf('PUMP');
    expect(pos.map((p) => p.status)).toEqual(['RECEIVED', 'DRAFT']);
    expect(pos[1]!.causationEventId).toBe(eventId);
    await stack.recorder.waitFor((ms) => ms.some((m) => m.envelope?.eventType === 'PurchaseOrderCreated' && m.key === String(pos[1]!.poId)));
  });

  it('once the PO is CANCELLED, the next drop creates one new PO too', async () => {
    const open = (await purchaseOrdersOf('PUMP')).find((p) => p.status === 'DRAFT');
    await stack.db.purchaseOrder.update({ where: { poId: open!.poId }, data: { status: 'CANCELLED' } });

    await order('pump-4', 'PUMP', 1); // 7 -> 6
    expect((await purchaseOrdersOf('PUMP')).map((p) => p.status)).toEqual(['RECEIVED', 'CANCELLED', 'DRAFT']);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('auto_replenish off: dropping below the point creates no PO', async () => {
    const before = await createdEventsInOutbox();
    await order('manual-1', 'MANUAL', 10); // 15 -> 5, point 10
    expect(await purchaseOrdersOf('MANUAL')).toHaveLength(0);
    expect(await stack.db.purchaseOrderLine.count({ where: { productId: await productId('MANUAL') } })).toBe(0);
    expect(await createdEventsInOutbox()).toBe(before);
  });

  it('an inactive product never gets a PO, even below its point with auto_replenish on', async () => {
    // No inbound event can lower an inactive product (OrderPlaced refuses it), so call the trigger as a handler would.
    const emitted: OutboundEvent[] = [];
    const retired = await productId('RETIRED'); // 5 available, point 10
    await stack.db.$transaction((tx) =>
      afterAvailabilityDrop({ tx, eventId: randomUUID(), now: clock(), log: createLogger('silent'), emit: (e) => emitted.push(e) }, 1, [retired]),
    );
    expect(emitted).toEqual([]);
    expect(await purchaseOrdersOf('RETIRED')).toHaveLength(0);
  });
});
