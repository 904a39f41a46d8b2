import { randomUUID } from 'node:crypto';
import type { Admin, KafkaMessage, Producer } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { TestStack } from '../support/harness';
import { envelope, testKafka, waitUntil, type InboundEvent, type ReceivedMessage, type TopicRecorder } from '../support/kafka';
import { stockDrift } from '../support/assertions';
import { smallCatalog } from '../fixtures/catalog';
import { inboundTopics, topicName, topics, type InboundTopic, type TopicBase } from '../../src/contracts';
import { readInventoryLevels } from '../../src/db/inventory-levels';
import { processRecords } from '../../consumers/pipeline/process-records';
import type { ProcessorDeps } from '../../consumers/pipeline/types';
import { handlersByType } from '../../consumers/registry';
import { createLogger } from '../../src/logger';
import { InventoryService } from '../../src/service';
import { executeReplay, planReplay } from '../../src/ops/replay';
import { TopicConfigurationError } from '../../src/errors';

/**
 * The inventory-levels topic end to end, through the real broker and
 * PostgreSQL: one InventoryLevelChanged per (product, warehouse) per
 * transaction, versions rising per key in topic order, a level table that
 * can be rebuilt from the topic after a mixed workload run by two instances,
 * and a replay that publishes nothing new.
 */
