import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Consumer, Producer } from 'kafkajs';
import { createTestDatabase } from '../support/database';
import { installPoison } from '../support/poison';
import { createDb, type Db } from '../../src/db/client';
import { loadConfig } from '../../src/config';
import { createKafka } from '../../src/kafka';
import { ensureTopics } from '../../src/kafka-topics';
import { createLogger } from '../../src/logger';
import { importMasterData } from '../../src/master-data/import';
import { topicName } from '../../src/contracts';
import { ROOT, sleep, waitFor } from './support/exec';
import { buildService, removeBuild, ServiceProcess } from './support/service-process';
import { deleteTopics, faultCatalog, kafkaOn, randomPrefix } from './support/workload';

/**
 * A poison event (a bug-class error, XX000 from a trigger, on every attempt)
 * on one of six partitions, while orders keep arriving on all six, and a
 * second instance joins the group meanwhile (issue 16, item 6). It used to
 * retry the poison forever: kafkajs fetches again only when every batch of a
 * fetch is done, so every partition of the instance stopped, and the
 * rebalance waited for its full timeout, then moved the stall to the other
 * instance. Now: each poison event is parked after a few attempts (about a
 * second), the other partitions keep flowing, and the group is stable with
 * both instances within the session timeout.
 */
const SKU = 'FLOW-1';
const PARTITIONS = 6;
const POISON_PARTITION = 0;
const SESSION_TIMEOUT_MS = 10_000;
const SEND_FOR_MS = 20_000;
const SECOND_JOINS_AT_MS = 6_000;

function order(orderId: string) {
  const eventId = randomUUID();
  return {
    eventId,
    value: JSON.stringify({
      eventId,
      eventType: 'OrderPlaced',
      eventVersion: 1,
      occurredAt: new Date().toISOString(),
      correlationId: 'poison-rebalance',
      causationId: null,
      payload: { orderId, warehouseId: 1, lines: [{ sku: SKU, quantity: 1 }] },
    }),
  };
}

