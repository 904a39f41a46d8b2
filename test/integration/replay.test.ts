import type { Admin } from 'kafkajs';
import { TestStack } from '../support/harness';
import { testKafka, waitUntil } from '../support/kafka';
import { stockDrift } from '../support/assertions';
import { smallCatalog } from '../fixtures/catalog';
import { inboundTopics, topicName, topics } from '../../src/contracts';
import { executeReplay, planReplay } from '../../src/ops/replay';
import { replayCommand } from '../../src/cli/replay';
import { createLogger } from '../../src/logger';
import { ReplayRefusedError } from '../../src/errors';
import { readToEnd } from '../../src/kafka-read';

/**
 * Replaying the inbound topics from the beginning changes nothing: the inbox
 * recognises every eventId, dead letters are remembered by offset, and no
 * outbound event is minted twice.
 */
describe('replay via consumer-group offsets', () => {
  let stack: TestStack;
  let admin: Admin;
  const inbound = () => inboundTopics.map((t) => topicName(t, stack.config.KAFKA_TOPIC_PREFIX));
  const published = () => [topics.inventoryEvents, topics.purchaseOrders, topics.deadLetter].map((t) => topicName(t, stack.config.KAFKA_TOPIC_PREFIX));

  /** Records a read_committed consumer sees (offsets would count the relay's transaction markers too). */
  async function messagesOn(names: string[]): Promise<number> {
    let total = 0;
    await readToEnd(testKafka(), names, () => total++, { timeoutMs: 30_000, groupPrefix: `${stack.config.KAFKA_TOPIC_PREFIX}count` });
    return total;
  }

  /** True when the group's committed offset is at the end of every inbound partition. */
  async function groupAtEnd(): Promise<boolean> {
    for (const name of inbound()) {
      const ends = await admin.fetchTopicOffsets(name);
      const [committed] = await admin.fetchOffsets({ groupId: stack.config.KAFKA_GROUP_ID, topics: [name] });
      for (const end of ends) {
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        if (end.high !== end.low && at !== end.high) return false;
      }
    }
    return true;
  }

  async function snapshot() {
    const db = stack.db;
    return {
      inventory: await db.$queryRaw`SELECT product_id, location_id, quantity_on_hand, quantity_reserved FROM inventory ORDER BY 1, 2`,
      ledger: await db.inventoryTransaction.count(),
      reservations: await db.$queryRaw`SELECT reservation_id, quantity, quantity_shipped, quantity_released, status::text FROM reservation ORDER BY 1`,
      outbox: await db.outboxEvent.count(),
      unpublished: await db.outboxEvent.count({ where: { publishedAt: null } }),
      processed: await db.processedEvent.count(),
      deadLetters: await db.deadLetter.count(),
    };
  }

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog([
        { sku: 'HAMMER', location: 'A-01-1-01', quantity: 100 },
        { sku: 'SAW', location: 'A-01-1-02', quantity: 2 },
      ]),
    );
    admin = testKafka().admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await stack?.stop();
  });

  it('processes orders, refuses to replay while the service runs, then replays everything without effect', async () => {
    await stack.startService();
    const ids: string[] = [];
    for (let i = 1; i <= 8; i++) {
      const sku = i === 8 ? 'SAW' : 'HAMMER';
      const quantity = i === 8 ? 5 : i; // the last one is short: InsufficientStock
      ids.push(
        ...(await stack.publish('orders', `r-${i}`, [
          { eventType: 'OrderPlaced', payload: { orderId: `r-${i}`, warehouseId: 1, lines: [{ sku, quantity }] } },
        ])),
      );
    }
    await stack.publishRaw('orders', 'r-bad', '{not json');
    await stack.publishRaw('inventory-operations', '1', '{"also": "not an envelope"}');
    await stack.outcomesOf(ids);
    await stack.recorder.waitFor((ms) => ms.filter((m) => m.headers['dlq-error-code']).length === 2, 30_000, 'two dead letters');
    await waitUntil(groupAtEnd, 30_000, 'group offsets never reached the end');

    // While a member is in the group, nothing is planned or changed.
    await expect(
      planReplay(admin, { groupId: stack.config.KAFKA_GROUP_ID, topicPrefix: stack.config.KAFKA_TOPIC_PREFIX, target: { kind: 'earliest' } }),
    ).rejects.toThrow(ReplayRefusedError);

    for (const s of stack.services.splice(0)) await s.stop();
    const before = await snapshot();
    expect(before.unpublished).toBe(0);
    const outboundBefore = await messagesOn(published());
    const levelsTopic = [topicName(topics.inventoryLevels, stack.config.KAFKA_TOPIC_PREFIX)];
    const levelsBefore = await messagesOn(levelsTopic);
    expect(levelsBefore).toBeGreaterThan(0);
    await waitUntil(() => stack.recorder.messages.length === outboundBefore, 30_000, 'recorder did not catch up');
    const recordedBefore = stack.recorder.messages.length;

    // The CLI's dry run prints the plan and changes nothing.
    const lines: string[] = [];
    const code = await replayCommand.run(['--to-earliest'], { config: stack.config, logger: createLogger('silent'), out: (l) => lines.push(l) });
    expect(code).toBe(0);
    expect(lines[0]).toBe(`consumer group ${stack.config.KAFKA_GROUP_ID}: dry run (add --execute to apply)`);
    expect(lines[1]).toMatch(/^topic +partition +current +new +effect$/);
    expect(lines.filter((l) => / replays \d+$/.test(l)).length).toBeGreaterThan(0);
    expect(await groupAtEnd()).toBe(true);

    // A time after every message plans "stay at the end"; the earliest offset replays all 10 inbound messages.
    const groupId = stack.config.KAFKA_GROUP_ID;
    const topicPrefix = stack.config.KAFKA_TOPIC_PREFIX;
    const future = await planReplay(admin, { groupId, topicPrefix, target: { kind: 'datetime', at: new Date(Date.now() + 3_600_000) } });
    expect(future.entries.every((e) => e.next === e.high)).toBe(true);
    const plan = await planReplay(admin, { groupId, topicPrefix, target: { kind: 'earliest' } });
    expect(plan.entries).toHaveLength(4 * 3);
    expect(plan.entries.reduce((n, e) => n + Number(BigInt(e.current ?? e.low) - BigInt(e.next)), 0)).toBe(10);
    await executeReplay(admin, plan);
    expect(await groupAtEnd()).toBe(false);

    const replayer = await stack.startService();
    await waitUntil(groupAtEnd, 60_000, 'replay did not reach the end of the topics');

    // Every message was delivered again: 8 duplicates by eventId, 2 dead letters met again by offset.
    const metrics = await replayer.ops.metrics.text();
    expect(metrics).toContain('inventory_events_processed_total{topic="orders",event_type="OrderPlaced",status="DUPLICATE",outcome="DUPLICATE"} 8');
    expect(metrics).toContain('inventory_dead_letters_total{code="INVALID_JSON"} 1');
    expect(metrics).toContain('inventory_dead_letters_total{code="INVALID_ENVELOPE"} 1');
    expect(metrics).not.toContain('status="APPLIED"');

    // Nothing changed: stock, ledger, reservations, outbox (so the relay has nothing new to
    // send), and nothing new on Kafka: the topics' ends, and what the recorder has read.
    expect(await snapshot()).toEqual(before);
    expect(await messagesOn(published())).toBe(outboundBefore);
    expect(await messagesOn(levelsTopic)).toBe(levelsBefore);
    expect(stack.recorder.messages.length).toBe(recordedBefore);
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
