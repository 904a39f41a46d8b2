import { Client } from 'pg';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '../src/logger';
import * as relayDb from '../src/db/relay';
import { relayOffsetsTopic } from '../src/kafka-topics';
import { readLastOffsets, offsetsMessage } from './relay-offsets';
import { capByBytes, deadLetterItem, groupByTopic, outboxItem, type RelayItem } from './relay-messages';

export interface RelayOptions {
  databaseUrl: string;
  kafka: Kafka;
  /**
   * Stable for the whole deployment (every instance uses the same one): the
   * producer of a new leader fences the producer of the old one, so a leader
   * that only believes it still leads can no longer commit anything.
   */
  transactionalId: string;
  topicPrefix: string;
  logger: Logger;
  pollMs: number;
  batchSize?: number;
  /** Upper bound on the bytes of one relay transaction; at most the broker's message.max.bytes. */
  maxBatchBytes: number;
  /**
   * How long a leader may go silent before it loses the lead (the database
   * ends its session) and a stand-by takes over; a stand-by checks the lock
   * a few times within it.
   */
  sessionTimeoutMs: number;
  /** Called after each published batch: metrics. */
  onPublished?: (count: number, oldestCreatedAt: Date) => void;
  /** Called for each row the broker refuses even alone: metrics. */
  onParked?: (kind: RelayItem['kind']) => void;
  /**
   * Fault injection, for tests only: afterCommit runs between the broker's
   * commit of a batch and the database's marking of it (a throw there is a
   * crash at the worst moment); beforeSend runs inside the transaction before
   * anything is sent (a wait there is a leader paused mid-batch).
   */
  faults?: { afterCommit?: () => Promise<void>; beforeSend?: () => Promise<void> };
}

/**
 * Publishes committed outbox rows and recorded dead letters to Kafka, exactly
 * once on the wire for any consumer that reads committed records.
 *
 * One relay in the whole deployment publishes at a time (the leader: a
 * PostgreSQL session advisory lock, held on a connection of its own because
 * a session lock must live on one connection, which Prisma's pool does not
 * promise). The others are stand-bys: each holds one connection and tries the
 * lock every few seconds on it. The leader's connection also LISTENs for the
 * notification that every commit of outbox rows or dead letters sends; the
 * poll every pollMs is the fallback.
 *
 * Each batch is one Kafka transaction of a transactional producer whose id is
 * the same on every instance, and carries a record naming its rows on the
 * relay-offsets topic (see relay-offsets.ts). The rows are marked in the
 * database before the next batch starts, so at most the last committed batch
 * can be on the wire and unmarked; a new leader fences the old producer, reads
 * the last records and marks those rows before it sends anything. Any failure
 * ends the leader's term (producer and connection dropped), so every term
 * starts from that recovery. Kafka is never called inside a database transaction.
 */
export class OutboxRelay {
  private session: Client | null = null;
  private producer: Producer | null = null;
  private leading = false;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pending = false;
  /** After a batch the broker refused for its size: the most rows the next attempt takes. */
  private splitLimit: number | null = null;

  constructor(private readonly options: RelayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Publish soon: a transaction has just committed new rows. Only the leader acts on it. */
  wake(): void {
    if (!this.leading) return;
    this.pending = true;
    this.wakeUp?.();
  }

  /** Whether this relay is the publishing leader now. */
  isLeader(): boolean {
    return this.leading;
  }

  /** Stop after the batch in flight, then publish what is left once more (graceful shutdown). */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    try {
      if (this.leading || (await this.tryLead())) await this.publishAll();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outbox flush at shutdown failed; the next relay publishes the rest');
    }
    await this.stepDown();
  }

