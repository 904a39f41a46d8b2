import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { createTestDatabase } from '../support/database';
import { createPurchaseOrder } from '../fixtures/purchase-orders';
import { createDb, type Db } from '../../src/db/client';
import { loadConfig } from '../../src/config';
import { createKafka } from '../../src/kafka';
import { ensureTopics } from '../../src/kafka-topics';
import { createLogger } from '../../src/logger';
import { importMasterData } from '../../src/master-data/import';
import { topicName, type TopicBase } from '../../src/contracts';
import { ROOT, waitFor } from './support/exec';
import { buildService, readLogLines, removeBuild, ServiceProcess } from './support/service-process';
import { deleteTopics, envelopeOfRaw, faultCatalog, kafkaOn, randomPrefix, readTopics, type RawMessage } from './support/workload';

/**
 * Poison pills: events that pass (or passed) the contract schema and then
 * failed in PostgreSQL with an error that is not transient. The runner used to
 * retry those forever, so each stalled its partition, and since a run of up to
 * CONSUMER_BATCH_MAX_EVENTS messages is applied in ONE transaction, it held
 * back its whole run too (found by the malformed corpus, see
 * docs/fault-injection.md). Now: lone surrogates and on-hand overflow of an
 * adjustment are refused up front, and anything else the database refuses for
 * its data (SQLSTATE class 22/23) is isolated (the run is applied one event
 * at a time) and dead-lettered UNPROCESSABLE after a few attempts.
 *
 * Each test sends the poison event and a valid one behind it in ONE request
 * with one key (one partition, one run) and requires, within 45 s: the poison
 * event handled (an outcome or a dead letter), the valid one applied.
 */
const SKU = 'POISON-1';
/** No volume, no weight: put-away capacity never refuses it, so only the integer limit is left. */
const WEIGHTLESS = 'POISON-0';

function envelopeOf(eventType: string, payload: unknown) {
  const eventId = randomUUID();
  return {
    eventId,
    value: JSON.stringify({ eventId, eventType, eventVersion: 1, occurredAt: new Date().toISOString(), correlationId: 'poison', causationId: null, payload }),
  };
}
const orderPlaced = (orderId: string) => envelopeOf('OrderPlaced', { orderId, lines: [{ sku: SKU, quantity: 1 }] });

