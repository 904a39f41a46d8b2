import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { stockDrift } from '../support/assertions';
import { createDb } from '../../src/db/client';
import { loadConfig } from '../../src/config';
import { createKafka } from '../../src/kafka';
import { ensureTopics } from '../../src/kafka-topics';
import { createLogger } from '../../src/logger';
import { importMasterData } from '../../src/master-data/import';
import { topicName } from '../../src/contracts';
import { ROOT, waitFor } from './support/exec';
import { buildService, readLogLines, removeBuild, ServiceProcess } from './support/service-process';
import {
  deleteTopics,
  envelopeOfRaw,
  faultCatalog,
  kafkaOn,
  orderEnvelope,
  randomPrefix,
  readTopics,
  Sampler,
  sendWithRetry,
  type OrderSpec,
} from './support/workload';

/**
 * Four service processes in one consumer group, 10 SKUs, FAULT_FOUR_ORDERS
 * single-unit orders (2,000 in `npm test`, where it costs ~25 s; 10,000 in
 * `npm run test:faults`, whose jest.faults.config.js sets the variable) spread evenly over the SKUs and over
 * every partition, so the same inventory rows are fought over by all four at
 * once. Stock is below demand for most SKUs: exactly min(stock, demand) units
 * of each must be reserved, never more, and never more than on hand.
 */
const ORDERS = Number(process.env.FAULT_FOUR_ORDERS ?? 2_000);
const INSTANCES = 4;
const SKUS = Array.from({ length: 10 }, (_, i) => `MULTI-${String(i + 1).padStart(2, '0')}`);
const DEMAND = ORDERS / SKUS.length;
// Below, at and above demand; one SKU with no stock at all.
const FRACTIONS = [0.6, 0.7, 0.8, 0.9, 0.95, 1, 1.05, 1.2, 0.3, 0];
const STOCK = Object.fromEntries(SKUS.map((sku, i) => [sku, Math.round(DEMAND * FRACTIONS[i]!)]));

