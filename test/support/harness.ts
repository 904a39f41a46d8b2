import type { Producer } from 'kafkajs';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createDb, type Db } from '../../src/db/client';
import { topics, topicName, type TopicBase } from '../../src/contracts';
import { createKafka } from '../../src/kafka';
import { ensureTopics, relayOffsetsTopic } from '../../src/kafka-topics';
import { InventoryService } from '../../src/service';
import { importMasterData } from '../../src/master-data/import';
import type { ImportFileInput } from '../../src/master-data/import-schema';
import { createTestDatabase } from './database';
import { startQueryApi } from '../../src/api/from-config';
import type { RunningApiServer } from '../../src/api/server';
import { publish, randomPrefix, testKafka, TopicRecorder, waitUntil, type InboundEvent, type ReceivedMessage } from './kafka';

/** Tokens of the test API: a reader and a writer. */
export const TEST_API_TOKENS = 'reader:read-token-0123456789:read,writer:write-token-0123456789:write';
export const READ_TOKEN = 'read-token-0123456789';
export const WRITE_TOKEN = 'write-token-0123456789';

/**
 * One test file's world: its own database (cloned from the migrated
 * template), its own topics under a random prefix, a recorder on everything
 * the service publishes, and a producer playing the other teams' services.
 */
export class TestStack {
  readonly services: InventoryService[] = [];
  readonly apis: RunningApiServer[] = [];
  db!: Db;
  config!: Config;
  recorder!: TopicRecorder;
  private readonly levelRecorders: TopicRecorder[] = [];
  private producer!: Producer;
  private dropDatabase!: () => Promise<void>;

  static async start(overrides: Partial<Record<string, string>> = {}): Promise<TestStack> {
    const stack = new TestStack();
    await stack.init(overrides);
    return stack;
  }

  private async init(overrides: Partial<Record<string, string>>): Promise<void> {
    const database = await createTestDatabase();
    this.dropDatabase = database.drop;
    const prefix = randomPrefix();
    this.config = loadConfig({
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}inventory`,
      KAFKA_TOPIC_PARTITIONS: '3',
      DATABASE_POOL_SIZE: '5',
      OUTBOX_POLL_MS: '50',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...overrides,
    });
    this.db = createDb(database.url, 3);
    const kafka = testKafka();
    await ensureTopics(createKafka(this.config, createLogger('silent')), prefix, 3, 1);
    this.producer = kafka.producer();
    await this.producer.connect();
    this.recorder = await new TopicRecorder(
      kafka,
      [topics.inventoryEvents, topics.purchaseOrders, topics.deadLetter].map((t) => topicName(t, prefix)),
    ).start();
  }

  /** Starts one more service instance in this process (same consumer group). */
  async startService(options: { clock?: () => Date } = {}): Promise<InventoryService> {
    const service = new InventoryService({
      config: this.config,
      logger: createLogger(this.config.LOG_LEVEL),
      clock: options.clock,
      instanceId: String(this.services.length + 1),
    });
    await service.start();
    this.services.push(service);
    return service;
  }

  /**
   * A recorder of the compacted inventory-levels topic from its beginning, as
   * a team rebuilding the level table would read it. Kept apart from
   * `recorder`, whose tests count the outcomes of each inbound event (a level
   * event of a one-event transaction carries that event as its cause too).
   */
  async recordLevels(): Promise<TopicRecorder> {
    const recorder = await new TopicRecorder(testKafka(), [topicName(topics.inventoryLevels, this.config.KAFKA_TOPIC_PREFIX)]).start();
    this.levelRecorders.push(recorder);
    return recorder;
  }

  /**
   * The query API of a running instance, on 127.0.0.1 and a free port, with
   * these tokens (name:token:scope list) unless overridden.
   */
  async startApi(
    service: InventoryService,
    overrides: Partial<Record<string, string>> = {},
    options: { clock?: () => Date } = {},
  ): Promise<RunningApiServer & { url: string }> {
    const config = loadConfig({ ...this.envOf(), API_HOST: '127.0.0.1', API_PORT: '0', API_TOKENS: TEST_API_TOKENS, ...overrides });
    const api = await startQueryApi(config, { logger: createLogger(config.LOG_LEVEL), redriver: service.redriver, clock: options.clock });
    this.apis.push(api);
    return Object.assign(api, { url: `http://127.0.0.1:${api.port}` });
  }

  private envOf(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.config)) if (v !== undefined) env[k] = Array.isArray(v) ? v.join(',') : String(v);
    return env;
  }

  async importMasterData(file: ImportFileInput): Promise<void> {
    await importMasterData(this.db, file);
  }

  async publish(topic: TopicBase, key: string, events: InboundEvent[]): Promise<string[]> {
    return publish(this.producer, this.config.KAFKA_TOPIC_PREFIX, topic, key, events);
  }

  /** Sends a raw message value (malformed input tests). */
  async publishRaw(topic: TopicBase, key: string, value: string, headers: Record<string, string> = {}): Promise<void> {
    await this.producer.send({ topic: topicName(topic, this.config.KAFKA_TOPIC_PREFIX), messages: [{ key, value, headers }] });
  }

  /** Waits until the service's outcome for each of these inbound eventIds is on Kafka. */
  async outcomesOf(eventIds: string[], timeoutMs = 30_000) {
    await this.recorder.waitFor(
      (ms) => eventIds.every((id) => ms.some((m) => m.envelope?.causationId === id)),
      timeoutMs,
      `outcomes of ${eventIds.length} events`,
    );
    return eventIds.map((id) => this.recorder.messages.filter((m) => m.envelope?.causationId === id));
  }

  /** Waits until the service's consumer group is stable with this many members (each then owns partitions). */
  async waitForGroupMembers(count: number, timeoutMs = 60_000): Promise<void> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await waitUntil(
        async () => {
          const { groups } = await admin.describeGroups([this.config.KAFKA_GROUP_ID]);
          return groups[0]?.state === 'Stable' && groups[0].members.length === count;
        },
        timeoutMs,
        `consumer group never had ${count} stable members`,
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** The one outcome event of an inbound event (fails if it has none in time). */
  async outcomeOf(eventId: string, timeoutMs = 30_000): Promise<ReceivedMessage & { envelope: NonNullable<ReceivedMessage['envelope']> }> {
    const [outcomes] = await this.outcomesOf([eventId], timeoutMs);
    return outcomes![0] as ReceivedMessage & { envelope: NonNullable<ReceivedMessage['envelope']> };
  }

  async stop(): Promise<void> {
    for (const api of this.apis.splice(0)) await api.close();
    for (const service of this.services.splice(0)) await service.stop();
    await this.recorder?.stop();
    for (const levels of this.levelRecorders.splice(0)) await levels.stop();
    await this.producer?.disconnect();
    await this.db?.$disconnect();
    await this.dropDatabase?.();
    await this.deleteTopics();
  }

  /** Best effort: a broker that outlives many test runs should not keep every run's topics. */
  private async deleteTopics(): Promise<void> {
    if (!this.config) return;
    const admin = testKafka().admin();
    try {
      await admin.connect();
      await admin.deleteTopics({
        topics: [...Object.values(topics).map((t) => topicName(t, this.config.KAFKA_TOPIC_PREFIX)), relayOffsetsTopic(this.config.KAFKA_TOPIC_PREFIX)],
        timeout: 10_000,
      });
    } catch {
      // Left for the broker's own retention; nothing depends on it.
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
