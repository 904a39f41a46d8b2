import type { ClientBase } from 'pg';
import type { StoredHeaders } from '../dead-letters/stored-message';

/**
 * The relay's SQL, on the relay leader's own pg connection (a session of its
 * own: the leader lock is a session advisory lock, which Prisma's pool does
 * not promise to keep on one connection).
 */

export interface OutboxRow {
  outbox_id: string;
  topic: string;
  message_key: string;
  /** The envelope as JSON text: read as text so it is not parsed only to be serialised again. */
  envelope: string;
  headers: Record<string, string>;
  created_at: Date;
}

export interface DeadLetterRow {
  dead_letter_id: string;
  topic: string;
  partition: number;
  offset: string;
  error_code: string;
  error_message: string;
  created_at: Date;
  message_key: Buffer | null;
  message_value: Buffer | null;
  /** { name: [base64 value, ...] } (src/dead-letters/stored-message.ts) */
  message_headers: StoredHeaders;
}

// Any constant that differs from the migration lock's key.
export const RELAY_LEADER_LOCK = 61_736_109;

/** Takes the leader lock if it is free; true when this session holds it now (or already did). */
export async function tryLeaderLock(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LEADER_LOCK]);
  return rows[0]?.locked === true;
}

/**
 * Whether the session that runs this statement holds the leader lock. Behind a
 * pooler in transaction or statement mode (PgBouncer), the statement after the
 * lock can run on another server session, which does not hold it.
 */
export async function holdsLeaderLock(client: ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ held: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND pid = pg_backend_pid() AND granted) AS held`,
    [RELAY_LEADER_LOCK],
  );
  return rows[0]?.held === true;
}

/**
 * Server-side limits of a relay session. idle_session_timeout ends a session
 * whose client went silent (a network partition: TCP keepalive alone takes
 * about two hours with the defaults, and nothing at all when a proxy in
 * between still answers), which frees the leader lock for a stand-by; the
 * keepalive settings find a dead peer sooner where the OS allows.
 */
export async function limitRelaySession(client: ClientBase, timeoutMs: number): Promise<void> {
  const seconds = Math.max(1, Math.round(timeoutMs / 3000));
  await client.query(
    `SELECT set_config('idle_session_timeout', $1, false), set_config('statement_timeout', $2, false),
            set_config('tcp_keepalives_idle', $3, false), set_config('tcp_keepalives_interval', $3, false), set_config('tcp_keepalives_count', '3', false)`,
    [`${timeoutMs}ms`, `${Math.round(timeoutMs / 2)}ms`, String(seconds)],
  );
}

/**
 * Calls onCommit on every commit of outbox rows or dead letters, on any
 * instance: a trigger on outbox_event and dead_letter notifies the channel
 * inventory_outbox (migrations 20261126220000_outbox_notify and
 * 20261201120000_relay_exactly_once). The session must stay the same one (a
 * LISTEN belongs to its session), as the leader's does.
 */
export async function listenForCommits(client: ClientBase, onCommit: () => void): Promise<void> {
  client.on('notification', () => onCommit());
  await client.query('LISTEN inventory_outbox');
}

export async function unpublishedOutbox(client: ClientBase, limit: number): Promise<OutboxRow[]> {
  const { rows } = await client.query<OutboxRow>(
    `SELECT outbox_id, topic, message_key, envelope::text AS envelope, headers, created_at
       FROM outbox_event WHERE published_at IS NULL AND parked_at IS NULL ORDER BY outbox_id LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Dead letters recorded with their message and not sent yet, oldest first. */
export async function unsentDeadLetterRows(client: ClientBase, limit: number): Promise<DeadLetterRow[]> {
  const { rows } = await client.query<DeadLetterRow>(
    `SELECT dead_letter_id, topic, partition, "offset"::text AS "offset", error_code, error_message, created_at, message_key, message_value, message_headers
       FROM dead_letter WHERE sent_at IS NULL AND relay_parked_at IS NULL AND message_headers IS NOT NULL ORDER BY dead_letter_id LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Marks rows published (idempotent: a recovery may mark a batch that was marked already). */
export async function markPublished(client: ClientBase, outboxIds: readonly string[], deadLetterIds: readonly string[]): Promise<void> {
  if (outboxIds.length > 0) {
    await client.query('UPDATE outbox_event SET published_at = now() WHERE outbox_id = ANY($1::bigint[]) AND published_at IS NULL', [outboxIds]);
  }
  if (deadLetterIds.length > 0) {
    await client.query('UPDATE dead_letter SET sent_at = now() WHERE dead_letter_id = ANY($1::bigint[]) AND sent_at IS NULL', [deadLetterIds]);
  }
}

export async function parkOutboxRow(client: ClientBase, outboxId: string, reason: string): Promise<void> {
  await client.query('UPDATE outbox_event SET parked_at = now(), parked_reason = $2 WHERE outbox_id = $1 AND published_at IS NULL', [
    outboxId,
    reason.slice(0, 1000),
  ]);
}

export async function parkDeadLetterRow(client: ClientBase, deadLetterId: string, reason: string): Promise<void> {
  await client.query('UPDATE dead_letter SET relay_parked_at = now(), relay_parked_reason = $2 WHERE dead_letter_id = $1 AND sent_at IS NULL', [
    deadLetterId,
    reason.slice(0, 1000),
  ]);
}