describe('poison pills: events the database would refuse do not stall their partition', () => {
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
    const catalog = faultCatalog({ [SKU]: 1000, [WEIGHTLESS]: 1000 });
    for (const p of catalog.products!) if (p.sku === WEIGHTLESS) Object.assign(p, { unitWeightGrams: 0, dimensions: { length: 0, width: 0, height: 0 } });
    await importMasterData(db, catalog);
    service = new ServiceProcess(
      'poison',
      await buildService(),
      {
        DATABASE_URL: database.url,
        KAFKA_BROKERS: brokers(),
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_GROUP_ID: `${prefix}inventory`,
        KAFKA_TOPIC_PARTITIONS: '3',
      },
      join(ROOT, '.cache', 'faults-runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-poison`, 'service.log'),
    );
    await service.start();
    producer = kafkaOn(brokers()).producer();
    await producer.connect();
  }, 180_000);

  afterEach(async () => {
    await producer?.disconnect();
    await service?.stop();
    await db?.$disconnect();
    await database?.drop();
    await deleteTopics(brokers(), prefix);
  }, 120_000);

  afterAll(() => removeBuild());

  /** Sends the values in ONE request on one partition (one key): one run, one transaction. */
  async function sendTogether(topic: TopicBase, values: string[]): Promise<void> {
    await producer.send({ topic: topicName(topic, prefix), acks: -1, messages: values.map((value) => ({ key: 'poison', value })) });
  }

  /** What became of each event within 45 s: its outcome event types, or its dead-letter code, or 'nothing'. */
  async function fates(eventIds: string[]): Promise<string[]> {
    const kafka = kafkaOn(brokers());
    let out: RawMessage[] = [];
    let dlq: RawMessage[] = [];
    const fateOf = (id: string) => {
      const outcomes = out
        .map((m) => envelopeOfRaw(m)!)
        .filter((e) => e.causationId === id)
        .map((e) => e.eventType);
      const letter = dlq.find((m) => m.headers['event-id'] === id || envelopeOfRaw(m)?.eventId === id);
      return outcomes.length ? outcomes.sort().join('+') : letter ? `dead-lettered ${letter.headers['dlq-error-code']}` : 'nothing';
    };
    await waitFor(
      async () => {
        out = await readTopics(kafka, [topicName('inventory-events', prefix), topicName('purchase-orders', prefix)]);
        dlq = await readTopics(kafka, [topicName('inventory-dlq', prefix)]);
        return eventIds.every((id) => fateOf(id) !== 'nothing');
      },
      45_000,
      'every event handled',
      1000,
    ).catch(() => undefined);
    return eventIds.map(fateOf);
  }

  /** The service's own complaints: retries of errors it did not classify as transient. */
  const stalls = () => readLogLines(service.logFile).filter((l) => l.msg === 'event processing failed; retrying' && l.transient === false).length;

  it('an orderId with a lone surrogate is dead-lettered, and the next order goes through', async () => {
    const base = `sur-${randomUUID().slice(0, 8)}-`;
    const lone = orderPlaced(`${base}\ud800`);
    const next = orderPlaced(`${base}next`);
    await sendTogether('orders', [lone.value, next.value]);
    expect(await fates([lone.eventId, next.eventId])).toEqual(['dead-lettered INVALID_PAYLOAD', 'StockReserved']);
    expect(stalls()).toBe(0);
  }, 120_000);

  it('two orderIds that differ only in a lone surrogate, in one run: neither stalls the partition', async () => {
    const base = `sur-${randomUUID().slice(0, 8)}-`;
    const first = orderPlaced(`${base}\ud800`);
    const second = orderPlaced(`${base}\ud801`);
    const next = orderPlaced(`${base}next`);
    await sendTogether('orders', [first.value, second.value, next.value]);
    expect(await fates([first.eventId, second.eventId, next.eventId])).toEqual([
      'dead-lettered INVALID_PAYLOAD',
      'dead-lettered INVALID_PAYLOAD',
      'StockReserved',
    ]);
    expect(stalls()).toBe(0);
  }, 120_000);

  /** Stock of a product at its first location raised to near PostgreSQL's int4 maximum, through the ledger (the books still balance). */
  async function nearMaximum(sku: string): Promise<{ productId: number; locationId: number }> {
    const row = await db.inventory.findFirstOrThrow({ where: { product: { sku } }, orderBy: { locationId: 'asc' } });
    const add = 2_147_000_000 - row.quantityOnHand;
    await db.$executeRaw`UPDATE inventory SET quantity_on_hand = quantity_on_hand + ${add} WHERE product_id = ${row.productId} AND location_id = ${row.locationId}`;
    await db.$executeRaw`INSERT INTO inventory_transaction (product_id, location_id, txn_type, quantity, reference_type, reference_id) VALUES (${row.productId}, ${row.locationId}, 'ADJUST', ${add}, 'ADJUSTMENT', 'test setup')`;
    return { productId: row.productId, locationId: row.locationId };
  }

  it('a StockAdjusted that would overflow on hand (int4) is refused, and the next adjustment goes through', async () => {
    const { locationId } = await nearMaximum(SKU);
    // +1,000,000 is within the contract (|quantityDelta| <= 1,000,000) and would take on hand past 2,147,483,647.
    const overflow = envelopeOf('StockAdjusted', { sku: SKU, locationId, quantityDelta: 1_000_000, reason: 'found a pallet' });
    const next = envelopeOf('StockAdjusted', { sku: SKU, locationId, quantityDelta: -1, reason: 'broken' });
    await sendTogether('inventory-operations', [overflow.value, next.value]);
    const [overflowFate] = await fates([overflow.eventId]);
    await waitFor(async () => (await db.processedEvent.count({ where: { eventId: next.eventId } })) === 1, 45_000, 'the next adjustment').catch(
      () => undefined,
    );
    expect({ overflow: overflowFate, nextApplied: (await db.processedEvent.count({ where: { eventId: next.eventId } })) === 1 }).toEqual({
      overflow: 'StockAdjustmentRejected',
      nextApplied: true,
    });
    expect(stalls()).toBe(0);
  }, 120_000);

  it('a GoodsReceived that overflows on hand in the database is isolated and dead-lettered UNPROCESSABLE; its run goes through', async () => {
    // Not refused up front (receiving has no integer-limit check): the UPDATE fails with 22003 on every attempt.
    const { locationId } = await nearMaximum(WEIGHTLESS);
    const bigPo = await createPurchaseOrder(db, { status: 'CONFIRMED', lines: [{ sku: WEIGHTLESS, quantity: 1_000_000 }] });
    const okPo = await createPurchaseOrder(db, { status: 'CONFIRMED', lines: [{ sku: SKU, quantity: 5 }] });
    const before = envelopeOf('GoodsReceived', { poId: okPo, receiptId: 'r-before', lines: [{ sku: SKU, quantity: 2 }] });
    const overflow = envelopeOf('GoodsReceived', { poId: bigPo, receiptId: 'r-overflow', lines: [{ sku: WEIGHTLESS, quantity: 1_000_000, locationId }] });
    const after = envelopeOf('GoodsReceived', { poId: okPo, receiptId: 'r-after', lines: [{ sku: SKU, quantity: 3 }] });
    await sendTogether('goods-receipts', [before.value, overflow.value, after.value]);
    const result = await fates([before.eventId, overflow.eventId, after.eventId]);
    expect(result[1]).toMatch(/^dead-lettered |GoodsReceiptRejected/);
    expect(result.filter((_, i) => i !== 1).map((f) => f.split('+').includes('GoodsReceiptRecorded'))).toEqual([true, true]);
    expect(stalls()).toBe(0);
    process.stdout.write(`\npoison GoodsReceived (int4 overflow) in a run of three: ${JSON.stringify(result)}\n`);
  }, 120_000);
});