describe('the inventory-levels topic', () => {
  let stack: TestStack;
  let admin: Admin;
  let producer: Producer;
  const levelsTopic = () => topicName(topics.inventoryLevels, stack.config.KAFKA_TOPIC_PREFIX);
  let loc: (warehouse: string, location: string) => number;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog(
        [
          { sku: 'HOT', location: 'A-01-1-01', quantity: 1000 },
          { sku: 'SOLO', location: 'A-01-1-01', quantity: 10 },
          { sku: 'HAMMER', location: 'A-01-1-01', quantity: 40 },
          { sku: 'HAMMER', location: 'B-01-1-01', quantity: 20 },
          { sku: 'HAMMER', warehouse: 'WH2', location: 'A-01-1-01', quantity: 15 },
          { sku: 'BOLT', location: 'A-01-1-02', quantity: 12 },
          { sku: 'NUT', warehouse: 'WH2', location: 'A-01-1-02', quantity: 6 },
          { sku: 'EMPTY', location: 'Z-01-1-01', quantity: 0 },
        ],
        [
          { sku: 'BOLT', reorderPoint: 8, reorderQuantity: 40, autoReplenish: true },
          { sku: 'NUT', reorderPoint: 5, reorderQuantity: 10, autoReplenish: true },
          { sku: 'HAMMER', reorderPoint: 10 },
        ],
      ),
    );
    const locations = await stack.db.location.findMany({ include: { warehouse: true } });
    loc = (warehouse, location) => locations.find((l) => l.warehouse.code === warehouse && `${l.aisle}-${l.bay}-${l.level}-${l.bin}` === location)!.locationId;
    admin = testKafka().admin();
    await admin.connect();
    producer = testKafka().producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await stack?.stop();
  });

  const levelsInOutbox = () => stack.db.outboxEvent.count({ where: { eventType: 'InventoryLevelChanged' } });
  const keyOf = async (sku: string, warehouseId = 1) => `${(await stack.db.product.findUniqueOrThrow({ where: { sku } })).productId}:${warehouseId}`;
  const ofKey = (recorder: TopicRecorder, key: string) => recorder.messages.filter((m) => m.key === key);

  it('is created compacted, and a service refuses to start when it exists without compaction', async () => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: levelsTopic(), configNames: ['cleanup.policy'] }],
    });
    expect(resources[0]!.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('compact');

    // Another deployment's topics, where someone created inventory-levels by hand with Kafka's default policy.
    const prefix = `${stack.config.KAFKA_TOPIC_PREFIX}wrong.`;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topicName(topics.inventoryLevels, prefix), numPartitions: 1, replicationFactor: 1 }] });
    try {
      for (const create of [true, false]) {
        const service = new InventoryService({
          config: { ...stack.config, KAFKA_TOPIC_PREFIX: prefix, KAFKA_CREATE_TOPICS: create },
          logger: createLogger('silent'),
        });
        try {
          await expect(service.start()).rejects.toThrow(TopicConfigurationError);
          await expect(service.start()).rejects.toThrow(`topic ${prefix}inventory-levels has cleanup.policy=delete; it must be compact`);
        } finally {
          await service.db.$disconnect();
        }
      }
    } finally {
      await admin.deleteTopics({ topics: (Object.values(topics) as TopicBase[]).map((t) => topicName(t, prefix)) }).catch(() => undefined);
    }
  });

  it('a run of 400 reservations of one hot SKU in one transaction gives ONE level event, with the figures as committed', async () => {
    const hot = await keyOf('HOT');
    const deps: ProcessorDeps = {
      db: stack.db,
      topicPrefix: stack.config.KAFKA_TOPIC_PREFIX,
      logger: createLogger('silent'),
      handlers: handlersByType(),
      settings: { receiptOverTolerancePercent: 0 },
    };
    const message = (event: InboundEvent, offset: number): KafkaMessage => ({
      key: Buffer.from('k'),
      value: Buffer.from(JSON.stringify(envelope(event))),
      offset: String(offset),
      timestamp: String(Date.now()),
      attributes: 0,
      headers: {},
    });
    const orders = Array.from({ length: 400 }, (_, i) => ({
      eventType: 'OrderPlaced',
      eventId: randomUUID(),
      payload: { orderId: `hot-${i}`, warehouseId: 1, lines: [{ sku: 'HOT', quantity: 2 }] },
    }));
    const before = await levelsInOutbox();
    const results = await processRecords(
      deps,
      orders.map((o, i) => ({ topic: 'orders' as const, partition: 0, message: message(o, i) })),
    );
    expect(results.every((r) => r.status === 'APPLIED' && r.outcome === 'RESERVED')).toBe(true);
    expect(await levelsInOutbox()).toBe(before + 1);

    await stack.startService();
    const levels = await stack.recordLevels();
    await levels.waitFor(() => ofKey(levels, hot).length === 2, 30_000, 'the import record and the batch record of HOT');
    const [opening, batch] = ofKey(levels, hot);
    expect(opening!.envelope!.payload).toMatchObject({
      sku: 'HOT',
      warehouseId: 1,
      onHand: 1000,
      reserved: 0,
      available: 1000,
      status: 'IN_STOCK',
      previousStatus: null,
      version: 1,
    });
    expect(batch!.envelope!.payload).toMatchObject({
      onHand: 1000,
      reserved: 800,
      available: 200,
      backordered: 0,
      incoming: 0,
      status: 'IN_STOCK',
      previousStatus: 'IN_STOCK',
      version: 2,
    });
    // No single cause: 400 orders made this level.
    expect(batch!.envelope).toMatchObject({ causationId: null, correlationId: null, eventType: 'InventoryLevelChanged' });
    expect(batch!.headers['event-type']).toBe('InventoryLevelChanged');
  });

  it('a transaction of one event names it as the cause of its level event', async () => {
    const solo = await keyOf('SOLO');
    const [eventId] = await stack.publish('orders', 'solo-1', [
      { eventType: 'OrderPlaced', correlationId: 'checkout-solo', payload: { orderId: 'solo-1', warehouseId: 1, lines: [{ sku: 'SOLO', quantity: 10 }] } },
    ]);
    const levels = await stack.recordLevels();
    await levels.waitFor(() => ofKey(levels, solo).length === 2, 30_000, 'the SOLO level after its order');
    const record = ofKey(levels, solo)[1]!;
    expect(record.envelope).toMatchObject({ causationId: eventId, correlationId: 'checkout-solo' });
    expect(record.envelope!.payload).toMatchObject({ onHand: 10, reserved: 10, available: 0, status: 'OUT_OF_STOCK', previousStatus: 'IN_STOCK', version: 2 });
  });

  it('after a mixed workload run by two instances, the topic rebuilds the level table key for key; versions rise by one per record', async () => {
    await stack.startService();
    await stack.waitForGroupMembers(2);
    const sent: string[] = [];
    const send = async (topic: InboundTopic, key: string, eventType: string, payload: unknown) => {
      sent.push(...(await stack.publish(topic, key, [{ eventType, payload }])));
    };
    const allProcessed = () =>
      waitUntil(async () => (await stack.db.processedEvent.count({ where: { eventId: { in: sent } } })) === sent.length, 90_000, 'every event processed');

    // Orders across both warehouses (some unspecified, some too big), and hand-keyed operations at the same time.
    for (let i = 1; i <= 40; i++) {
      const sku = ['HAMMER', 'BOLT', 'NUT', 'HAMMER'][i % 4]!;
      const warehouseId = sku === 'NUT' ? 2 : i % 5 === 0 ? undefined : 1;
      await send('orders', `mix-${i}`, 'OrderPlaced', {
        orderId: `mix-${i}`,
        ...(warehouseId ? { warehouseId } : {}),
        lines: [{ sku, quantity: 1 + (i % 3) }],
      });
    }
    await send('inventory-operations', String(loc('WH1', 'A-01-1-01')), 'StockAdjusted', {
      sku: 'HAMMER',
      locationId: loc('WH1', 'A-01-1-01'),
      quantityDelta: 5,
      reason: 'FOUND',
    });
    await send('inventory-operations', String(loc('WH1', 'B-01-1-01')), 'StockAdjusted', {
      sku: 'HAMMER',
      locationId: loc('WH1', 'B-01-1-01'),
      quantityDelta: -2,
      reason: 'DAMAGED',
    });
    await send('inventory-operations', String(loc('WH2', 'A-01-1-01')), 'StockCounted', {
      sku: 'HAMMER',
      locationId: loc('WH2', 'A-01-1-01'),
      countedQuantity: 30,
    });
    await send('inventory-operations', String(loc('WH1', 'B-01-1-01')), 'StockTransferred', {
      sku: 'HAMMER',
      fromLocationId: loc('WH1', 'B-01-1-01'),
      toLocationId: loc('WH1', 'A-01-1-02'),
      quantity: 4,
    });
    await allProcessed();

    // Ships and cancels of those orders (an unreserved one is dead-lettered: still no level change).
    for (let i = 1; i <= 10; i++) await send('orders', `mix-${i}`, 'OrderShipped', { orderId: `mix-${i}` });
    for (let i = 11; i <= 20; i++) await send('orders', `mix-${i}`, 'OrderCancelled', { orderId: `mix-${i}` });
    await allProcessed();

    // The reorder trigger raised DRAFT purchase orders for BOLT (WH1) and NUT (WH2): procurement sends
    // both (incoming rises), confirms BOLT's and receives part of it, cancels NUT's (incoming falls).
    const bolt = await stack.db.purchaseOrder.findFirstOrThrow({
      where: { replenishProductId: (await stack.db.product.findUniqueOrThrow({ where: { sku: 'BOLT' } })).productId },
    });
    const nut = await stack.db.purchaseOrder.findFirstOrThrow({
      where: { replenishProductId: (await stack.db.product.findUniqueOrThrow({ where: { sku: 'NUT' } })).productId },
    });
    for (const po of [bolt, nut]) await send('purchase-order-updates', String(po.poId), 'PurchaseOrderStatusChanged', { poId: po.poId, status: 'SENT' });
    await send('purchase-order-updates', String(bolt.poId), 'PurchaseOrderStatusChanged', { poId: bolt.poId, status: 'CONFIRMED' });
    await allProcessed();
    await send('purchase-order-updates', String(nut.poId), 'PurchaseOrderStatusChanged', { poId: nut.poId, status: 'CANCELLED' });
    await send('goods-receipts', String(bolt.poId), 'GoodsReceived', { poId: bolt.poId, receiptId: 'RCV-MIX-1', lines: [{ sku: 'BOLT', quantity: 15 }] });
    await allProcessed();
    // More orders after the receipt.
    for (let i = 41; i <= 50; i++)
      await send('orders', `mix-${i}`, 'OrderPlaced', { orderId: `mix-${i}`, lines: [{ sku: i % 2 ? 'BOLT' : 'HAMMER', quantity: 2 }] });
    await allProcessed();

    await waitUntil(async () => (await stack.db.outboxEvent.count({ where: { publishedAt: null } })) === 0, 60_000, 'the outbox to drain');
    const published = await levelsInOutbox();
    const levels = await stack.recordLevels();
    await levels.waitFor((ms) => ms.length === published, 60_000, `${published} level records`);
    expect(new Set(levels.messages.map((m) => m.envelope!.eventId)).size).toBe(published);

    // Per key, in topic order: versions 1, 2, 3, ... (each record one version), previousStatus the last status.
    const byKey = new Map<string, ReceivedMessage[]>();
    for (const m of levels.messages) byKey.set(m.key!, [...(byKey.get(m.key!) ?? []), m]);
    for (const [key, records] of byKey) {
      expect({ key, versions: records.map((r) => r.envelope!.payload.version) }).toEqual({ key, versions: records.map((_, i) => i + 1) });
      expect({ key, previous: records.map((r) => r.envelope!.payload.previousStatus) }).toEqual({
        key,
        previous: [null, ...records.slice(0, -1).map((r) => r.envelope!.payload.status)],
      });
      expect(records.every((r) => r.key === `${r.envelope!.payload.productId}:${r.envelope!.payload.warehouseId}`)).toBe(true);
    }
    // Both instances published levels of this workload's keys: the incoming figures moved too.
    const boltRecords = byKey.get(await keyOf('BOLT'))!.map((r) => r.envelope!.payload);
    expect(boltRecords.some((p) => p.incoming === 40)).toBe(true);
    expect(boltRecords.at(-1)!.incoming).toBe(25);
    expect(byKey.get(await keyOf('NUT', 2))!.map((r) => r.envelope!.payload.incoming)).toContain(10);

    // The rebuild: latest record per key == what the query API computes from the tables, key for key.
    const rebuilt = new Map([...byKey].map(([key, records]) => [key, records.at(-1)!.envelope!.payload]));
    const products = await stack.db.product.findMany({ select: { productId: true } });
    const table = await readInventoryLevels(stack.db, { productIds: products.map((p) => p.productId) });
    const figures = (l: Record<string, unknown>) => ({
      sku: l.sku,
      onHand: l.onHand,
      reserved: l.reserved,
      available: l.available,
      backordered: l.backordered,
      incoming: l.incoming,
      status: l.status,
      version: l.version,
    });
    expect(
      Object.fromEntries([...rebuilt].filter(([key]) => table.some((l) => `${l.productId}:${l.warehouseId}` === key)).map(([key, p]) => [key, figures(p)])),
    ).toEqual(Object.fromEntries(table.map((l) => [`${l.productId}:${l.warehouseId}`, figures(l as unknown as Record<string, unknown>)])));
    // A key the API no longer lists (no stock row, nothing incoming) ends at zero on the topic.
    for (const [key, p] of rebuilt) {
      if (!table.some((l) => `${l.productId}:${l.warehouseId}` === key))
        expect({ key, onHand: p.onHand, reserved: p.reserved, incoming: p.incoming }).toEqual({ key, onHand: 0, reserved: 0, incoming: 0 });
    }
    expect(rebuilt.get(await keyOf('EMPTY'))).toMatchObject({ onHand: 0, status: 'OUT_OF_STOCK', version: 1 });
    expect(await stockDrift(stack.db)).toEqual([]);
  }, 300_000);

  it('a replay from the earliest offsets publishes nothing new', async () => {
    const levelsEnd = async () => (await admin.fetchTopicOffsets(levelsTopic())).reduce((n, p) => n + Number(p.high), 0);
    const inbound = () => inboundTopics.map((t) => topicName(t, stack.config.KAFKA_TOPIC_PREFIX));
    const groupAtEnd = async () => {
      for (const name of inbound()) {
        const ends = await admin.fetchTopicOffsets(name);
        const [committed] = await admin.fetchOffsets({ groupId: stack.config.KAFKA_GROUP_ID, topics: [name] });
        for (const end of ends)
          if (end.high !== end.low && (committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1') !== end.high) return false;
      }
      return true;
    };
    await waitUntil(groupAtEnd, 60_000, 'the group to reach the end before the replay');
    for (const s of stack.services.splice(0)) await s.stop();
    const before = {
      outbox: await stack.db.outboxEvent.count(),
      levels: await stack.db.$queryRaw`SELECT * FROM inventory_level ORDER BY 1, 2`,
      end: await levelsEnd(),
    };
    expect(before.end).toBeGreaterThan(0);

    const plan = await planReplay(admin, { groupId: stack.config.KAFKA_GROUP_ID, topicPrefix: stack.config.KAFKA_TOPIC_PREFIX, target: { kind: 'earliest' } });
    await executeReplay(admin, plan);
    expect(await groupAtEnd()).toBe(false);
    await stack.startService();
    await waitUntil(groupAtEnd, 90_000, 'the replay to reach the end of the inbound topics');

    expect({
      outbox: await stack.db.outboxEvent.count(),
      levels: await stack.db.$queryRaw`SELECT * FROM inventory_level ORDER BY 1, 2`,
      end: await levelsEnd(),
    }).toEqual(before);
  }, 180_000);
});
