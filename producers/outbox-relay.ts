import { Client } from 'pg';
import type { Producer, Message } from 'kafkajs';
import type { Logger } from '../src/logger';
import { topicName, type TopicBase } from '../src/contracts';

export interface RelayOptions {
  databaseUrl: string;
  producer: Producer;
  topicPrefix: string;
  logger: Logger;
  pollMs: number;
  batchSize?: number;
  /** Called after each published batch: metrics. */
  onPublished?: (count: number, oldestCreatedAt: Date) => void;
}

interface OutboxRow {
  outbox_id: string;
  topic: string;
  message_key: string;
  /** The envelope as JSON text: read as text so it is not parsed only to be serialised again. */
  envelope: string;
  headers: Record<string, string>;
  created_at: Date;
}

// Any constant that differs from the migration lock's key.
const RELAY_LEADER_LOCK = 61_736_109;

/**
 * Publishes committed outbox rows to Kafka in outbox_id order and marks them
 * published. One relay in the whole deployment publishes at a time (a
 * PostgreSQL session advisory lock): with two, a later event of a key could
 * overtake an earlier one. It holds the lock on a dedicated pg connection
 * because a session lock must live on one connection, which Prisma's pool
 * does not promise. That connection also LISTENs for the notification that
 * every commit of outbox rows sends, from any instance; the poll every
 * pollMs is the fallback.
 *
 * Delivery is at least once: a crash between the send and the UPDATE sends the
 * batch again with the same eventIds, which consumers deduplicate. Kafka is
 * never called inside a database transaction.
 */
export class OutboxRelay {
  private client: Client | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pending = false;

  constructor(private readonly options: RelayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Publish soon: a transaction has just committed new rows. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Stop after the batch in flight, then publish what is left once more (graceful shutdown). */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    try {
      if (await this.ensureLeader()) await this.publishAll();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outbox flush at shutdown failed; the next relay publishes the rest');
    }
    await this.disconnect();
  }

  /** Publish everything committed so far; resolves when the outbox is empty (tests, shutdown). */
  async publishAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published === 0) return total;
    }
  }

  private async run(): Promise<void> {
    let backoffMs = this.options.pollMs;
    while (this.running) {
      try {
        if (await this.ensureLeader()) {
          this.pending = false;
          await this.publishAll();
        }
        backoffMs = this.options.pollMs;
        if (!this.pending) await this.sleep(this.options.pollMs);
      } catch (error) {
        // Broker or database away: keep the rows and try again, slower each time.
        this.options.logger.warn({ err: error, retryInMs: backoffMs }, 'outbox relay failed; retrying');
        await this.disconnect();
        await this.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  }

  private async ensureLeader(): Promise<boolean> {
    if (this.client) return true;
    const client = new Client({ connectionString: this.options.databaseUrl });
    client.on('error', () => undefined); // surfaced by the next query instead
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LEADER_LOCK]);
    if (!rows[0]?.locked) {
      await client.end();
      return false;
    }
    // Commits on every instance notify this channel (a trigger on outbox_event):
    // without it, rows from other instances waited for the next poll.
    client.on('notification', () => this.wake());
    await client.query('LISTEN inventory_outbox');
    this.client = client;
    this.options.logger.info('outbox relay is the publishing leader');
    return true;
  }

  private async publishBatch(): Promise<number> {
    const client = this.client;
    if (!client) return 0;
    const { rows } = await client.query<OutboxRow>(
      `SELECT outbox_id, topic, message_key, envelope::text AS envelope, headers, created_at
         FROM outbox_event WHERE published_at IS NULL ORDER BY outbox_id LIMIT $1`,
      [this.options.batchSize ?? 500],
    );
    if (rows.length === 0) return 0;
    await this.options.producer.sendBatch({ topicMessages: this.groupByTopic(rows), acks: -1 });
    await client.query('UPDATE outbox_event SET published_at = now() WHERE outbox_id = ANY($1::bigint[])', [rows.map((r) => r.outbox_id)]);
    this.options.onPublished?.(rows.length, rows[0]!.created_at);
    return rows.length;
  }

  /** Keeps outbox order within each topic (and so within each key). */
  private groupByTopic(rows: OutboxRow[]): { topic: string; messages: Message[] }[] {
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const topic = topicName(row.topic as TopicBase, this.options.topicPrefix);
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: row.message_key, value: row.envelope, headers: row.headers });
      byTopic.set(topic, messages);
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