describe(`${INSTANCES} service instances in one group: ${ORDERS} orders on ${SKUS.length} SKUs`, () => {
  let database: { url: string; drop(): Promise<void> };
  const services: ServiceProcess[] = [];
  const prefix = randomPrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await database?.drop();
    await deleteTopics(process.env.KAFKA_BROKERS!, prefix);
    removeBuild();
  }, 120_000);

  it('never oversells: reserved per SKU is exactly min(stock, demand)', async () => {
    const brokers = process.env.KAFKA_BROKERS!;
    const runDir = join(ROOT, '.cache', 'faults-runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-four-instances`);
    await ensureTopics(createKafka(loadConfig({ DATABASE_URL: database.url, KAFKA_BROKERS: brokers }), createLogger('silent')), prefix, 6, 1);
    const db = createDb(database.url, 2);
    await importMasterData(db, faultCatalog(STOCK));
    const wh1 = (await db.warehouse.findUniqueOrThrow({ where: { code: 'WH1' } })).warehouseId;

    const entry = await buildService();
    for (let i = 1; i <= INSTANCES; i++) {
      services.push(
        new ServiceProcess(
          `instance-${i}`,
          entry,
          {
            DATABASE_URL: database.url,
            KAFKA_BROKERS: brokers,
            KAFKA_TOPIC_PREFIX: prefix,
            KAFKA_GROUP_ID: `${prefix}inventory`,
            KAFKA_CLIENT_ID: `inventory-${i}`,
            DATABASE_POOL_SIZE: '4',
            LOG_LEVEL: 'info',
          },
          join(runDir, `instance-${i}.log`),
        ),
      );
    }
    // Started together (each waits for /readyz: in the group), then until the group holds all four.
    await Promise.all(services.map((s) => s.start()));
    const kafka = kafkaOn(brokers);
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(
      async () => {
        const { groups } = await admin.describeGroups([`${prefix}inventory`]);
        return groups[0]?.state === 'Stable' && groups[0].members.length === INSTANCES;
      },
      120_000,
      `a stable group of ${INSTANCES}`,
      500,
    );
    await admin.disconnect();

    const orders: OrderSpec[] = Array.from({ length: ORDERS }, (_, i) => ({
      eventId: randomUUID(),
      orderId: `${prefix}${i}`,
      warehouseId: wh1,
      lines: [{ sku: SKUS[i % SKUS.length]!, quantity: 1 }],
    }));
    const sampler = new Sampler(database.url, 100).start();
    const producer = kafka.producer();
    await producer.connect();
    const started = Date.now();
    for (let i = 0; i < orders.length; i += 500) {
      const chunk = orders.slice(i, i + 500).map((o) => ({ key: o.orderId, value: JSON.stringify(orderEnvelope(o)) }));
      await sendWithRetry(producer, topicName('orders', prefix), chunk, Date.now() + 60_000);
    }
    await producer.disconnect();
    await waitFor(
      async () => {
        await sampler.sample();
        return sampler.processed >= ORDERS;
      },
      600_000,
      `${ORDERS} orders processed`,
      500,
    );
    const processingMs = Date.now() - started;
    await sampler.stop();
    await waitFor(async () => (await db.outboxEvent.count({ where: { publishedAt: null } })) === 0, 60_000, 'the outbox to drain', 250);

    const out = await readTopics(kafka, [topicName('inventory-events', prefix)]);
    const dlq = await readTopics(kafka, [topicName('inventory-dlq', prefix)]);
    const byCause = new Map<string, Set<string>>();
    const reservedBySku = new Map<string, number>();
    const countedOutcome = new Set<string>();
    for (const m of out) {
      const e = envelopeOfRaw(m)!;
      byCause.set(e.causationId!, (byCause.get(e.causationId!) ?? new Set()).add(e.eventId));
      if (e.eventType === 'StockReserved' && !countedOutcome.has(e.eventId)) {
        countedOutcome.add(e.eventId);
        for (const l of e.payload.lines) reservedBySku.set(l.sku, (reservedBySku.get(l.sku) ?? 0) + l.quantity);
      }
    }
    const rows = await db.$queryRaw<{ sku: string; reserved: bigint; on_hand: bigint }[]>`
      SELECT p.sku, SUM(i.quantity_reserved) AS reserved, SUM(i.quantity_on_hand) AS on_hand FROM inventory i JOIN product p USING (product_id) GROUP BY p.sku`;
    const perInstance = services.map((s) => readLogLines(s.logFile).filter((l) => l.msg === 'event applied').length);
    const figures = SKUS.map((sku) => ({
      sku,
      stock: STOCK[sku],
      demand: DEMAND,
      expected: Math.min(STOCK[sku]!, DEMAND),
      published: reservedBySku.get(sku) ?? 0,
      inDatabase: Number(rows.find((r) => r.sku === sku)?.reserved ?? 0),
    }));
    process.stdout.write(
      `\n=== ${INSTANCES} instances, ${ORDERS} orders: processed in ${(processingMs / 1000).toFixed(1)} s (${Math.round(ORDERS / (processingMs / 1000))}/s); events applied per instance ${JSON.stringify(perInstance)}; ` +
        `${out.length} outcome messages for ${byCause.size} inputs; over-reserved samples ${sampler.overReservedSeen.length}/${sampler.samples}\n` +
        figures.map((f) => `  ${f.sku}: stock ${f.stock}, demand ${f.demand}, reserved ${f.inDatabase} (published ${f.published})`).join('\n') +
        '\n',
    );

    expect(dlq).toHaveLength(0);
    expect(orders.filter((o) => byCause.get(o.eventId)?.size !== 1).map((o) => o.eventId)).toEqual([]);
    for (const f of figures) {
      expect({ sku: f.sku, published: f.published, inDatabase: f.inDatabase }).toEqual({ sku: f.sku, published: f.expected, inDatabase: f.expected });
    }
    // Never, at any sampled moment, more reserved than on hand (or than the SKU's stock).
    expect(sampler.overReservedSeen).toEqual([]);
    const productIds = new Map((await db.product.findMany({ select: { productId: true, sku: true } })).map((p) => [p.productId, p.sku]));
    for (const [productId, max] of sampler.maxReservedPerProduct) expect(max).toBeLessThanOrEqual(STOCK[productIds.get(productId)!]!);
    expect(rows.every((r) => Number(r.reserved) <= Number(r.on_hand))).toBe(true);
    expect(await stockDrift(db)).toEqual([]);
    // All four took part (each owned partitions and applied events).
    expect(perInstance.filter((n) => n > 0)).toHaveLength(INSTANCES);
    expect(services.every((s) => s.running && s.runs.length === 1)).toBe(true);
    await db.$disconnect();
  }, 900_000);
});