  /**
   * Publishes everything committed so far (tests, shutdown, each wake-up);
   * resolves after a batch that took all there was. Not one more look to find
   * nothing: that look cost two statements per wake-up, on the path of every
   * outcome. What commits meanwhile notifies again (run() looks at `pending`).
   */
  async publishAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const { sent, more } = await this.publishBatch();
      total += sent;
      if (!more) return total;
    }
  }

  private async run(): Promise<void> {
    let backoffMs = this.options.pollMs;
    while (this.running) {
      try {
        if (this.leading || (await this.tryLead())) {
          this.pending = false;
          await this.publishAll();
          backoffMs = this.options.pollMs;
          // Also a heartbeat: the leader's session must never idle past its timeout.
          if (!this.pending) await this.sleep(Math.min(this.options.pollMs, this.heartbeatMs()));
        } else {
          backoffMs = this.options.pollMs;
          // A stand-by waits on its one connection; wake() does not concern it.
          await this.sleep(Math.min(2_000, this.heartbeatMs()));
        }
      } catch (error) {
        // Broker or database away, or fenced by a newer leader: end the term, try again, slower each time.
        this.options.logger.warn(
          { err: error, retryInMs: backoffMs, fenced: isFenced(error) },
          isFenced(error) ? 'outbox relay was fenced by a newer leader; stepping down' : 'outbox relay failed; retrying',
        );
        await this.stepDown();
        await this.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  }

  private heartbeatMs(): number {
    return Math.max(100, Math.floor(this.options.sessionTimeoutMs / 4));
  }

  /** Opens the one connection of this relay if needed, and becomes the leader if the lock is free. */
  private async tryLead(): Promise<boolean> {
    const session = await this.connect();
    if (!(await relayDb.tryLeaderLock(session))) return false;
    if (!(await relayDb.holdsLeaderLock(session))) {
      this.options.logger.error(
        'the outbox relay took its leader lock on a database session that is not its own: a connection pooler in transaction or statement mode (PgBouncer) is in between. The relay needs a direct connection or a pooler in session mode; it will not publish',
      );
      throw new Error('outbox relay: the database connection is not a session of its own (connection pooler in transaction mode?)');
    }
    // Commits on every instance notify the leader's session (a trigger on outbox_event and dead_letter).
    await relayDb.listenForCommits(session, () => this.wake());
    await this.beginTerm();
    this.leading = true;
    this.options.logger.info('outbox relay is the publishing leader');
    return true;
  }

  /**
   * Fences the previous leader's producer (initialising the transactional id
   * completes or aborts its open transaction and refuses its later ones),
   * then marks in the database the rows the last committed transaction
   * published.
   */
  private async beginTerm(): Promise<void> {
    const { kafka, transactionalId, topicPrefix, sessionTimeoutMs } = this.options;
    await this.producer?.disconnect().catch(() => undefined);
    // Retries without a count: the transaction's deadline (sendInTransaction)
    // bounds them, and a term that gives up starts again from the recovery
    // below, which is what makes an unfinished send safe.
    // The first retry after 10 ms: a transaction begun right after the last
    // one's commit is often refused CONCURRENT_TRANSACTIONS while the broker
    // still writes the commit markers, and kafkajs retries that like any
    // error. With 300 ms, one relay transaction in ten waited 280-350 ms
    // (measured back to back on the local broker; 10 ms: p99 19 ms). The
    // Java client backs off 20 ms for this; kafkajs has no per-error setting,
    // and the doubling up to maxRetryTime keeps retries of an outage slow.
    const producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      transactionTimeout: 60_000,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 10, maxRetryTime: 5_000 },
    });
    this.producer = producer;
    await producer.connect();
    await (await producer.transaction()).abort(); // initialises the id: sends nothing
    const last = await readLastOffsets(kafka, topicPrefix, transactionalId, Math.max(30_000, sessionTimeoutMs));
    const outboxIds = last.get('outbox') ?? [];
    const deadLetterIds = last.get('dead-letters') ?? [];
    await relayDb.markPublished(this.session!, outboxIds, deadLetterIds);
    this.options.logger.info(
      { outboxRows: outboxIds.length, deadLetters: deadLetterIds.length },
      'outbox relay recovered the last published batch from the relay-offsets topic',
    );
  }

  private async connect(): Promise<Client> {
    if (this.session) return this.session;
    const { sessionTimeoutMs } = this.options;
    const session = new Client({
      connectionString: this.options.databaseUrl,
      keepAlive: true,
      keepAliveInitialDelayMillis: Math.min(10_000, sessionTimeoutMs),
      connectionTimeoutMillis: sessionTimeoutMs,
      // Client side: a query on a silently cut connection fails instead of hanging.
      query_timeout: sessionTimeoutMs,
    });
    session.on('error', () => undefined); // surfaced by the next query instead
    this.session = session;
    await session.connect();
    await relayDb.limitRelaySession(session, sessionTimeoutMs);
    return session;
  }

  /** One relay transaction; `more`: rows were left behind (the batch was full or cut by size, or a row was parked). */
  private async publishBatch(): Promise<{ sent: number; more: boolean }> {
    const session = this.session;
    if (!session || !this.leading) return { sent: 0, more: false };
    const { batchSize = 500, maxBatchBytes, topicPrefix } = this.options;
    const limit = this.splitLimit ?? batchSize;
    const { deadLetters, outbox } = await relayDb.relayBacklog(session, limit);
    const items: RelayItem[] = [];
    for (const row of deadLetters) {
      const item = deadLetterItem(row, topicPrefix, maxBatchBytes);
      if (item) items.push(item);
      else await this.park({ kind: 'dead-letters', id: row.dead_letter_id }, `its headers alone exceed ${maxBatchBytes} bytes`);
    }
    items.push(...outbox.map((row) => outboxItem(row, topicPrefix)));
    if (items.length === 0) return { sent: 0, more: deadLetters.length > 0 }; // parked ones: look again
    const batch = capByBytes(items, maxBatchBytes, limit);
    const more = deadLetters.length >= limit || outbox.length >= limit || batch.length < items.length;
    try {
      await this.sendInTransaction(batch);
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      if (batch.length === 1) {
        await this.park(batch[0]!, `the broker refused it as too large: ${(error as Error).message}`);
      } else {
        this.splitLimit = Math.ceil(batch.length / 2);
        this.options.logger.warn({ rows: batch.length, nextRows: this.splitLimit }, 'the broker refused a relay batch as too large; splitting it');
      }
      // The refused request may have written other partitions (in the aborted
      // transaction) and kafkajs did not count their sequence numbers: the
      // broker would take the next records under those numbers for retries of
      // the aborted ones and drop them. A fresh producer id starts clean.
      await this.beginTerm();
      return { sent: 0, more: true };
    }
    await this.options.faults?.afterCommit?.();
    await relayDb.markPublished(
      session,
      batch.filter((i) => i.kind === 'outbox').map((i) => i.id),
      batch.filter((i) => i.kind === 'dead-letters').map((i) => i.id),
    );
    // Back to full batches step by step after a split.
    this.splitLimit = this.splitLimit === null || this.splitLimit * 2 >= batchSize ? null : this.splitLimit * 2;
    const outboxPublished = batch.filter((i) => i.kind === 'outbox');
    if (outboxPublished.length > 0) this.options.onPublished?.(outboxPublished.length, outboxPublished[0]!.createdAt);
    return { sent: batch.length, more };
  }

  /**
   * One Kafka transaction: the batch and its offsets records. Bounded in time
   * (half the session timeout), so a leader stuck on the broker gives up its
   * term before the database would end its session.
   */
  private async sendInTransaction(batch: readonly RelayItem[]): Promise<void> {
    const producer = this.producer!;
    const transaction = await producer.transaction();
    const work = (async () => {
      await this.options.faults?.beforeSend?.();
      const offsets = (['outbox', 'dead-letters'] as const)
        .map((kind) => ({ kind, ids: batch.filter((i) => i.kind === kind).map((i) => i.id) }))
        .filter((k) => k.ids.length > 0)
        .map((k) => offsetsMessage(k.kind, k.ids));
      await transaction.sendBatch({
        acks: -1,
        topicMessages: [...groupByTopic(batch), { topic: relayOffsetsTopic(this.options.topicPrefix), messages: offsets }],
      });
      await transaction.commit();
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadlineMs = Math.max(1_000, Math.floor(this.options.sessionTimeoutMs / 2));
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`relay transaction took longer than ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      await Promise.race([work, deadline]);
    } catch (error) {
      work.catch(() => undefined);
      // A batch refused for its size is aborted and tried smaller in the same term; anything else ends the term.
      if (isTooLarge(error) && transaction.isActive()) await transaction.abort();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async park(item: Pick<RelayItem, 'kind' | 'id'>, reason: string): Promise<void> {
    const session = this.session!;
    if (item.kind === 'outbox') await relayDb.parkOutboxRow(session, item.id, reason);
    else await relayDb.parkDeadLetterRow(session, item.id, reason);
    this.options.onParked?.(item.kind);
    this.options.logger.error(
      { kind: item.kind, id: item.id, reason },
      'relay parked a row that can never be published; the rows behind it go on (see docs/operations.md)',
    );
  }

  private async stepDown(): Promise<void> {
    const { session, producer } = this;
    const wasLeading = this.leading;
    this.session = null;
    this.producer = null;
    this.leading = false;
    this.splitLimit = null;
    await producer?.disconnect().catch(() => undefined);
    if (session) await endSession(session, Math.min(5_000, this.options.sessionTimeoutMs));
    if (wasLeading) this.options.logger.info('outbox relay stepped down');
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

/**
 * Ends a pg session without waiting forever: on a silently cut connection the
 * polite end (Terminate, then wait for the server to close) never finishes,
 * so the socket is destroyed after a while.
 */
async function endSession(session: Client, waitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    session.end().then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
  ]);
  clearTimeout(timer);
  // pg does not expose its socket in its types; destroying it is the only way to drop a hung connection.
  if (!ended) (session as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/** kafkajs wraps broker errors (KafkaJSNonRetriableError's cause, KafkaJSAggregateError's errors). */
function errorTypes(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object' || depth > 5) return [];
  const e = error as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown[] };
  return [
    ...(typeof e.type === 'string' ? [e.type] : []),
    ...errorTypes(e.cause, depth + 1),
    ...errorTypes(e.originalError, depth + 1),
    ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => errorTypes(x, depth + 1)) : []),
  ];
}

export function isTooLarge(error: unknown): boolean {
  return errorTypes(error).some((t) => t === 'MESSAGE_TOO_LARGE' || t === 'RECORD_LIST_TOO_LARGE');
}

export function isFenced(error: unknown): boolean {
  return errorTypes(error).some((t) => t === 'INVALID_PRODUCER_EPOCH' || t === 'PRODUCER_FENCED');
}
