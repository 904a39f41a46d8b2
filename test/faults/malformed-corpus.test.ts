import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { createTestDatabase } from '../support/database';
import { stockDrift } from '../support/assertions';
import { createDb, type Db } from '../../src/db/client';
import { loadConfig } from '../../src/config';
import { createKafka } from '../../src/kafka';
import { ensureTopics } from '../../src/kafka-topics';
import { createLogger } from '../../src/logger';
import { importMasterData } from '../../src/master-data/import';
import { parseInboundMessage, topicName, type TopicBase } from '../../src/contracts';
import { ROOT, sleep, waitFor } from './support/exec';
import { buildService, removeBuild, ServiceProcess } from './support/service-process';
import { deleteTopics, envelopeOfRaw, faultCatalog, kafkaOn, randomPrefix, readTopics, type RawMessage } from './support/workload';

/**
 * A corpus of malformed inbound messages against the real service process.
 * Each is followed, on the same partition, by a valid OrderPlaced: every
 * malformed one must be dead-lettered with the right dlq-error-code and its
 * bytes unchanged, every valid one must still be reserved, and the service
 * must stay ready throughout. A few inputs look hostile but are valid by the
 * contract (a `__proto__` key, unknown fields, a BOM): those are applied, and
 * must not pollute Object.prototype.
 */

type Expect = { dlq: string } | { outcome: 'StockReserved' | 'InsufficientStock'; quantity?: number } | { suppressed: true };

interface Case {
  kind: string;
  topic?: TopicBase;
  value: Buffer | null;
  expect: Expect;
  /** Set for cases whose envelope is valid (eventId known). */
  eventId?: string;
  orderId?: string;
}

const SKU = 'CORPUS-1';
const now = () => new Date().toISOString();

