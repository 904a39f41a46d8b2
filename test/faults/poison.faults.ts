import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { createTestDatabase } from '../support/database';
import { createDb, type Db } from '../../src/db/client';
import { loadConfig } from '../../src/config';
import { createKafka } from '../../src/kafka';
import { ensureTopics } from '../../src/kafka-topics';
import { createLogger } from '../../src/logger';
import { importMasterData } from '../../src/master-data/import';
import { topicName } from '../../src/contracts';
import { ROOT, waitFor } from './support/exec';
import { buildService, readLogLines, removeBuild, ServiceProcess } from './support/service-process';
import { envelopeOfRaw, faultCatalog, kafkaOn, randomPrefix, readTopics, type RawMessage } from './support/workload';

/**
 * Inputs that pass the contract schema but fail in the database with an error
 * that is not transient: the runner retries those forever ("never skipped"),
 * so each is a poison pill for its partition. Since the runner applies up to
 * CONSUMER_BATCH_MAX_EVENTS messages of a partition in ONE transaction, one
 * such event also holds back every valid event (and every dead letter) of its
 * run. Found by the malformed corpus; see docs/fault-injection.md. These tests
 * assert the behaviour the contract asks for, so they FAIL while the bug exists.
 *
 * Triggers found:
 * - a string with a lone UTF-16 surrogate ("\ud800" in JSON) that reaches an
 *   outbound event (orderId, sku, correlationId...): zod accepts it, the jsonb
 *   outbox row refuses it (22P02 invalid input syntax for type json);
 * - two orderIds that differ only in a lone surrogate, in one run: different
 *   strings to the batched OrderPlaced handler's "already placed" set, one key
 *   (both U+FFFD in text) to the reservation unique index (23505);
 * - a StockAdjusted of +1,000,000 (within the contract) on a row near the int4
 *   maximum: 22003 integer out of range.
 */
const SKU = 'POISON-1';

function orderPlaced(orderId: string) {
  const eventId = randomUUID();
  const value = JSON.stringify({ eventId, eventType: 'OrderPlaced', eventVersion: 1, occurredAt: new Date().toISOString(), correlationId: 'poison', causationId: null, payload: { orderId, lines: [{ sku: SKU, quantity: 1 }] } });
  return { eventId, value };
}

