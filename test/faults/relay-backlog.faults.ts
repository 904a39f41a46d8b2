import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createTestDatabase } from '../support/database';
import { Broker } from './support/broker';
import { waitFor } from './support/exec';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createDb, type Db } from '../../src/db/client';
import { stageEvents, type OutboundEvent } from '../../src/db/outbox';
import { MAX_LINES } from '../../src/contracts/primitives';
import { topics, topicName } from '../../src/contracts';
import { readToEnd } from '../../src/kafka-read';
import { InventoryService } from '../../src/service';
import { randomPrefix } from './support/workload';

/**
 * A backlog of the largest outcomes the contract lets an order produce
 * (StockReserved of MAX_LINES lines at the longest SKU, each line drawn from
 * eight locations: about 200 KB) piles up in the outbox while the broker is
 * down; when it is back, the relay publishes all of it, capped by bytes per
 * transaction, exactly once. The suite's own broker (FAULTS_KAFKA_PORT) is
 * stopped and started; the shared one is never touched.
 */
describe('fault injection: a backlog of maximum-size outcomes after a broker outage', () => {
  const broker = new Broker();
  let database: { url: string; drop(): Promise<void> };
  let db: Db;

  beforeAll(async () => {
    await broker.start();
    database = await createTestDatabase();
    db = createDb(database.url, 2);
  }, 300_000);

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
    await broker.stop();
  }, 120_000);

  const largest = (orderId: string): OutboundEvent => ({
    eventType: 'StockReserved',
    key: orderId,
    payload: {
      orderId,
      warehouseId: 1,
      lines: Array.from({ length: MAX_LINES }, (_, n) => ({
        productId: 1_000_000 + n,
        sku: `SKU-${String(n).padStart(4, '0')}-`.padEnd(64, 'X'),
        quantity: 8 * 1_000_000,
        allocations: Array.from({ length: 8 }, (_, a) => ({ locationId: 100_000 + a, quantity: 1_000_000 })),
      })),
    },
  });
  const small = (i: number): OutboundEvent => ({
    eventType: 'StockAdjustmentRejected',
    key: `loc-${i % 11}`,
    payload: { productId: null, sku: null, locationId: 1 + (i % 11), reason: 'UNKNOWN_LOCATION' },
  });

  it('publishes every row of the backlog once, the large and the small ones behind them', async () => {
    const prefix = randomPrefix();
    const config = loadConfig({
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}inventory`,
      KAFKA_TOPIC_PARTITIONS: '3',
    });
    const service = new InventoryService({ config, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
    await service.start();
    try {
      await broker.stopGracefully();
      const staged: string[] = [];
      let bytes = 0;
      for (let i = 0; i < 40; i++) {
        const event = largest(`order-${i % 4}`);
        bytes += JSON.stringify(event.payload).length;
        staged.push(...(await db.$transaction((tx) => stageEvents(tx, { eventId: randomUUID(), correlationId: null }, [event]))));
        for (const j of [i, i + 40])
          staged.push(...(await db.$transaction((tx) => stageEvents(tx, { eventId: randomUUID(), correlationId: null }, [small(j)]))));
      }
      expect(bytes / 40).toBeGreaterThan(150_000);
      await new Promise((resolve) => setTimeout(resolve, 5_000)); // the relay fails and backs off meanwhile
      await broker.start();

      const unpublished = async () => Number((await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL`)[0]!.n);
      await waitFor(async () => (await unpublished()) === 0, 240_000, 'the backlog to be published', 500);
      expect(await db.outboxEvent.count({ where: { parkedAt: { not: null } } })).toBe(0);

      const kafka = new Kafka({ clientId: 'faults-backlog-reader', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
      const onWire: string[] = [];
      await readToEnd(kafka, [topicName(topics.inventoryEvents, prefix)], (_t, _p, m) => onWire.push(JSON.parse(m.value!.toString()).eventId as string), {
        timeoutMs: 120_000,
        groupPrefix: 'faults-reader',
        maxBytes: 50 * 1024 * 1024,
      });
      expect(onWire.length - new Set(onWire).size).toBe(0);
      expect([...onWire].sort()).toEqual([...staged].sort());
    } finally {
      await service.stop();
    }
  }, 600_000);
});
