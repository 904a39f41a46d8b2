import { ConfigResourceTypes } from 'kafkajs';
import { TestStack } from '../support/harness';
import { testKafka, envelope, waitUntil } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';
import { inboundTopics, topicName } from '../../src/contracts';
import { createKafka } from '../../src/kafka';
import { createLogger } from '../../src/logger';
import { InventoryService } from '../../src/service';
import { inboundTopicRetentionMs, pruneRetained, pruneHorizons } from '../../src/ops/retention';
import { pruneInbox, prunePublishedOutbox } from '../../src/db/retention';

const DAY_MS = 86_400_000;

/**
 * Retention on a real database and broker: inbox rows, sent dead letters and
 * published outbox rows past RETENTION_DAYS are deleted, and nothing that a
 * replay of what Kafka still holds would need: the inbox and the dead-letter
 * records are kept while the inbound topics keep the messages they stand for.
 */
describe('retention: pruning the inbox, the outbox and the dead letters', () => {
  let stack: TestStack;
  let oldOrder: string | undefined;
  let newOrder: string | undefined;
  let oldDeadLetterId: bigint;
  let unsentDeadLetterId: bigint;
  let unpublishedOutboxId: bigint;
  /** The first order's outbox rows: its StockReserved, and its level event when it was alone in its transaction. */
  let oldOutboxRows: number;

  const kafkaAdmin = testKafka().admin();
  const setInboundRetention = async (ms: string) => {
    await kafkaAdmin.alterConfigs({
      validateOnly: false,
      resources: inboundTopics.map((t) => ({
        type: ConfigResourceTypes.TOPIC,
        name: topicName(t, stack.config.KAFKA_TOPIC_PREFIX),
        configEntries: [{ name: 'retention.ms', value: ms }],
      })),
    });
    // The broker applies a topic config change asynchronously.
    const expected = Number(ms) < 0 ? Infinity : Number(ms);
    await waitUntil(
      async () => (await inboundTopicRetentionMs(createKafka(stack.config, createLogger('silent')), stack.config.KAFKA_TOPIC_PREFIX)) === expected,
      15_000,
      `retention.ms never became ${ms}`,
    );
  };
  const prune = () =>
    pruneRetained({
      db: stack.db,
      kafka: createKafka(stack.config, createLogger('silent')),
      topicPrefix: stack.config.KAFKA_TOPIC_PREFIX,
      retentionDays: stack.config.RETENTION_DAYS,
      logger: createLogger('silent'),
    });
  const inbox = async () => (await stack.db.processedEvent.findMany({ select: { eventId: true } })).map((r) => r.eventId).sort();
  const deadLetters = async () => (await stack.db.deadLetter.findMany({ select: { deadLetterId: true } })).map((r) => r.deadLetterId).sort();
  const outboxCauses = async () =>
    (await stack.db.outboxEvent.findMany({ select: { outboxId: true, envelope: true } })).map((r) => (r.envelope as { causationId: string }).causationId);

  beforeAll(async () => {
    stack = await TestStack.start({ RETENTION_DAYS: '2', RETENTION_PRUNE_INTERVAL_MS: '0' });
    await kafkaAdmin.connect();
    await stack.importMasterData(smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 10 }]));
    const service = await stack.startService();
    [oldOrder] = await stack.publish('orders', 'r-old', [
      { eventType: 'OrderPlaced', payload: { orderId: 'r-old', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);
    [newOrder] = await stack.publish('orders', 'r-new', [
      { eventType: 'OrderPlaced', payload: { orderId: 'r-new', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);
    await stack.publishRaw('orders', 'r-bad', 'not json');
    await stack.outcomesOf([oldOrder!, newOrder!]);
    await stack.recorder.waitFor((ms) => ms.some((m) => m.headers['dlq-error-code'] === 'INVALID_JSON'), 30_000, 'the dead letter');
    await service.relay.publishAll();
    // Stopped, so that the relay leaves the unpublished row below alone.
    stack.services.splice(0);
    await service.stop();

    // Three days old: the first order's inbox row, outbox row and the dead letter; plus an old
    // dead letter not sent yet and an old outbox row not published yet, which must stay.
    await stack.db.$executeRaw`UPDATE processed_event SET processed_at = now() - interval '3 days' WHERE event_id = ${oldOrder!}::uuid`;
    oldOutboxRows = await stack.db
      .$executeRaw`UPDATE outbox_event SET created_at = now() - interval '3 days', published_at = now() - interval '3 days' WHERE envelope->>'causationId' = ${oldOrder}`;
    expect(oldOutboxRows).toBeGreaterThanOrEqual(1);
    await stack.db.$executeRaw`UPDATE dead_letter SET created_at = now() - interval '3 days'`;
    oldDeadLetterId = (await stack.db.deadLetter.findFirstOrThrow()).deadLetterId;
    unsentDeadLetterId = (
      await stack.db.deadLetter.create({
        data: { topic: 'x', partition: 0, offset: 1n, errorCode: 'INVALID_JSON', errorMessage: 'm', createdAt: new Date(Date.now() - 3 * DAY_MS) },
      })
    ).deadLetterId;
    const e = envelope({ eventType: 'StockReleased', payload: {} });
    unpublishedOutboxId = (
      await stack.db.outboxEvent.create({
        data: {
          eventId: e.eventId,
          eventType: 'StockReleased',
          topic: 'inventory-events',
          messageKey: 'k',
          envelope: { ...e, payload: {}, causationId: 'unpublished' },
          headers: {},
          createdAt: new Date(Date.now() - 3 * DAY_MS),
        },
      })
    ).outboxId;
    // The first outbox rows of the table: pruning walks from the oldest outbox_id.
    expect((await stack.db.outboxEvent.count()) >= 3).toBe(true);
  });

  afterAll(async () => {
    await kafkaAdmin.disconnect();
    await stack?.stop();
  });

  it('while the inbound topics keep messages longer than RETENTION_DAYS, the inbox and dead letters are kept that long; the published outbox goes', async () => {
    await setInboundRetention(String(5 * DAY_MS));
    const summary = await prune();
    expect(summary).toMatchObject({ processedEvents: 0, deadLetters: 0, outboxEvents: oldOutboxRows });
    expect(new Date(summary.replayRecordsBefore!).getTime()).toBeCloseTo(Date.now() - 5 * DAY_MS, -4);
    expect(await inbox()).toEqual([oldOrder, newOrder].sort());
    expect(await deadLetters()).toEqual([oldDeadLetterId, unsentDeadLetterId].sort());
    expect(await outboxCauses()).not.toContain(oldOrder);
    expect(await outboxCauses()).toEqual(expect.arrayContaining([newOrder, 'unpublished']));
  });

  it('an inbound topic that keeps messages forever keeps the inbox and the dead letters', async () => {
    await setInboundRetention('-1');
    const summary = await prune();
    expect(summary).toMatchObject({ processedEvents: 0, deadLetters: 0, replayRecordsBefore: null, keptReason: expect.stringContaining('forever') });
    expect(await inbox()).toEqual([oldOrder, newOrder].sort());
  });

  it("past both RETENTION_DAYS and the topics' retention, old inbox rows and sent dead letters go; unsent ones and recent rows stay", async () => {
    await setInboundRetention(String(DAY_MS));
    const summary = await prune();
    expect(summary).toMatchObject({ processedEvents: 1, deadLetters: 1 });
    expect(await inbox()).toEqual([newOrder]);
    expect(await deadLetters()).toEqual([unsentDeadLetterId]);
    expect(await stack.db.outboxEvent.findUnique({ where: { outboxId: unpublishedOutboxId } })).not.toBeNull();
    expect(await prune()).toMatchObject({ processedEvents: 0, deadLetters: 0, outboxEvents: 0 });
  });

  it('a recent event delivered again is still skipped after pruning: nothing is reserved twice', async () => {
    await stack.startService();
    // The same message again, as a replay would deliver it (same eventId).
    const again = envelope({
      eventId: newOrder,
      eventType: 'OrderPlaced',
      payload: { orderId: 'r-new', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] },
    });
    await stack.publishRaw('orders', 'r-new', JSON.stringify(again), { 'event-type': 'OrderPlaced', 'event-id': newOrder! });
    const [marker] = await stack.publish('orders', 'r-new', [{ eventType: 'OrderCancelled', payload: { orderId: 'r-new' } }]);
    await stack.outcomeOf(marker!); // same key, same partition: the copy was handled before it
    const reservations = await stack.db.reservation.findMany({ where: { orderId: 'r-new' } });
    expect(reservations.reduce((n, r) => n + r.quantity, 0)).toBe(1);
    expect(stack.recorder.messages.filter((m) => m.envelope?.causationId === newOrder)).toHaveLength(1);
  });

  it('works in batches until nothing old is left, and stands aside while another instance prunes', async () => {
    for (const service of stack.services.splice(0)) await service.stop(); // its relay would publish the row below
    const old = new Date(Date.now() - 10 * DAY_MS);
    const waiting = envelope({ eventType: 'StockReleased', payload: {} });
    const unpublished = (
      await stack.db.outboxEvent.create({
        data: {
          eventId: waiting.eventId,
          eventType: 'StockReleased',
          topic: 'inventory-events',
          messageKey: 'k',
          envelope: { ...waiting, payload: {} },
          headers: {},
          createdAt: old,
        },
      })
    ).outboxId;
    for (let i = 0; i < 5; i++) {
      const e = envelope({ eventType: 'StockReleased', payload: {} });
      await stack.db.outboxEvent.create({
        data: {
          eventId: e.eventId,
          eventType: 'StockReleased',
          topic: 'inventory-events',
          messageKey: 'k',
          envelope: { ...e, payload: {} },
          headers: {},
          createdAt: old,
          publishedAt: old,
        },
      });
      await stack.db.processedEvent.create({
        data: { eventId: e.eventId, eventType: 'OrderPlaced', topic: 't', partition: 0, offset: BigInt(i), outcome: 'RESERVED', processedAt: old },
      });
    }
    const before = new Date(Date.now() - 5 * DAY_MS);
    // Another instance's round holds the lock: this one deletes nothing and does not wait.
    let release!: () => void;
    const holding = stack.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(61736110::bigint)`;
      await new Promise<void>((r) => (release = r));
    });
    await waitUntil(async () => release !== undefined, 5_000, 'lock never taken');
    expect(await pruneInbox(stack.db, { before, batch: 2 })).toBe(0);
    release();
    await holding;
    expect(await pruneInbox(stack.db, { before, batch: 2 })).toBe(5);
    // The outbox is walked from its oldest outbox_id and stops at the first newer row: with every
    // row old enough, all published ones go, two at a time, and the unpublished one stays.
    const published = await stack.db.outboxEvent.count({ where: { publishedAt: { not: null } } });
    expect(published).toBeGreaterThanOrEqual(6);
    expect(await prunePublishedOutbox(stack.db, { before: new Date(Date.now() + DAY_MS), batch: 2 })).toBe(published);
    expect((await stack.db.outboxEvent.findMany()).map((r) => r.outboxId)).toEqual([unpublished]);
  });

  it('the service prunes by itself every RETENTION_PRUNE_INTERVAL_MS', async () => {
    const service = new InventoryService({
      config: { ...stack.config, RETENTION_PRUNE_INTERVAL_MS: 200 },
      logger: createLogger('silent'),
      instanceId: 'pruner',
    });
    await service.start();
    try {
      const old = new Date(Date.now() - 10 * DAY_MS);
      const e = envelope({ eventType: 'StockReleased', payload: {} });
      await stack.db.processedEvent.create({
        data: { eventId: e.eventId, eventType: 'OrderPlaced', topic: 't', partition: 0, offset: 99n, outcome: 'RESERVED', processedAt: old },
      });
      await waitUntil(async () => (await stack.db.processedEvent.count({ where: { eventId: e.eventId } })) === 0, 15_000, 'never pruned');
    } finally {
      await service.stop();
    }
  });

  it("pruneHorizons: the longer of RETENTION_DAYS and the topics' retention; none for the inbox when unknown or forever", () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(pruneHorizons(now, 30, 7 * DAY_MS)).toEqual({ replayRecords: new Date('2026-11-01T00:00:00Z'), outbox: new Date('2026-11-01T00:00:00Z') });
    expect(pruneHorizons(now, 1, 7 * DAY_MS)).toEqual({ replayRecords: new Date('2026-11-24T00:00:00Z'), outbox: new Date('2026-11-30T00:00:00Z') });
    expect(pruneHorizons(now, 1, Infinity).replayRecords).toBeNull();
    expect(pruneHorizons(now, 1, null).replayRecords).toBeNull();
  });
});
