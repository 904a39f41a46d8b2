import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { waitUntil } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';
import { topicName } from '../../src/contracts';

/** After OrderPlaced: shipping (in parts, from several locations), cancelling, and the events refused. */
describe('order lifecycle through Kafka', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog([
        { sku: 'WIDGET', location: 'A-01-1-01', quantity: 10 },
        { sku: 'BOLT', location: 'A-01-1-02', quantity: 10 },
        { sku: 'HAMMER', location: 'A-01-1-01', quantity: 5 },
        { sku: 'HAMMER', location: 'B-01-1-01', quantity: 20 },
        { sku: 'SAW', location: 'A-01-1-02', quantity: 5 },
        { sku: 'PLIERS', location: 'B-01-1-01', quantity: 10 },
        { sku: 'DRILL', location: 'A-01-1-01', quantity: 10 },
        { sku: 'CHISEL', location: 'A-01-1-02', quantity: 10 },
        { sku: 'NAIL', location: 'B-01-1-01', quantity: 100 },
      ]),
    );
    await stack.startService();
  });

  afterAll(() => stack.stop());

  afterEach(async () => {
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  const orderEvent = async (eventType: string, orderId: string, payload: object = {}, eventId?: string): Promise<string> => {
    const [id] = await stack.publish('orders', orderId, [{ eventType, eventId, payload: { orderId, ...payload } }]);
    return id!;
  };

  const placeOrder = async (orderId: string, lines: { sku: string; quantity: number }[]): Promise<void> => {
    const outcome = await stack.outcomeOf(await orderEvent('OrderPlaced', orderId, { warehouseId: 1, lines }));
    expect(outcome.envelope.eventType).toBe('StockReserved');
  };

  /** The inbox row is committed with the handler's changes, so once it is there the outcome is final. */
  const processedOutcome = async (eventId: string): Promise<string> => {
    let outcome: string | undefined;
    await waitUntil(
      async () => (outcome = (await stack.db.processedEvent.findUnique({ where: { eventId } }))?.outcome) !== undefined,
      30_000,
      `processing of ${eventId}`,
    );
    return outcome!;
  };

  const deadLetterOf = async (eventId: string) => {
    const dlqTopic = topicName('inventory-dlq', stack.config.KAFKA_TOPIC_PREFIX);
    const find = () => stack.recorder.messages.find((m) => m.topic === dlqTopic && m.headers['event-id'] === eventId);
    await stack.recorder.waitFor(() => find() !== undefined, 30_000, `dead letter of ${eventId}`);
    return find()!;
  };

  const publishedFor = async (eventId: string) => ({
    onKafka: stack.recorder.messages.filter((m) => m.envelope?.causationId === eventId).length,
    inOutbox: (await stack.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox_event WHERE envelope->>'causationId' = ${eventId}`)[0]!.n,
  });

  const ledgerOf = async (eventId: string) =>
    (await stack.db.inventoryTransaction.findMany({ where: { eventId }, orderBy: [{ productId: 'asc' }, { locationId: 'asc' }] })).map((l) => [
      l.txnType,
      l.locationId,
      l.quantity,
      l.referenceType,
      l.referenceId,
    ]);

  const reservationsOf = async (orderId: string) =>
    (await stack.db.reservation.findMany({ where: { orderId }, orderBy: { reservationId: 'asc' } })).map((r) => ({
      locationId: r.locationId,
      quantity: r.quantity,
      shipped: r.quantityShipped,
      released: r.quantityReleased,
      status: r.status,
    }));

  /** Everything a refused event must leave untouched. */
  const stockSnapshot = async () => ({
    inventory: await stack.db.inventory.findMany({ orderBy: { inventoryId: 'asc' } }),
    reservations: await stack.db.reservation.findMany({ orderBy: { reservationId: 'asc' } }),
    ledgerRows: await stack.db.inventoryTransaction.count(),
  });

  const locationId = async (name: string): Promise<number> => {
    const [aisle, bay, level, bin] = name.split('-');
    return (await stack.db.location.findFirstOrThrow({ where: { warehouseId: 1, aisle, bay, level, bin } })).locationId;
  };

  it('ships part of an order, leaves the rest reserved, then ships the rest; cancelling it afterwards releases nothing', async () => {
    await placeOrder('ship-1', [
      { sku: 'WIDGET', quantity: 6 },
      { sku: 'BOLT', quantity: 3 },
    ]);
    const [pickFace1, pickFace2] = [await locationId('A-01-1-01'), await locationId('A-01-1-02')];
    const movedBefore = (await stack.db.inventory.findFirstOrThrow({ where: { product: { sku: 'WIDGET' } } })).lastMovedAt;

    const partial = await orderEvent('OrderShipped', 'ship-1', { shipmentId: 'SHP-1', lines: [{ sku: 'WIDGET', quantity: 2 }] });
    const shipped = await stack.outcomeOf(partial);
    expect(shipped.envelope.eventType).toBe('StockShipped');
    expect(shipped.key).toBe('ship-1');
    expect(shipped.envelope.payload).toEqual({
      orderId: 'ship-1',
      shipmentId: 'SHP-1',
      lines: [{ productId: expect.any(Number), sku: 'WIDGET', quantity: 2, allocations: [{ locationId: pickFace1, quantity: 2 }] }],
    });
    expect(await inventoryOf(stack.db, 'WIDGET')).toEqual([{ location: 'A-01-1-01', onHand: 8, reserved: 4, available: 4 }]);
    expect(await ledgerOf(partial)).toEqual([['SHIP', pickFace1, -2, 'ORDER', 'ship-1']]);
    expect(await reservationsOf('ship-1')).toEqual([
      { locationId: pickFace1, quantity: 6, shipped: 2, released: 0, status: 'OPEN' },
      { locationId: pickFace2, quantity: 3, shipped: 0, released: 0, status: 'OPEN' },
    ]);
    const movedAfter = (await stack.db.inventory.findFirstOrThrow({ where: { product: { sku: 'WIDGET' } } })).lastMovedAt;
    expect(movedAfter!.getTime()).toBeGreaterThan(movedBefore?.getTime() ?? 0);

    // No lines: everything still reserved ships, and no shipmentId is null on the wire.
    const rest = await orderEvent('OrderShipped', 'ship-1');
    expect((await stack.outcomeOf(rest)).envelope.payload).toEqual({
      orderId: 'ship-1',
      shipmentId: null,
      lines: [
        { productId: expect.any(Number), sku: 'WIDGET', quantity: 4, allocations: [{ locationId: pickFace1, quantity: 4 }] },
        { productId: expect.any(Number), sku: 'BOLT', quantity: 3, allocations: [{ locationId: pickFace2, quantity: 3 }] },
      ],
    });
    expect(await inventoryOf(stack.db, 'WIDGET')).toEqual([{ location: 'A-01-1-01', onHand: 4, reserved: 0, available: 4 }]);
    expect(await inventoryOf(stack.db, 'BOLT')).toEqual([{ location: 'A-01-1-02', onHand: 7, reserved: 0, available: 7 }]);
    expect((await reservationsOf('ship-1')).map((r) => [r.shipped, r.status])).toEqual([
      [6, 'FULFILLED'],
      [3, 'FULFILLED'],
    ]);

    const cancel = await orderEvent('OrderCancelled', 'ship-1', { reason: 'too late' });
    expect(await processedOutcome(cancel)).toBe('NOTHING_TO_RELEASE');
    expect(await publishedFor(cancel)).toEqual({ onKafka: 0, inOutbox: 0 });
  });

  it('ships from both locations one reservation holds, pick face first', async () => {
    await placeOrder('ship-2', [{ sku: 'HAMMER', quantity: 8 }]);
    const [pickFace, bulk] = [await locationId('A-01-1-01'), await locationId('B-01-1-01')];

    const eventId = await orderEvent('OrderShipped', 'ship-2', { shipmentId: 'SHP-2', lines: [{ sku: 'HAMMER', quantity: 6 }] });
    expect((await stack.outcomeOf(eventId)).envelope.payload.lines).toEqual([
      {
        productId: expect.any(Number),
        sku: 'HAMMER',
        quantity: 6,
        allocations: [
          { locationId: pickFace, quantity: 5 },
          { locationId: bulk, quantity: 1 },
        ],
      },
    ]);
    expect(await inventoryOf(stack.db, 'HAMMER')).toEqual([
      { location: 'A-01-1-01', onHand: 0, reserved: 0, available: 0 },
      { location: 'B-01-1-01', onHand: 19, reserved: 2, available: 17 },
    ]);
    expect(await ledgerOf(eventId)).toEqual([
      ['SHIP', pickFace, -5, 'ORDER', 'ship-2'],
      ['SHIP', bulk, -1, 'ORDER', 'ship-2'],
    ]);
    expect((await reservationsOf('ship-2')).map((r) => [r.locationId, r.shipped, r.status])).toEqual([
      [pickFace, 5, 'FULFILLED'],
      [bulk, 1, 'OPEN'],
    ]);
  });

  it('refuses to ship more than is reserved: dead letter with the reason, nothing changed, nothing published', async () => {
    await placeOrder('ship-3', [{ sku: 'SAW', quantity: 3 }]);
    const before = await stockSnapshot();

    const eventId = await orderEvent('OrderShipped', 'ship-3', { lines: [{ sku: 'SAW', quantity: 4 }] });
    const dead = await deadLetterOf(eventId);
    expect(dead.key).toBe('ship-3');
    expect(dead.envelope?.eventId).toBe(eventId);
    expect(dead.headers).toMatchObject({
      'event-type': 'OrderShipped',
      'dlq-original-topic': expect.stringMatching(/orders$/),
      'dlq-original-partition': expect.stringMatching(/^\d+$/),
      'dlq-original-offset': expect.stringMatching(/^\d+$/),
      'dlq-error-code': 'EXCEEDS_RESERVED',
      'dlq-error-message': expect.stringContaining('shipping 4 exceeds the 3 still reserved'),
      'dlq-failed-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await processedOutcome(eventId)).toBe('DEAD_LETTERED');
    expect(await stockSnapshot()).toEqual(before);
    expect(await publishedFor(eventId)).toEqual({ onKafka: 0, inOutbox: 0 });
  });

  it('refuses an order with nothing reserved, and a product its reservation does not hold', async () => {
    await placeOrder('ship-4', [{ sku: 'PLIERS', quantity: 1 }]);
    const before = await stockSnapshot();

    const unknownOrder = await orderEvent('OrderShipped', 'never-placed');
    const wrongProduct = await orderEvent('OrderShipped', 'ship-4', {
      lines: [
        { sku: 'PLIERS', quantity: 1 },
        { sku: 'SAW', quantity: 1 },
      ],
    });
    expect((await deadLetterOf(unknownOrder)).headers['dlq-error-code']).toBe('NOTHING_RESERVED');
    expect((await deadLetterOf(wrongProduct)).headers).toMatchObject({
      'dlq-error-code': 'PRODUCT_NOT_RESERVED',
      'dlq-error-message': expect.stringContaining('sku SAW'),
    });
    await Promise.all([processedOutcome(unknownOrder), processedOutcome(wrongProduct)]);

    // All or nothing: the PLIERS line of the refused shipment did not ship either.
    expect(await stockSnapshot()).toEqual(before);
    expect(await publishedFor(wrongProduct)).toEqual({ onKafka: 0, inOutbox: 0 });
  });

  it('cancelling after a partial shipment releases only the remainder', async () => {
    await placeOrder('cancel-1', [{ sku: 'DRILL', quantity: 5 }]);
    const pickFace = await locationId('A-01-1-01');
    await stack.outcomeOf(await orderEvent('OrderShipped', 'cancel-1', { lines: [{ sku: 'DRILL', quantity: 2 }] }));

    const cancel = await orderEvent('OrderCancelled', 'cancel-1', { reason: 'customer changed their mind' });
    const released = await stack.outcomeOf(cancel);
    expect(released.envelope.eventType).toBe('StockReleased');
    expect(released.key).toBe('cancel-1');
    expect(released.envelope.payload).toEqual({ orderId: 'cancel-1', lines: [{ productId: expect.any(Number), sku: 'DRILL', quantity: 3 }] });
    expect(await inventoryOf(stack.db, 'DRILL')).toEqual([{ location: 'A-01-1-01', onHand: 8, reserved: 0, available: 8 }]);
    expect(await ledgerOf(cancel)).toEqual([['RELEASE', pickFace, -3, 'ORDER', 'cancel-1']]);
    expect(await reservationsOf('cancel-1')).toEqual([{ locationId: pickFace, quantity: 5, shipped: 2, released: 3, status: 'RELEASED' }]);
  });

  it('cancelling twice releases once; the second cancel (and one for an unknown order) changes and publishes nothing', async () => {
    await placeOrder('cancel-2', [{ sku: 'CHISEL', quantity: 4 }]);
    const first = await orderEvent('OrderCancelled', 'cancel-2');
    expect((await stack.outcomeOf(first)).envelope.payload.lines).toEqual([{ productId: expect.any(Number), sku: 'CHISEL', quantity: 4 }]);
    const before = await stockSnapshot();

    const second = await orderEvent('OrderCancelled', 'cancel-2');
    const unknown = await orderEvent('OrderCancelled', 'never-placed-either');
    expect(await processedOutcome(second)).toBe('NOTHING_TO_RELEASE');
    expect(await processedOutcome(unknown)).toBe('NOTHING_TO_RELEASE');

    expect(await stockSnapshot()).toEqual(before);
    expect(await publishedFor(second)).toEqual({ onKafka: 0, inOutbox: 0 });
    expect(await publishedFor(unknown)).toEqual({ onKafka: 0, inOutbox: 0 });
    expect(await inventoryOf(stack.db, 'CHISEL')).toEqual([{ location: 'A-01-1-02', onHand: 10, reserved: 0, available: 10 }]);
  });

  it('the same OrderShipped eventId delivered twice ships once', async () => {
    await placeOrder('ship-5', [{ sku: 'NAIL', quantity: 10 }]);
    const eventId = '3f0b8a52-6a1e-4f0c-9d7e-5b2c8e1a7d01';
    await orderEvent('OrderShipped', 'ship-5', { shipmentId: 'SHP-5', lines: [{ sku: 'NAIL', quantity: 4 }] }, eventId);
    await orderEvent('OrderShipped', 'ship-5', { shipmentId: 'SHP-5', lines: [{ sku: 'NAIL', quantity: 4 }] }, eventId);
    // Same key, same partition: once the cancel behind them is applied, both copies have been through.
    const cancel = await orderEvent('OrderCancelled', 'ship-5');
    const [shipped, released] = await stack.outcomesOf([eventId, cancel]);

    expect(shipped).toHaveLength(1);
    expect(released![0]!.envelope!.payload.lines).toEqual([{ productId: expect.any(Number), sku: 'NAIL', quantity: 6 }]);
    expect((await ledgerOf(eventId)).map(([type, , quantity]) => [type, quantity])).toEqual([['SHIP', -4]]);
    expect(await inventoryOf(stack.db, 'NAIL')).toEqual([{ location: 'B-01-1-01', onHand: 96, reserved: 0, available: 96 }]);
  });
});
