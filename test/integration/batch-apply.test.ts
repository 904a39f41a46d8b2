import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { smallCatalog } from '../fixtures/catalog';
import { envelope, type InboundEvent } from '../support/kafka';
import { processRecords } from '../../consumers/pipeline/process-records';
import type { ProcessorDeps } from '../../consumers/pipeline/types';
import { handlersByType } from '../../consumers/registry';
import { createLogger } from '../../src/logger';
import { createPurchaseOrder } from '../fixtures/purchase-orders';

/**
 * A run of messages applied in one transaction must have exactly the effect of
 * applying them one by one: later orders see what earlier ones took, a refused
 * event leaves nothing behind, a duplicate inside the run counts once, and the
 * order of events of one order is kept.
 */
describe('applying a run of events in one transaction', () => {
  let stack: TestStack;
  let deps: ProcessorDeps;
  let importedUpTo: bigint;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog([
        { sku: 'HOT', location: 'A-01-1-01', quantity: 3 },
        { sku: 'HOT', location: 'B-01-1-01', quantity: 2 },
        { sku: 'BOLT', location: 'A-01-1-02', quantity: 10 },
        { sku: 'NUT', location: 'A-01-1-02', quantity: 10 },
        { sku: 'DUAL', location: 'A-01-1-02', quantity: 5 },
        { sku: 'DUAL', warehouse: 'WH2', location: 'A-01-1-02', quantity: 5 },
      ]),
    );
    // The import's own level events come first in the outbox.
    importedUpTo = (await stack.db.outboxEvent.aggregate({ _max: { outboxId: true } }))._max.outboxId ?? 0n;
    deps = {
      db: stack.db,
      topicPrefix: stack.config.KAFKA_TOPIC_PREFIX,
      logger: createLogger('silent'),
      handlers: handlersByType(),
      settings: { receiptOverTolerancePercent: 0 },
    };
  });

  afterAll(async () => {
    await stack.stop();
  });

  let offset = 0;
  const message = (event: InboundEvent | string): KafkaMessage => ({
    key: Buffer.from('k'),
    value: Buffer.from(typeof event === 'string' ? event : JSON.stringify(envelope(event))),
    offset: String(offset++),
    timestamp: String(Date.now()),
    attributes: 0,
    headers: {},
  });
  const placed = (orderId: string, quantity: number, extra: Record<string, unknown> = {}): InboundEvent => ({
    eventType: 'OrderPlaced',
    eventId: randomUUID(),
    payload: { orderId, warehouseId: 1, lines: [{ sku: 'HOT', quantity }], ...extra },
  });

  it('gives each event the outcome it would have had alone', async () => {
    const duplicate = placed('o-1', 2);
    const events: (InboundEvent | string)[] = [
      duplicate,
      duplicate, // the same eventId again inside the run
      placed('o-2', 2),
      { eventType: 'OrderShipped', eventId: randomUUID(), payload: { orderId: 'o-1', lines: [{ sku: 'HOT', quantity: 5 }] } }, // more than reserved: refused
      placed('o-1', 1), // a second OrderPlaced for o-1: refused
      placed('o-3', 2), // only 1 left: insufficient
      placed('o-4', 1, { warehouseId: 999 }), // no such warehouse: refused
      '{not json',
      { eventType: 'OrderShipped', eventId: randomUUID(), payload: { orderId: 'o-2' } }, // ships o-2 in full
      placed('o-5', 1),
      { eventType: 'OrderCancelled', eventId: randomUUID(), payload: { orderId: 'o-5' } },
    ];
    const results = await processRecords(
      deps,
      events.map((e) => ({ topic: 'orders' as const, partition: 0, message: message(e) })),
    );

    expect(results.map((r) => (r.status === 'APPLIED' ? r.outcome : r.status === 'DEAD_LETTERED' ? r.code : r.status))).toEqual([
      'RESERVED',
      'DUPLICATE',
      'RESERVED',
      'EXCEEDS_RESERVED',
      'ORDER_ALREADY_PLACED',
      'INSUFFICIENT_STOCK',
      'UNKNOWN_WAREHOUSE',
      'INVALID_JSON',
      'SHIPPED',
      'RESERVED',
      'RELEASED',
    ]);
    // o-1 holds 2 at the pick face; o-2 took the pick face's last unit and one from bulk, and shipped
    // them (on hand 5 -> 3); o-5 took bulk's last unit and released it.
    expect(await inventoryOf(stack.db, 'HOT')).toEqual([
      { location: 'A-01-1-01', onHand: 2, reserved: 2, available: 0 },
      { location: 'B-01-1-01', onHand: 1, reserved: 0, available: 1 },
    ]);
    const outbox = await stack.db.outboxEvent.findMany({ where: { outboxId: { gt: importedUpTo } }, orderBy: { outboxId: 'asc' } });
    const hot = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'HOT' } })).productId;
    expect(outbox.map((o) => `${o.eventType}:${o.messageKey}`)).toEqual([
      'StockReserved:o-1',
      'StockReserved:o-2',
      'InsufficientStock:o-3',
      'StockShipped:o-2',
      'StockReserved:o-5',
      'StockReleased:o-5',
      // One level per key per transaction, whatever the run did to it.
      `InventoryLevelChanged:${hot}:1`,
    ]);
    // Refused events are not in the inbox as applied: they were dead-lettered after the commit.
    expect(await stack.db.processedEvent.count({ where: { outcome: 'DEAD_LETTERED' } })).toBe(3);
    expect(await stack.db.deadLetter.count()).toBe(4);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('a second run of the same messages changes nothing', async () => {
    const events = [placed('r-1', 1), placed('r-2', 1)];
    const records = events.map((e) => ({ topic: 'orders' as const, partition: 0, message: message(e) }));
    await processRecords(deps, records);
    const before = { ledger: await stack.db.inventoryTransaction.count(), outbox: await stack.db.outboxEvent.count() };
    const again = await processRecords(deps, records);
    expect(again.map((r) => r.status)).toEqual(['DUPLICATE', 'DUPLICATE']);
    expect({ ledger: await stack.db.inventoryTransaction.count(), outbox: await stack.db.outboxEvent.count() }).toEqual(before);
  });

  it('a poison event that the database refuses holds back only itself, and is dead-lettered', async () => {
    // Stands for any event that passes the contract and then fails in PostgreSQL on its data.
    await stack.db.$executeRawUnsafe(`ALTER TABLE reservation ADD CONSTRAINT test_poison CHECK (order_id <> 'poison')`);
    try {
      const events = [
        placed('p-1', 1, { lines: [{ sku: 'BOLT', quantity: 1 }] }),
        placed('poison', 1, { lines: [{ sku: 'BOLT', quantity: 1 }] }),
        placed('p-2', 1, { lines: [{ sku: 'BOLT', quantity: 1 }] }),
      ];
      const results = await processRecords(
        deps,
        events.map((e) => ({ topic: 'orders' as const, partition: 0, message: message(e) })),
      );
      expect(results.map((r) => (r.status === 'APPLIED' ? r.outcome : r.status === 'DEAD_LETTERED' ? r.code : r.status))).toEqual([
        'RESERVED',
        'UNPROCESSABLE',
        'RESERVED',
      ]);
      const dead = await stack.db.deadLetter.findFirst({ where: { errorCode: 'UNPROCESSABLE' } });
      expect(dead?.errorMessage).toContain('test_poison');
      expect(await stack.db.reservation.count({ where: { orderId: { in: ['p-1', 'p-2', 'poison'] } } })).toBe(2);
      expect(await stockDrift(stack.db)).toEqual([]);
    } finally {
      await stack.db.$executeRawUnsafe('ALTER TABLE reservation DROP CONSTRAINT test_poison');
    }
  });

  it("a refused event is recorded with its message for the relay in the run's transaction, and not judged again when redelivered", async () => {
    const poId = await createPurchaseOrder(stack.db, { status: 'DRAFT', lines: [{ sku: 'BOLT', quantity: 5 }] });
    const confirmTooEarly = { eventType: 'PurchaseOrderStatusChanged', eventId: randomUUID(), payload: { poId, status: 'CONFIRMED' } };
    const send = { eventType: 'PurchaseOrderStatusChanged', eventId: randomUUID(), payload: { poId, status: 'SENT' } };
    const records = [confirmTooEarly, send].map((e) => ({
      topic: 'purchase-order-updates' as const,
      partition: 0,
      message: { ...message(e), headers: { 'x-trace': Buffer.from([0, 1, 2]) } } as KafkaMessage,
    }));

    await processRecords(deps, records);
    expect((await stack.db.purchaseOrder.findUniqueOrThrow({ where: { poId } })).status).toBe('SENT');
    const row = await stack.db.deadLetter.findFirstOrThrow({ where: { eventId: confirmTooEarly.eventId } });
    expect(row.errorCode).toBe('ILLEGAL_TRANSITION');
    expect(row.sentAt).toBeNull(); // the relay leader sends it (none runs here)
    expect(Buffer.from(row.messageValue!).equals(records[0]!.message.value!)).toBe(true);
    expect(row.messageHeaders).toEqual({ 'x-trace': [Buffer.from([0, 1, 2]).toString('base64')] });

    // Delivered again: CONFIRMED would now be legal after SENT, but it was refused when it came, in its place.
    const again = await processRecords(deps, records);
    expect(again.map((r) => (r.status === 'DEAD_LETTERED' ? r.code : r.status))).toEqual(['ILLEGAL_TRANSITION', 'DUPLICATE']);
    expect((await stack.db.purchaseOrder.findUniqueOrThrow({ where: { poId } })).status).toBe('SENT');
    expect(await stack.db.deadLetter.count({ where: { errorCode: 'ILLEGAL_TRANSITION' } })).toBe(1);
  });

  it('an order that names its warehouse claims its units before later orders of the run choose theirs', async () => {
    const named = placed('d-1', 5, { lines: [{ sku: 'DUAL', quantity: 5 }] }); // warehouseId 1, all of WH1's DUAL
    const unnamed = { eventType: 'OrderPlaced', eventId: randomUUID(), payload: { orderId: 'd-2', lines: [{ sku: 'DUAL', quantity: 5 }] } };
    const results = await processRecords(
      deps,
      [named, unnamed].map((e) => ({ topic: 'orders' as const, partition: 0, message: message(e) })),
    );
    expect(results.map((r) => (r.status === 'APPLIED' ? r.outcome : r.status))).toEqual(['RESERVED', 'RESERVED']);
    expect((await stack.db.reservation.findFirstOrThrow({ where: { orderId: 'd-2' } })).warehouseId).toBe(2);
  });

  // The run's reads before its locks come in one statement (placementReads): lines named by id, by sku, or by
  // both, orders placed before through a recorded v2 option, and the warehouse choice must come out as before.
  it('resolves lines by id and by sku, refuses an id that contradicts its sku, and an order placed before with v2 options', async () => {
    const bolt = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'BOLT' } })).productId;
    const dual = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'DUAL' } })).productId;
    const nut = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'NUT' } })).productId;
    const order = (orderId: string, payload: Record<string, unknown>): InboundEvent => ({
      eventType: 'OrderPlaced',
      eventId: randomUUID(),
      payload: { orderId, ...payload },
    });
    const sourced = order('v-1', { lines: [{ sku: 'BOLT', quantity: 1 }], sourcing: 'SPLIT' });
    const results = await processRecords(
      deps,
      [
        sourced,
        order('m-1', { lines: [{ productId: bolt, quantity: 1 }] }),
        order('m-2', { lines: [{ sku: 'BOLT', quantity: 1 }] }),
        order('m-3', {
          lines: [
            { productId: bolt, quantity: 1 },
            { sku: 'NUT', quantity: 1 },
          ],
        }),
        order('v-1', { lines: [{ sku: 'BOLT', quantity: 1 }] }), // a v1 copy of the sourced order
      ].map((e) => ({ topic: 'orders' as const, partition: 0, message: message(e) })),
    );
    expect(results.map((r) => (r.status === 'APPLIED' ? r.outcome : r.status === 'DEAD_LETTERED' ? r.code : r.status))).toEqual([
      'RESERVED',
      'RESERVED',
      'RESERVED',
      'RESERVED',
      'ORDER_ALREADY_PLACED',
    ]);
    const warehouses = await stack.db.reservation.findMany({
      where: { orderId: { in: ['m-1', 'm-2', 'm-3'] } },
      orderBy: [{ orderId: 'asc' }, { productId: 'asc' }],
    });
    // BOLT and NUT are stocked in WH1 only, so every order goes there.
    expect(warehouses.map((r) => [r.orderId, r.productId, r.warehouseId])).toEqual([
      ['m-1', bolt, 1],
      ['m-2', bolt, 1],
      ['m-3', Math.min(bolt, nut), 1],
      ['m-3', Math.max(bolt, nut), 1],
    ]);

    // Alone in its run: a line whose productId and sku name different products resolves to none, and the id's
    // product (DUAL, stocked in both warehouses) plays no part in choosing a warehouse: no warehouse covers the order.
    const [contradiction] = await processRecords(deps, [
      { topic: 'orders' as const, partition: 0, message: message(order('m-4', { lines: [{ productId: dual, sku: 'BOLT', quantity: 1 }] })) },
    ]);
    expect(contradiction).toMatchObject({ status: 'DEAD_LETTERED', code: 'UNKNOWN_WAREHOUSE' });
    expect(await stack.db.reservation.count({ where: { orderId: 'm-4' } })).toBe(0);
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