describe('a poison event on one of six partitions, and a second instance joining', () => {
  let database: { url: string; drop(): Promise<void> };
  let db: Db;
  let producer: Producer;
  let watcher: Consumer;
  let prefix: string;
  const services: ServiceProcess[] = [];
  const brokers = () => process.env.KAFKA_BROKERS!;
  /** eventId -> when its outcome (or dead letter) was first seen. */
  const seen = new Map<string, { at: number; kind: string }>();

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = randomPrefix();
    await ensureTopics(createKafka(loadConfig({ DATABASE_URL: database.url, KAFKA_BROKERS: brokers() }), createLogger('silent')), prefix, PARTITIONS, 1);
    db = createDb(database.url, 2);
    await importMasterData(db, faultCatalog({ [SKU]: 1_000_000 }));
    await installPoison(db, 'poison-');
    const entry = await buildService();
    const runDir = join(ROOT, '.cache', 'faults-runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-poison-rebalance`);
    for (const name of ['a', 'b']) {
      services.push(
        new ServiceProcess(
          name,
          entry,
          {
            DATABASE_URL: database.url,
            KAFKA_BROKERS: brokers(),
            KAFKA_TOPIC_PREFIX: prefix,
            KAFKA_GROUP_ID: `${prefix}inventory`,
            KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
            KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
          },
          join(runDir, `service-${name}.log`),
        ),
      );
    }
    const kafka = kafkaOn(brokers());
    producer = kafka.producer();
    await producer.connect();
    watcher = kafka.consumer({ groupId: `faults-watcher-${randomUUID()}` });
    await watcher.connect();
    await watcher.subscribe({ topics: [topicName('inventory-events', prefix), topicName('inventory-dlq', prefix)], fromBeginning: true });
    await watcher.run({
      eachMessage: async ({ message }) => {
        const dlqCode = message.headers?.['dlq-error-code']?.toString();
        const envelope = JSON.parse(message.value!.toString('utf8')) as { eventId: string; eventType: string; causationId: string | null };
        const id = dlqCode ? envelope.eventId : envelope.causationId;
        if (id && !seen.has(id)) seen.set(id, { at: Date.now(), kind: dlqCode ? `dead-lettered ${dlqCode}` : envelope.eventType });
      },
    });
    await services[0]!.start();
  }, 300_000);

  afterAll(async () => {
    await watcher?.disconnect();
    await producer?.disconnect();
    for (const service of services) await service.stop().catch(() => undefined);
    await db?.$disconnect();
    await database?.drop();
    await deleteTopics(brokers(), prefix);
    removeBuild();
  }, 120_000);

  async function stableMembers(): Promise<number> {
    const admin = kafkaOn(brokers(), 2).admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([`${prefix}inventory`]);
      return groups[0]?.state === 'Stable' ? groups[0].members.length : 0;
    } finally {
      await admin.disconnect();
    }
  }

  it('parks the poison, keeps the other five partitions flowing, and lets the group rebalance', async () => {
    const sent: { eventId: string; partition: number; at: number; poison: boolean }[] = [];
    const started = Date.now();
    let joined: Promise<number> | null = null;
    for (let tick = 0; Date.now() - started < SEND_FOR_MS; tick++) {
      // Every 2.5 s a poison event on partition 0; every 0.5 s a valid order on each of the six partitions.
      const messages = Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, ...order(`flow-${tick}-${partition}`), poison: false }));
      if (tick % 5 === 0) messages.unshift({ partition: POISON_PARTITION, ...order(`poison-${tick}`), poison: true });
      await producer.send({
        topic: topicName('orders', prefix),
        acks: -1,
        messages: messages.map((m) => ({ partition: m.partition, key: m.eventId, value: m.value })),
      });
      const at = Date.now();
      for (const m of messages) sent.push({ eventId: m.eventId, partition: m.partition, at, poison: m.poison });
      if (!joined && at - started >= SECOND_JOINS_AT_MS) {
        // The second instance joins while the first keeps meeting poison events.
        joined = services[1]!.start().then(async () => {
          const ready = Date.now();
          await waitFor(async () => (await stableMembers()) === 2, 60_000, 'a stable group of two', 200);
          return Date.now() - ready;
        });
      }
      await sleep(500);
    }
    const joinMs = await joined!;

    await waitFor(() => sent.every((s) => seen.has(s.eventId)), 90_000, 'every event handled', 500);
    const poison = sent.filter((s) => s.poison);
    const valid = sent.filter((s) => !s.poison);
    expect(new Set(poison.map((s) => seen.get(s.eventId)!.kind))).toEqual(new Set(['dead-lettered PARKED']));
    expect(new Set(valid.map((s) => seen.get(s.eventId)!.kind))).toEqual(new Set(['StockReserved']));

    const latency = (list: typeof sent) => list.map((s) => seen.get(s.eventId)!.at - s.at).sort((a, b) => a - b);
    const others = latency(valid.filter((s) => s.partition !== POISON_PARTITION));
    const samePartition = latency(valid.filter((s) => s.partition === POISON_PARTITION));
    const summary = {
      poisonEvents: poison.length,
      validOrders: valid.length,
      stableGroupOfTwoAfterSecondReadyMs: joinMs,
      otherPartitionsLatencyMs: { p50: others[Math.floor(others.length / 2)], max: others.at(-1) },
      poisonPartitionLatencyMs: { p50: samePartition[Math.floor(samePartition.length / 2)], max: samePartition.at(-1) },
    };
    console.log(`poison-rebalance: ${JSON.stringify(summary)}`);
    // The rebalance proceeds: a stable group of two within one session timeout of the second instance being up
    // (a stalled first instance held it for the rebalance timeout, 60 s).
    expect(joinMs).toBeLessThan(SESSION_TIMEOUT_MS);
    // A stall held them for the rebalance timeout (60 s), then forever on the next instance. Each poison event
    // costs its instance a few seconds on this shared machine (the halving, 3 attempts, about 2 log2(n) transactions).
    expect(others.at(-1)!).toBeLessThan(30_000);
    expect(await db.deadLetter.count({ where: { errorCode: 'PARKED' } })).toBe(poison.length);
  }, 300_000);
});