function env(overrides: Record<string, unknown> = {}, payload: unknown = undefined) {
  const orderId = `o-${randomUUID().slice(0, 8)}`;
  return {
    eventId: randomUUID(),
    eventType: 'OrderPlaced',
    eventVersion: 1,
    occurredAt: now(),
    correlationId: 'corpus',
    causationId: null,
    payload: payload === undefined ? { orderId, lines: [{ sku: SKU, quantity: 1 }] } : payload,
    ...overrides,
  };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const text = (s: string) => Buffer.from(s, 'utf8');
const withPayload = (payload: unknown) => env({}, payload);
const line = (l: Record<string, unknown>) => withPayload({ orderId: `o-${randomUUID().slice(0, 8)}`, lines: [l] });
/** A valid envelope with raw JSON text spliced in as the payload (for things JSON.stringify cannot write). */
const rawPayload = (payloadText: string) => {
  const e = env();
  return text(JSON.stringify({ ...e, payload: '__P__' }).replace('"__P__"', payloadText));
};

function buildCorpus(placedOrderId: string): Case[] {
  const cases: Case[] = [];
  const dlq = (kind: string, value: Buffer | null, code: string, topic?: TopicBase) => cases.push({ kind, value, expect: { dlq: code }, topic });
  const ok = (kind: string, value: Buffer, expect: Expect) => cases.push({ kind, value, expect });

  // --- not JSON at all: INVALID_JSON
  dlq('truncated JSON', text('{"eventId": nope'), 'INVALID_JSON');
  dlq('empty value', Buffer.alloc(0), 'INVALID_JSON');
  dlq('null value (tombstone)', null, 'INVALID_JSON');
  dlq('binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0xc0, 0xc1, 0xf5, 0xff, 0x7b, 0x22, 0x00, 0x9f, 0x92, 0x96]), 'INVALID_JSON');
  const [beforeSku, afterSku] = JSON.stringify(line({ sku: '@@', quantity: 1 })).split('@@');
  dlq('invalid UTF-8 inside a string', Buffer.concat([text(beforeSku!), Buffer.from([0xc3, 0x28]), text(afterSku!)]), 'INVALID_JSON');
  dlq('UTF-16LE encoded JSON', Buffer.from(JSON.stringify(env()), 'utf16le'), 'INVALID_JSON');
  dlq('JSON with a trailing comma', text(JSON.stringify(env()).replace(/}$/, ',}')), 'INVALID_JSON');
  dlq('two JSON documents in one value', text(`${JSON.stringify(env())}${JSON.stringify(env())}`), 'INVALID_JSON');
  // --- JSON, but not an envelope: INVALID_ENVELOPE
  dlq('a JSON array', text('[]'), 'INVALID_ENVELOPE');
  dlq('an array holding a valid envelope', json([env()]), 'INVALID_ENVELOPE');
  dlq('a number', text('42'), 'INVALID_ENVELOPE');
  dlq('JSON null', text('null'), 'INVALID_ENVELOPE');
  dlq('a JSON string', text('"OrderPlaced"'), 'INVALID_ENVELOPE');
  dlq('missing eventId', json({ ...env(), eventId: undefined }), 'INVALID_ENVELOPE');
  dlq('non-UUID eventId', json(env({ eventId: 'order-123' })), 'INVALID_ENVELOPE');
  dlq('numeric eventId', json(env({ eventId: 12345 })), 'INVALID_ENVELOPE');
  dlq('eventId with a NUL byte', json(env({ eventId: `${randomUUID()}\u0000` })), 'INVALID_ENVELOPE');
  dlq('missing eventType', json({ ...env(), eventType: undefined }), 'INVALID_ENVELOPE');
  dlq('over-long eventType (65 chars)', json(env({ eventType: 'O'.repeat(65) })), 'INVALID_ENVELOPE');
  dlq('eventVersion 0', json(env({ eventVersion: 0 })), 'INVALID_ENVELOPE');
  dlq('eventVersion as a string', json(env({ eventVersion: '1' })), 'INVALID_ENVELOPE');
  dlq('eventVersion 1.5', json(env({ eventVersion: 1.5 })), 'INVALID_ENVELOPE');
  dlq('occurredAt not a date', json(env({ occurredAt: 'yesterday' })), 'INVALID_ENVELOPE');
  dlq('occurredAt local time without offset', json(env({ occurredAt: '2026-11-26T12:00:00' })), 'INVALID_ENVELOPE');
  dlq('occurredAt as epoch millis', json(env({ occurredAt: Date.now() })), 'INVALID_ENVELOPE');
  dlq('over-long correlationId (129 chars)', json(env({ correlationId: 'c'.repeat(129) })), 'INVALID_ENVELOPE');
  dlq('missing payload', json({ ...env(), payload: undefined }), 'INVALID_ENVELOPE');
  dlq('payload null', json(env({ payload: null })), 'INVALID_ENVELOPE');
  dlq('payload is an array', json(env({ payload: [{ orderId: 'x', lines: [{ sku: SKU, quantity: 1 }] }] })), 'INVALID_ENVELOPE');
  dlq('payload is a string', json(env({ payload: '{"orderId":"x"}' })), 'INVALID_ENVELOPE');
  dlq('envelope fields only under __proto__', text(`{"__proto__": ${JSON.stringify(env())}}`), 'INVALID_ENVELOPE');
  // --- an envelope, but not an inbound type: UNKNOWN_EVENT_TYPE
  dlq('unknown eventType', json(env({ eventType: 'OrderTeleported' })), 'UNKNOWN_EVENT_TYPE');
  dlq('eventType in the wrong case', json(env({ eventType: 'orderplaced' })), 'UNKNOWN_EVENT_TYPE');
  dlq('eventType with trailing space', json(env({ eventType: 'OrderPlaced ' })), 'UNKNOWN_EVENT_TYPE');
  dlq('an outbound eventType sent inbound', json(env({ eventType: 'StockReserved' })), 'UNKNOWN_EVENT_TYPE');
  // --- a known type on the wrong topic: WRONG_TOPIC
  dlq('OrderPlaced on goods-receipts', json(env()), 'WRONG_TOPIC', 'goods-receipts');
  dlq('OrderPlaced on inventory-operations', json(env()), 'WRONG_TOPIC', 'inventory-operations');
  dlq('GoodsReceived on orders', json(env({ eventType: 'GoodsReceived' }, { poId: 1, receiptId: 'r', lines: [{ sku: SKU, quantity: 1 }] })), 'WRONG_TOPIC');
  dlq('StockAdjusted on orders', json(env({ eventType: 'StockAdjusted' }, { sku: SKU, locationId: 1, quantityDelta: 1, reason: 'x' })), 'WRONG_TOPIC');
  // --- the payload breaks the OrderPlaced schema: INVALID_PAYLOAD
  dlq('quantity 0', json(line({ sku: SKU, quantity: 0 })), 'INVALID_PAYLOAD');
  dlq('negative quantity', json(line({ sku: SKU, quantity: -5 })), 'INVALID_PAYLOAD');
  dlq('huge quantity (1e9)', json(line({ sku: SKU, quantity: 1_000_000_000 })), 'INVALID_PAYLOAD');
  dlq('quantity 1e400 (Infinity after JSON.parse)', rawPayload(`{"orderId":"inf","lines":[{"sku":"${SKU}","quantity":1e400}]}`), 'INVALID_PAYLOAD');
  dlq('quantity as a string', json(line({ sku: SKU, quantity: '5' })), 'INVALID_PAYLOAD');
  dlq('fractional quantity', json(line({ sku: SKU, quantity: 1.5 })), 'INVALID_PAYLOAD');
  dlq('quantity null', json(line({ sku: SKU, quantity: null })), 'INVALID_PAYLOAD');
  dlq('10,000 lines', json(withPayload({ orderId: 'many', lines: Array.from({ length: 10_000 }, () => ({ sku: SKU, quantity: 1 })) })), 'INVALID_PAYLOAD');
  dlq('empty lines', json(withPayload({ orderId: 'none', lines: [] })), 'INVALID_PAYLOAD');
  dlq('lines missing', json(withPayload({ orderId: 'nolines' })), 'INVALID_PAYLOAD');
  dlq('lines is an object', json(withPayload({ orderId: 'obj', lines: { sku: SKU, quantity: 1 } })), 'INVALID_PAYLOAD');
  dlq('lines nested 5,000 arrays deep', rawPayload(`{"orderId":"deep","lines":${'['.repeat(5000)}${']'.repeat(5000)}}`), 'INVALID_PAYLOAD');
  dlq('both productId and sku missing', json(line({ quantity: 1 })), 'INVALID_PAYLOAD');
  dlq('productId 0', json(line({ productId: 0, quantity: 1 })), 'INVALID_PAYLOAD');
  dlq('productId beyond int4', json(line({ productId: 2_147_483_648, quantity: 1 })), 'INVALID_PAYLOAD');
  dlq('productId as a string', json(line({ productId: '1', quantity: 1 })), 'INVALID_PAYLOAD');
  dlq('over-long orderId (65 chars)', json(withPayload({ orderId: 'x'.repeat(65), lines: [{ sku: SKU, quantity: 1 }] })), 'INVALID_PAYLOAD');
  dlq('orderId of 200,000 chars', json(withPayload({ orderId: 'y'.repeat(200_000), lines: [{ sku: SKU, quantity: 1 }] })), 'INVALID_PAYLOAD');
  dlq('empty orderId', json(withPayload({ orderId: '', lines: [{ sku: SKU, quantity: 1 }] })), 'INVALID_PAYLOAD');
  dlq('numeric orderId', json(withPayload({ orderId: 42, lines: [{ sku: SKU, quantity: 1 }] })), 'INVALID_PAYLOAD');
  dlq('orderId missing', json(withPayload({ lines: [{ sku: SKU, quantity: 1 }] })), 'INVALID_PAYLOAD');
  dlq('NUL byte in orderId', json(withPayload({ orderId: 'a\u0000b', lines: [{ sku: SKU, quantity: 1 }] })), 'INVALID_PAYLOAD');
  dlq('NUL byte in sku', json(line({ sku: `${SKU}\u0000`, quantity: 1 })), 'INVALID_PAYLOAD');
  dlq('over-long sku (65 chars)', json(line({ sku: 'S'.repeat(65), quantity: 1 })), 'INVALID_PAYLOAD');
  dlq('warehouseId as a string', json(withPayload({ orderId: 'wh', warehouseId: '1', lines: [{ sku: SKU, quantity: 1 }] })), 'INVALID_PAYLOAD');
  dlq('warehouseId 0', json(withPayload({ orderId: 'wh0', warehouseId: 0, lines: [{ sku: SKU, quantity: 1 }] })), 'INVALID_PAYLOAD');
  dlq("another type's payload (OrderCancelled's)", json(withPayload({ orderId: 'cancel-me', reason: 'changed my mind' })), 'INVALID_PAYLOAD');
  dlq(
    'payload fields only under __proto__',
    rawPayload(`{"__proto__": {"orderId": "proto-1", "lines": [{"sku": "${SKU}", "quantity": 1}]}}`),
    'INVALID_PAYLOAD',
  );
  dlq('line fields only under __proto__', rawPayload(`{"orderId": "proto-2", "lines": [{"__proto__": {"sku": "${SKU}", "quantity": 1}}]}`), 'INVALID_PAYLOAD');
  // --- valid by the contract, refused by the handler (state that does not exist and never will)
  dlq(
    'warehouseId that does not exist',
    json(withPayload({ orderId: `wh-${randomUUID().slice(0, 8)}`, warehouseId: 999, lines: [{ sku: SKU, quantity: 1 }] })),
    'UNKNOWN_WAREHOUSE',
  );
  dlq(
    'second OrderPlaced for an order already placed',
    json(withPayload({ orderId: placedOrderId, lines: [{ sku: SKU, quantity: 1 }] })),
    'ORDER_ALREADY_PLACED',
  );
  dlq('OrderShipped for an order never placed', json(env({ eventType: 'OrderShipped' }, { orderId: `never-${randomUUID().slice(0, 8)}` })), 'NOTHING_RESERVED');

  // --- hostile-looking but valid: applied (unknown keys are stripped; __proto__ never becomes a prototype)
  ok(
    '__proto__ in the payload trying to set warehouseId and a flag',
    rawPayload(
      `{"__proto__": {"warehouseId": 2, "polluted": "yes"}, "orderId": "proto-ok-${randomUUID().slice(0, 8)}", "lines": [{"sku": "${SKU}", "quantity": 1}]}`,
    ),
    { outcome: 'StockReserved', quantity: 1 },
  );
  ok(
    '__proto__ in a line trying to raise the quantity',
    rawPayload(
      `{"orderId": "proto-line-${randomUUID().slice(0, 8)}", "lines": [{"__proto__": {"quantity": 999, "polluted": "yes"}, "sku": "${SKU}", "quantity": 2}]}`,
    ),
    { outcome: 'StockReserved', quantity: 2 },
  );
  // Was dead-lettered INVALID_ENVELOPE until envelope.ts stopped parsing the payload with z.record
  // (its plain-object check read o.constructor.prototype); see docs/fault-injection.md.
  ok(
    'constructor.prototype in the payload',
    rawPayload(
      `{"constructor": {"prototype": {"polluted": "yes", "warehouseId": 2}}, "orderId": "ctor-${randomUUID().slice(0, 8)}", "lines": [{"sku": "${SKU}", "quantity": 1}]}`,
    ),
    { outcome: 'StockReserved', quantity: 1 },
  );
  ok(
    'a plain "constructor" field in the payload',
    json(withPayload({ orderId: `ctor-str-${randomUUID().slice(0, 8)}`, constructor: 'ACME Build Ltd', lines: [{ sku: SKU, quantity: 1 }] })),
    { outcome: 'StockReserved', quantity: 1 },
  );
  ok(
    'constructor key inside a line',
    rawPayload(
      `{"orderId": "ctor-line-${randomUUID().slice(0, 8)}", "lines": [{"constructor": {"prototype": {"polluted": "yes"}}, "sku": "${SKU}", "quantity": 1}]}`,
    ),
    { outcome: 'StockReserved', quantity: 1 },
  );
  ok(
    '__proto__ at envelope level next to valid fields',
    text(JSON.stringify(env()).replace(/^{/, '{"__proto__": {"polluted": "yes", "eventType": "OrderCancelled"},')),
    { outcome: 'StockReserved', quantity: 1 },
  );
  ok(
    'unknown fields in envelope and payload',
    json({
      ...env({}, { orderId: `extra-${randomUUID().slice(0, 8)}`, lines: [{ sku: SKU, quantity: 1, colour: 'red' }], giftWrap: true }),
      schemaRegistryId: 7,
    }),
    { outcome: 'StockReserved', quantity: 1 },
  );
  ok('UTF-8 BOM before the JSON', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(env())]), { outcome: 'StockReserved', quantity: 1 });
  ok(
    'null for the optional warehouseId',
    json(withPayload({ orderId: `nullwh-${randomUUID().slice(0, 8)}`, warehouseId: null, lines: [{ sku: SKU, quantity: 1 }] })),
    { outcome: 'StockReserved', quantity: 1 },
  );
  ok("upper-case eventId (accepted, lower-cased: the outcome's causationId is the lower-case form)", json(env({ eventId: randomUUID().toUpperCase() })), {
    outcome: 'StockReserved',
    quantity: 1,
  });
  dlq(
    'orderId with a lone UTF-16 surrogate (would fail in PostgreSQL on every retry)',
    text(JSON.stringify(withPayload({ orderId: `sur-${randomUUID().slice(0, 8)}-\ud800`, lines: [{ sku: SKU, quantity: 1 }] }))),
    'INVALID_PAYLOAD',
  );
  dlq('sku with a lone low surrogate', text(JSON.stringify(line({ sku: `${SKU}\udc00`, quantity: 1 }))), 'INVALID_PAYLOAD');
  dlq('correlationId with a lone surrogate', json(env({ correlationId: 'corr-\ud83d' })), 'INVALID_ENVELOPE');
  ok('unknown SKU (a refusal on inventory-events, not a dead letter)', json(line({ sku: 'NO-SUCH-SKU', quantity: 1 })), { outcome: 'InsufficientStock' });

  for (const c of cases) {
    // (A BOM is skipped, as the service's TextDecoder does.)
    const bytes = c.value && c.value[0] === 0xef && c.value[1] === 0xbb && c.value[2] === 0xbf ? c.value.subarray(3) : c.value;
    const e = bytes ? envelopeOfRaw({ value: bytes } as RawMessage) : null;
    if (e && typeof e === 'object' && !Array.isArray(e)) {
      // The service lower-cases eventIds (envelope.ts): outcomes carry that form as causationId.
      c.eventId = typeof e.eventId === 'string' ? e.eventId.toLowerCase() : undefined;
      c.orderId = typeof e.payload?.orderId === 'string' ? e.payload.orderId : undefined;
    }
  }
  return cases;
}