describe('poison pills: contract-valid events that fail in the database', () => {
  let database: { url: string; drop(): Promise<void> };
  let db: Db;
  let service: ServiceProcess;
  let producer: Producer;
  let prefix: string;
  const brokers = () => process.env.KAFKA_BROKERS!;

  beforeEach(async () => {
    database = await createTestDatabase();
    prefix = randomPrefix();
    await ensureTopics(createKafka(loadConfig({ DATABASE_URL: database.url, KAFKA_BROKERS: brokers() }), createLogger('silent')), prefix, 3, 1);
    db = createDb(database.url, 2);
    await importMasterData(db, faultCatalog({ [SKU]: 1000 }));
    service = new ServiceProcess('poison', await buildService(), {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}inventory`,
      KAFKA_TOPIC_PARTITIONS: '3',
    }, join(ROOT, '.cache', 'faults-runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-poison`, 'service.log'));
    await service.start();
    producer = kafkaOn(brokers()).producer();
    await producer.connect();
  }, 180_000);

  afterEach(async () => {
    await producer?.disconnect();
    await service?.stop();
    await db?.$disconnect();
    await database?.drop();
  }, 120_000);

  afterAll(() => removeBuild());

  /** Sends the values in ONE request on one partition (one key): one run, one transaction. */
  async function sendTogether(values: string[]): Promise<void> {
    await producer.send({ topic: topicName('orders', prefix), acks: -1, messages: values.map((value) => ({ key: 'poison', value })) });
  }

  async function settle(ids: string[], dlqCount: number): Promise<{ out: RawMessage[]; dlq: RawMessage[] }> {
    const kafka = kafkaOn(brokers());
    let out: RawMessage[] = [];
    let dlq: RawMessage[] = [];
    await waitFor(async () => {
      out = await readTopics(kafka, [topicName('inventory-events', prefix)]);
      dlq = await readTopics(kafka, [topicName('inventory-dlq', prefix)]);
      const causes = new Set(out.map((m) => envelopeOfRaw(m)?.causationId));
      return ids.every((id) => causes.has(id)) && dlq.length >= dlqCount;
    }, 45_000, 'outcomes', 1000).catch(() => undefined);
    return { out, dlq };
  }

  const nonTransientRetries = () => readLogLines(service.logFile).filter((l) => l.msg === 'event processing failed; retrying' && l.transient === false);

  it('one orderId with a lone surrogate is reserved (or dead-lettered), and the next order goes through', async () => {
    const base = `sur-${randomUUID().slice(0, 8)}-`;
    const lone = orderPlaced(`${base}\ud800`);
    const next = orderPlaced(`${base}next`);
    await sendTogether([lone.value, next.value]);
    const { out, dlq } = await settle([next.eventId], 0);
    const causes = new Set(out.map((m) => envelopeOfRaw(m)?.causationId));
    expect({ nextReserved: causes.has(next.eventId), loneHandled: causes.has(lone.eventId) || dlq.length === 1, nonTransientRetries: nonTransientRetries().length }).toEqual({ nextReserved: true, loneHandled: true, nonTransientRetries: 0 });
  }, 120_000);

  it('a StockAdjusted that would overflow on hand (int4) is refused, and the next adjustment goes through', async () => {
    // Stock near PostgreSQL's int4 maximum, written the way the ledger would (so the books still balance).
    const row = await db.inventory.findFirstOrThrow({ where: { product: { sku: SKU } }, orderBy: { locationId: 'asc' } });
    const add = 2_147_000_000 - row.quantityOnHand;
    await db.$executeRaw`UPDATE inventory SET quantity_on_hand = quantity_on_hand + ${add} WHERE product_id = ${row.productId} AND location_id = ${row.locationId}`;
    await db.$executeRaw`INSERT INTO inventory_transaction (product_id, location_id, txn_type, quantity, reference_type, reference_id) VALUES (${row.productId}, ${row.locationId}, 'ADJUST', ${add}, 'ADJUSTMENT', 'test setup')`;
    const adjust = (quantityDelta: number) => {
      const eventId = randomUUID();
      return { eventId, value: JSON.stringify({ eventId, eventType: 'StockAdjusted', eventVersion: 1, occurredAt: new Date().toISOString(), correlationId: null, causationId: null, payload: { sku: SKU, locationId: row.locationId, quantityDelta, reason: 'found a pallet' } }) };
    };
    // +1,000,000 is within the contract (|quantityDelta| <= 1,000,000) and takes on hand past 2,147,483,647.
    const overflow = adjust(1_000_000);
    const next = adjust(-1);
    await producer.send({ topic: topicName('inventory-operations', prefix), acks: -1, messages: [overflow, next].map((m) => ({ key: String(row.locationId), value: m.value })) });
    await waitFor(async () => (await db.processedEvent.count({ where: { eventId: next.eventId } })) === 1, 45_000, 'the next adjustment').catch(() => undefined);
    const errors = nonTransientRetries().map((l) => String((l.err as { message?: string })?.message ?? '').split('\n').filter(Boolean).pop());
    expect({ nextApplied: (await db.processedEvent.count({ where: { eventId: next.eventId } })) === 1, nonTransientRetries: errors.slice(0, 1) }).toEqual({ nextApplied: true, nonTransientRetries: [] });
  }, 120_000);

  it('two orderIds that differ only in a lone surrogate, in one run: the second is refused, the partition moves on', async () => {
    const base = `sur-${randomUUID().slice(0, 8)}-`;
    const first = orderPlaced(`${base}\ud800`);
    const second = orderPlaced(`${base}\ud801`);
    const next = orderPlaced(`${base}next`);
    await sendTogether([first.value, second.value, next.value]);
    const { out, dlq } = await settle([first.eventId, next.eventId], 1);
    const causes = new Set(out.map((m) => envelopeOfRaw(m)?.causationId));
    const errors = nonTransientRetries().map((l) => String((l.err as { message?: string })?.message ?? '').split('\n').filter(Boolean).pop());
    expect({ firstReserved: causes.has(first.eventId), nextReserved: causes.has(next.eventId), deadLetters: dlq.map((m) => m.headers['dlq-error-code']), nonTransientRetries: errors.slice(0, 1) }).toEqual({
      firstReserved: true,
      nextReserved: true,
      deadLetters: [expect.any(String)],
      nonTransientRetries: [],
    });
  }, 120_000);
});
