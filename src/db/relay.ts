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

/**
 * What the relay has to send, oldest first: unsent dead letters (recorded with
 * their message) and unpublished outbox rows, at most `limit` of each, in ONE
 * statement: the look happens on every wake-up, on the path of every outcome,
 * and a second round trip there cost as much as the look itself. Columns one
 * kind lacks are NULL (`headers` is either kind's headers).
 */
export async function relayBacklog(client: ClientBase, limit: number): Promise<{ deadLetters: DeadLetterRow[]; outbox: OutboxRow[] }> {
  const { rows } = await client.query<BacklogRow>(
    `(SELECT 'dead-letter' AS kind, dead_letter_id::text AS id, topic, partition, "offset"::text AS "offset", error_code, error_message, created_at,
             message_key AS key_bytes, message_value, message_headers AS headers, NULL::text AS message_key, NULL::text AS envelope
        FROM dead_letter WHERE sent_at IS NULL AND relay_parked_at IS NULL AND message_headers IS NOT NULL ORDER BY dead_letter_id LIMIT $1)
     UNION ALL
     (SELECT 'outbox', outbox_id::text, topic, NULL, NULL, NULL, NULL, created_at, NULL, NULL, headers, message_key, envelope::text
        FROM outbox_event WHERE published_at IS NULL AND parked_at IS NULL ORDER BY outbox_id LIMIT $1)`,
    [limit],
  );
  // Oldest first within each kind, whatever order UNION ALL hands the rows back in (per-key order on Kafka depends on it).
  rows.sort((a, b) => (a.kind === b.kind ? Number(BigInt(a.id) - BigInt(b.id)) : a.kind === 'dead-letter' ? -1 : 1));
  const deadLetters: DeadLetterRow[] = [];
  const outbox: OutboxRow[] = [];
  for (const r of rows) {
    if (r.kind === 'outbox')
      outbox.push({
        outbox_id: r.id,
        topic: r.topic,
        message_key: r.message_key!,
        envelope: r.envelope!,
        headers: r.headers as Record<string, string>,
        created_at: r.created_at,
      });
    else
      deadLetters.push({
        dead_letter_id: r.id,
        topic: r.topic,
        partition: r.partition!,
        offset: r.offset!,
        error_code: r.error_code!,
        error_message: r.error_message!,
        created_at: r.created_at,
        message_key: r.key_bytes,
        message_value: r.message_value,
        message_headers: r.headers as StoredHeaders,
      });
  }
  return { deadLetters, outbox };
}

interface BacklogRow {
  kind: 'dead-letter' | 'outbox';
  id: string;
  topic: string;
  partition: number | null;
  offset: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: Date;
  key_bytes: Buffer | null;
  message_value: Buffer | null;
  headers: unknown;
  message_key: string | null;
  envelope: string | null;
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