describe('malformed input corpus against the service process', () => {
  let database: { url: string; drop(): Promise<void> };
  let db: Db;
  let service: ServiceProcess;
  let producer: Producer;
  let prefix: string;
  let wh1: number;
  const brokers = () => process.env.KAFKA_BROKERS!;

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = randomPrefix();
    await ensureTopics(createKafka(loadConfig({ DATABASE_URL: database.url, KAFKA_BROKERS: brokers() }), createLogger('silent')), prefix, 3, 1);
    db = createDb(database.url, 2);
    await importMasterData(db, faultCatalog({ [SKU]: 100_000 }));
    wh1 = (await db.warehouse.findUniqueOrThrow({ where: { code: 'WH1' } })).warehouseId;
    service = new ServiceProcess(
      'corpus',
      await buildService(),
      {
        DATABASE_URL: database.url,
        KAFKA_BROKERS: brokers(),
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_GROUP_ID: `${prefix}inventory`,
        KAFKA_TOPIC_PARTITIONS: '3',
        LOG_LEVEL: 'info',
      },
      join(ROOT, '.cache', 'faults-runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-corpus`, 'service.log'),
    );
    await service.start();
    producer = kafkaOn(brokers()).producer();
    await producer.connect();
  }, 180_000);

  afterAll(async () => {
    await producer?.disconnect();
    await service?.stop();
    await db?.$disconnect();
    await database?.drop();
    if (prefix) await deleteTopics(brokers(), prefix);
    removeBuild();
  }, 120_000);

  it('dead-letters every malformed message with its code, applies the valid ones, and stays ready', async () => {
    const send = async (topic: TopicBase, key: string, value: Buffer | null) => {
      const [meta] = await producer.send({ topic: topicName(topic, prefix), acks: -1, messages: [{ key, value }] });
      return { topic: topicName(topic, prefix), partition: meta!.partition, offset: meta!.baseOffset! };
    };
    const valid = (i: number) => {
      const e = env({ correlationId: `valid-${i}` }, { orderId: `valid-${i}-${randomUUID().slice(0, 8)}`, lines: [{ sku: SKU, quantity: 1 }] });
      return { eventId: e.eventId, orderId: (e.payload as { orderId: string }).orderId, value: json(e) };
    };

    // An order placed first, so that a second OrderPlaced for it is a refusal.
    const first = valid(-1);
    await send('orders', 'corpus', first.value);
    const corpus = buildCorpus(first.orderId);
    const dlqCases = corpus.filter((c) => 'dlq' in c.expect);
    expect(dlqCases.length).toBeGreaterThanOrEqual(30);

    // Readiness is sampled while the corpus goes through.
    const readiness: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        readiness.push(await service.readyz());
        await sleep(250);
      }
    })();

    // Every case, then a valid order, on one partition (one key): strictly interleaved.
    const sentAt = new Map<string, Case>();
    const followers: { eventId: string; orderId: string; after: string }[] = [];
    for (const [i, c] of corpus.entries()) {
      const where = await send(c.topic ?? 'orders', 'corpus', c.value);
      sentAt.set(`${where.topic}:${where.partition}:${where.offset}`, c);
      const v = valid(i);
      await send('orders', 'corpus', v.value);
      followers.push({ eventId: v.eventId, orderId: v.orderId, after: c.kind });
    }
    // A valid order reusing an eventId already processed (the first order's): the inbox suppresses it, silently.
    const reusedOrderId = `reused-${randomUUID().slice(0, 8)}`;
    await send('orders', 'corpus', json(env({ eventId: first.eventId }, { orderId: reusedOrderId, lines: [{ sku: SKU, quantity: 1 }] })));
    const last = valid(10_000);
    await send('orders', 'corpus', last.value);

    const kafka = kafkaOn(brokers());
    const outTopic = topicName('inventory-events', prefix);
    const dlqTopic = topicName('inventory-dlq', prefix);
    let out: RawMessage[] = [];
    let dlqMessages: RawMessage[] = [];
    const appliedIds = [first.eventId, ...followers.map((f) => f.eventId), last.eventId, ...corpus.filter((c) => 'outcome' in c.expect).map((c) => c.eventId!)];
    // Until everything expected is there (bounded); whatever is missing then is reported case by case below.
    await waitFor(
      async () => {
        out = await readTopics(kafka, [outTopic]);
        dlqMessages = await readTopics(kafka, [dlqTopic]);
        const causes = new Set(out.map((m) => envelopeOfRaw(m)?.causationId));
        return appliedIds.every((id) => causes.has(id)) && dlqMessages.length >= dlqCases.length;
      },
      90_000,
      'every valid order reserved and every malformed message dead-lettered',
      1000,
    ).catch(() => undefined);
    sampling = false;
    await sampler;

    // Each malformed message: dead-lettered once, with its code and its exact bytes and key.
    const problems: string[] = [];
    const seen = new Set<Case>();
    for (const m of dlqMessages) {
      const c = sentAt.get(`${m.headers['dlq-original-topic']}:${m.headers['dlq-original-partition']}:${m.headers['dlq-original-offset']}`);
      if (!c) {
        problems.push(`unexpected dead letter ${m.headers['dlq-error-code']} of ${m.headers['dlq-original-topic']}@${m.headers['dlq-original-offset']}`);
        continue;
      }
      if (seen.has(c)) problems.push(`${c.kind}: dead-lettered twice`);
      seen.add(c);
      if (!('dlq' in c.expect))
        problems.push(`${c.kind}: expected ${JSON.stringify(c.expect)}, was dead-lettered ${m.headers['dlq-error-code']}: ${m.headers['dlq-error-message']}`);
      else if (m.headers['dlq-error-code'] !== c.expect.dlq)
        problems.push(`${c.kind}: dlq-error-code ${m.headers['dlq-error-code']} (${m.headers['dlq-error-message']}), expected ${c.expect.dlq}`);
      const same = c.value === null ? m.value === null : m.value !== null && m.value.equals(c.value);
      if (!same) problems.push(`${c.kind}: the dead letter's value is not the original bytes`);
      if (m.key?.toString() !== 'corpus') problems.push(`${c.kind}: the dead letter lost its key`);
      for (const h of ['dlq-error-message', 'dlq-failed-at']) if (!m.headers[h]) problems.push(`${c.kind}: no ${h} header`);
    }
    for (const c of dlqCases) if (!seen.has(c)) problems.push(`${c.kind}: never dead-lettered (expected ${JSON.stringify(c.expect)})`);

    // The valid-but-hostile cases and every follower: one outcome each, in WH1, with their own quantities.
    const outcomesOf = (id: string) => out.filter((m) => envelopeOfRaw(m)?.causationId === id).map((m) => envelopeOfRaw(m)!);
    for (const c of corpus.filter((c) => 'outcome' in c.expect)) {
      const expected = c.expect as { outcome: string; quantity?: number };
      const outcomes = outcomesOf(c.eventId!);
      if (outcomes.length !== 1 || outcomes[0]!.eventType !== expected.outcome) {
        problems.push(`${c.kind}: outcomes ${JSON.stringify(outcomes.map((o) => o.eventType))}, expected one ${expected.outcome}`);
        continue;
      }
      const payload = outcomes[0]!.payload;
      if (expected.outcome === 'StockReserved') {
        if (payload.warehouseId !== wh1) problems.push(`${c.kind}: reserved in warehouse ${payload.warehouseId}, not WH1 (${wh1})`);
        if (payload.lines[0].quantity !== expected.quantity) problems.push(`${c.kind}: reserved ${payload.lines[0].quantity}, expected ${expected.quantity}`);
      }
    }
    for (const f of [...followers, { ...last, after: 'the reused eventId' }]) {
      const outcomes = outcomesOf(f.eventId);
      const o = outcomes[0];
      if (outcomes.length !== 1 || o!.eventType !== 'StockReserved' || o!.payload.warehouseId !== wh1 || o!.payload.orderId !== f.orderId) {
        problems.push(
          `the valid order after "${f.after}": ${JSON.stringify(outcomes.map((x) => [x.eventType, x.payload.warehouseId]))}, expected one StockReserved in WH1`,
        );
      }
    }
    expect(problems).toEqual([]);

    // The reused eventId: no second outcome, no dead letter, nothing reserved for its order.
    expect(outcomesOf(first.eventId)).toHaveLength(1);
    expect(await db.reservation.count({ where: { orderId: reusedOrderId } })).toBe(0);

    // On record for operators; nothing of a dead letter applied; the books balance.
    expect(await db.deadLetter.count()).toBe(dlqCases.length);
    expect(await db.deadLetter.count({ where: { sentAt: null } })).toBe(0);
    // Events the service refused keep their eventId in the inbox (never judged twice); messages that
    // break the contract do not (a corrected copy under the same eventId is still welcome).
    const dlqCode = (c: (typeof dlqCases)[number]) => (c.expect as { dlq: string }).dlq;
    const refused = dlqCases.filter((c) => c.eventId && ['UNKNOWN_WAREHOUSE', 'ORDER_ALREADY_PLACED', 'NOTHING_RESERVED'].includes(dlqCode(c)));
    const invalid = dlqCases.filter((c) => c.eventId && ['INVALID_PAYLOAD', 'WRONG_TOPIC'].includes(dlqCode(c)));
    const inbox = await db.processedEvent.findMany({ where: { eventId: { in: [...refused, ...invalid].map((c) => c.eventId!) } } });
    expect(
      inbox
        .filter((r) => r.outcome === 'DEAD_LETTERED')
        .map((r) => r.eventId)
        .sort(),
    ).toEqual(refused.map((c) => c.eventId!.toLowerCase()).sort());
    const reservedQuantity = (await db.reservation.aggregate({ _sum: { quantity: true } }))._sum.quantity;
    const reservedExpected =
      1 +
      followers.length +
      1 +
      corpus
        .filter((c) => 'outcome' in c.expect && (c.expect as { outcome: string }).outcome === 'StockReserved')
        .reduce((s, c) => s + ((c.expect as { quantity?: number }).quantity ?? 0), 0);
    expect(reservedQuantity).toBe(reservedExpected);
    expect(await stockDrift(db)).toEqual([]);

    // Ready all along, still the same process.
    expect(readiness.length).toBeGreaterThan(0);
    expect(readiness.filter((s) => s !== 200)).toEqual([]);
    expect(await service.readyz()).toBe(200);
    expect(service.runs).toHaveLength(1);
    expect(service.running).toBe(true);
  }, 300_000);

  it('an unknown payload field named "constructor" is stripped like any other (contract), not dead-lettered', () => {
    const e = env({}, { orderId: 'ctor', constructor: 'ACME', lines: [{ sku: SKU, quantity: 1 }] });
    const result = parseInboundMessage('orders', JSON.stringify(e));
    expect(result).toMatchObject({ ok: true, event: { payload: { orderId: 'ctor' } } });
    expect(Object.keys((result as { event: { payload: object } }).event.payload)).not.toContain('constructor');
  });

  it('parsing the __proto__ cases does not pollute Object.prototype (in this process as well)', () => {
    for (const c of buildCorpus('x').filter((c) => c.kind.includes('__proto__') || c.kind.includes('constructor'))) {
      const result = parseInboundMessage('orders', c.value);
      if (result.ok) {
        expect(Object.getPrototypeOf(result.event.payload)).toBe(Object.prototype);
        expect(Object.keys(result.event.payload)).not.toContain('__proto__');
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).warehouseId).toBeUndefined();
    expect(({} as Record<string, unknown>).quantity).toBeUndefined();
  });
});
