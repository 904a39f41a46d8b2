import { TestStack, READ_TOKEN } from '../support/harness';
import { stockDrift } from '../support/assertions';
import { holdHelpers, MINUTE, TestClock } from '../support/holds';
import { locationIdOf } from '../support/receiving-helpers';
import { smallCatalog } from '../fixtures/catalog';
import { createPurchaseOrder } from '../fixtures/purchase-orders';
import type { InventoryService } from '../../src/service';
import type { TopicRecorder } from '../support/kafka';

/**
 * Holds, backorders and inventory levels together, through the real broker
 * and PostgreSQL, on a clock the test moves forward: the backordered figure
 * of GET /v1/availability and InventoryLevelChanged, the expiry of a hold
 * cancelling its own backorders and filling other orders' from what it
 * releases, and GET /v1/orders/{orderId} showing the hold and the backorders.
 */
describe('holds, backorders and levels together', () => {
  let stack: TestStack;
  let service: InventoryService;
  let url: string;
  let levels: TopicRecorder;
  let pick: number;
  const clock = new TestClock();
  let h: ReturnType<typeof holdHelpers>;

  beforeAll(async () => {
    stack = await TestStack.start({ HOLD_SWEEP_INTERVAL_MS: '50' });
    await stack.importMasterData(
      smallCatalog(
        [
          { sku: 'WAITED', location: 'A-01-1-01', quantity: 2 },
          { sku: 'LAST', location: 'A-01-1-01', quantity: 4 },
          { sku: 'HELD', location: 'A-01-1-01', quantity: 5 },
          { sku: 'PART', location: 'A-01-1-01', quantity: 3 },
        ],
        [
          { sku: 'WAITED', allowBackorder: true },
          { sku: 'NOSTOCK', allowBackorder: true },
          { sku: 'LAST', allowBackorder: true },
          { sku: 'PART', allowBackorder: true },
        ],
      ),
    );
    pick = await locationIdOf(stack.db, 'WH1', 'A-01-1-01');
    levels = await stack.recordLevels();
    service = await stack.startService({ clock: clock.now });
    url = (await stack.startApi(service, {}, { clock: clock.now })).url;
    h = holdHelpers(stack, clock);
  });

  afterAll(() => stack.stop());

  afterEach(async () => {
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items?: Record<string, unknown>[] } };
  };
  const productIdOf = async (sku: string) => (await stack.db.product.findUniqueOrThrow({ where: { sku } })).productId;
  const availability = async (sku: string) => (await get(`/v1/availability?sku=${sku}&warehouseId=1`)).body.items!;
  /** The last InventoryLevelChanged of (sku, warehouse 1) once it satisfies `match`: the topic's current level. */
  const lastLevel = async (sku: string, match: (payload: Record<string, unknown>) => boolean) => {
    const key = `${await productIdOf(sku)}:1`;
    const last = () => levels.messages.filter((m) => m.key === key).at(-1)?.envelope?.payload as Record<string, unknown> | undefined;
    await levels.waitFor(() => last() !== undefined && match(last()!), 30_000, `a level of ${key}`);
    return last()!;
  };

  it('backordered units show in GET /v1/availability and in the last InventoryLevelChanged; a receipt that fills them brings both back to 0', async () => {
    const placed = await stack.outcomeOf(
      (await h.orderEvent('OrderPlaced', 'lv-1', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'WAITED', quantity: 5 }] }))!,
    );
    expect(placed.envelope.payload).toMatchObject({ lines: [{ sku: 'WAITED', backordered: 3 }] });
    const backordered = { onHand: 2, reserved: 2, available: 0, backordered: 3, incoming: 0, status: 'OUT_OF_STOCK' };
    expect(await availability('WAITED')).toEqual([expect.objectContaining(backordered)]);
    expect(await lastLevel('WAITED', (p) => p.reserved === 2)).toMatchObject(backordered);

    // A product only backordered (no inventory row in the warehouse) is a level too.
    await stack.outcomeOf(await h.orderEvent('OrderPlaced', 'lv-2', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'NOSTOCK', quantity: 2 }] }));
    const onlyBackordered = { onHand: 0, reserved: 0, available: 0, backordered: 2, incoming: 0, status: 'OUT_OF_STOCK' };
    expect(await availability('NOSTOCK')).toEqual([expect.objectContaining({ warehouseId: 1, ...onlyBackordered })]);
    expect(await lastLevel('NOSTOCK', () => true)).toMatchObject(onlyBackordered);

    // The receipt fills the backorder in its own transaction: one level of the key, backordered 0.
    const poId = await createPurchaseOrder(stack.db, { status: 'CONFIRMED', lines: [{ sku: 'WAITED', quantity: 3 }] });
    const [received] = await stack.publish('goods-receipts', String(poId), [
      { eventType: 'GoodsReceived', payload: { poId, receiptId: 'R-LV-1', lines: [{ sku: 'WAITED', quantity: 3, locationId: pick }] } },
    ]);
    await stack.recorder.waitFor(
      () => stack.recorder.ofType('BackorderAllocated').some((m) => m.envelope?.causationId === received),
      30_000,
      'the fill of lv-1',
    );
    const filled = { onHand: 5, reserved: 5, available: 0, backordered: 0, incoming: 0 };
    expect(await availability('WAITED')).toEqual([expect.objectContaining(filled)]);
    expect(await lastLevel('WAITED', (p) => p.onHand === 5)).toMatchObject({ ...filled, previousStatus: 'OUT_OF_STOCK' });
  });

  it("an expired hold cancels its own open backorders, then its released units fill other orders' backorders in the same transaction", async () => {
    const product = await productIdOf('LAST');
    // A (held, ALLOW) takes the last 4 units and backorders 2; B (ALLOW, no hold) is wholly backordered, after A.
    const holdUntil = clock.in(10 * MINUTE);
    const a = await stack.outcomeOf(
      await h.orderEvent(
        'OrderPlaced',
        'exp-a',
        { warehouseId: 1, backorder: 'ALLOW', holdUntil, lines: [{ sku: 'LAST', quantity: 6 }] },
        { correlationId: 'checkout-a' },
      ),
    );
    expect(a.envelope.payload).toMatchObject({ holdUntil, lines: [{ backordered: 2, allocations: [{ locationId: pick, quantity: 4 }] }] });
    const b = await stack.outcomeOf(await h.orderEvent('OrderPlaced', 'exp-b', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'LAST', quantity: 3 }] }));
    expect(b.envelope.payload).toMatchObject({ lines: [{ backordered: 3, allocations: [] }] });

    clock.advance(10 * MINUTE);
    const released = await h.waitForEvent('StockReleased', 'exp-a');
    expect(released.envelope).toMatchObject({ causationId: null, correlationId: 'checkout-a' });
    expect(released.envelope.payload).toEqual({
      orderId: 'exp-a',
      lines: [{ productId: product, sku: 'LAST', quantity: 4, backorderCancelled: 2 }],
      reason: 'EXPIRED',
    });
    const expired = await h.waitForEvent('ReservationExpired', 'exp-a');
    expect(expired.envelope.payload).toEqual({ orderId: 'exp-a', expiredAt: holdUntil, lines: [{ productId: product, sku: 'LAST', quantity: 4 }] });

    // B is filled from A's released units (A's own backorder, older, got none of them back).
    const allocated = await h.waitForEvent('BackorderAllocated', 'exp-b');
    expect(allocated.envelope).toMatchObject({ causationId: null, correlationId: 'checkout-a' });
    expect(allocated.envelope.payload).toEqual({
      orderId: 'exp-b',
      warehouseId: 1,
      lines: [{ productId: product, sku: 'LAST', quantity: 3, allocations: [{ locationId: pick, quantity: 3 }], stillBackordered: 0 }],
    });
    expect(h.eventsOf('BackorderAllocated', 'exp-a')).toEqual([]);
    expect((await stack.db.backorder.findFirstOrThrow({ where: { orderId: 'exp-a' } })).status).toBe('CANCELLED');
    expect((await stack.db.backorder.findFirstOrThrow({ where: { orderId: 'exp-b' } })).status).toBe('FILLED');
    const reservation = await stack.db.reservation.findMany({ where: { orderId: 'exp-b' } });
    expect(reservation.map((r) => [r.locationId, r.quantity, r.status])).toEqual([[pick, 3, 'OPEN']]);
    // One transaction: the RESERVE rows carry the expiry's eventId, like its RELEASE rows.
    const ledger = await stack.db.inventoryTransaction.findMany({ where: { eventId: expired.envelope.eventId }, orderBy: { txnId: 'asc' } });
    expect(ledger.map((l) => [l.txnType, l.quantity, l.referenceId])).toEqual([
      ['RELEASE', -4, 'exp-a'],
      ['RESERVE', 3, 'exp-b'],
    ]);
    const level = { onHand: 4, reserved: 3, available: 1, backordered: 0 };
    expect(await availability('LAST')).toEqual([expect.objectContaining(level)]);
    expect(await lastLevel('LAST', (p) => p.reserved === 3)).toMatchObject(level);
  });

  it('GET /v1/orders/{orderId} shows the hold (deadline and state) and the backordered units per line', async () => {
    const holdUntil = clock.in(30 * MINUTE);
    await stack.outcomeOf(await h.orderEvent('OrderPlaced', 'view-held', { warehouseId: 1, holdUntil, lines: [{ sku: 'HELD', quantity: 2 }] }));
    expect((await get('/v1/orders/view-held')).body).toMatchObject({
      orderId: 'view-held',
      status: 'OPEN',
      holdUntil,
      holdStatus: 'HELD',
      lines: [{ sku: 'HELD', quantity: 2, reserved: 2, backordered: 0, backorderCancelled: 0 }],
    });
    expect(await h.processedOutcome(await h.orderEvent('OrderConfirmed', 'view-held'))).toBe('CONFIRMED');
    expect((await get('/v1/orders/view-held')).body).toMatchObject({ holdUntil, holdStatus: 'CONFIRMED' });

    // Partly reserved, partly backordered (lv-2 of NOSTOCK is wholly backordered: no reservation row, still an order).
    const waiting = await get('/v1/orders/lv-2');
    expect(waiting.status).toBe(200);
    expect(waiting.body).toMatchObject({
      orderId: 'lv-2',
      status: 'OPEN',
      holdUntil: null,
      holdStatus: null,
      warehouseIds: [1],
      lines: [{ sku: 'NOSTOCK', quantity: 2, reserved: 0, shipped: 0, released: 0, backordered: 2, backorderCancelled: 0, allocations: [] }],
    });
    await stack.outcomeOf(await h.orderEvent('OrderPlaced', 'view-bo', { warehouseId: 1, backorder: 'ALLOW', lines: [{ sku: 'PART', quantity: 4 }] }));
    expect((await get('/v1/orders/view-bo')).body).toMatchObject({
      status: 'OPEN',
      lines: [{ sku: 'PART', quantity: 4, reserved: 3, backordered: 1, allocations: [{ location: 'A-01-1-01', quantity: 3, reserved: 3 }] }],
    });
    // The expired order of the test before: its hold EXPIRED, its units released, its backorder cancelled.
    expect((await get('/v1/orders/exp-a')).body).toMatchObject({
      status: 'RELEASED',
      holdStatus: 'EXPIRED',
      lines: [{ sku: 'LAST', quantity: 6, reserved: 0, released: 4, backordered: 0, backorderCancelled: 2 }],
    });
    // B, filled from it: wholly reserved now, nothing backordered.
    expect((await get('/v1/orders/exp-b')).body).toMatchObject({ status: 'OPEN', lines: [{ sku: 'LAST', quantity: 3, reserved: 3, backordered: 0 }] });
    expect((await get('/v1/orders/nobody')).body).toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND' });
  });
});
