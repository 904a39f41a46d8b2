import type { Db } from './client';
import type { Tx } from './types';

/**
 * The pruning statements of the retention job (src/ops/retention.ts): each
 * deletes at most `batch` rows in a short transaction of its own, and the
 * functions loop until nothing older than `before` is left, so the job never
 * holds many row locks or writes one huge WAL burst. Each batch first takes a
 * transaction-level advisory lock without waiting: when another instance is
 * pruning the same table, this one stops (the rows are the same).
 */
const RETENTION_LOCK = 61_736_110; // next to the relay's; any constant no other lock uses

export interface PruneOptions {
  before: Date;
  batch?: number;
}

/** Inbox rows (processed_event) processed before `before`. Returns how many were deleted. */
export function pruneInbox(db: Db, { before, batch = 5_000 }: PruneOptions): Promise<number> {
  return inBatches(
    db,
    (tx) => tx.$executeRaw`
    DELETE FROM processed_event WHERE event_id IN (
      SELECT event_id FROM processed_event WHERE processed_at < ${before} ORDER BY processed_at LIMIT ${batch})`,
    batch,
  );
}

/**
 * Dead letters recorded before `before` and already on the dead-letter topic.
 * One not sent yet is kept whatever its age: its row is what sends it; so is
 * an open PARKED one (it holds later events of its key back) and one whose
 * redrive is asked for but not yet taken up.
 */
export function pruneSentDeadLetters(db: Db, { before, batch = 5_000 }: PruneOptions): Promise<number> {
  return inBatches(
    db,
    (tx) => tx.$executeRaw`
    DELETE FROM dead_letter WHERE dead_letter_id IN (
      SELECT dead_letter_id FROM dead_letter WHERE created_at < ${before} AND sent_at IS NOT NULL
         -- An open parked event still holds back its key, and a redrive asked for still waits for its message: both stay.
         AND (error_code <> 'PARKED' OR resolved_at IS NOT NULL) AND (redrive_requested_at IS NULL OR redrive_consumed_at IS NOT NULL)
       ORDER BY created_at LIMIT ${batch})`,
    batch,
  );
}

/**
 * Published outbox rows created before `before`, taken from the oldest
 * outbox_id on through the primary key (outbox_id grows with created_at, so
 * no index of its own is needed): each batch looks at the `batch` oldest rows,
 * deletes those published and old enough, and the loop ends at the first batch
 * that reaches a newer row. A row not published yet is never deleted.
 */
export async function prunePublishedOutbox(db: Db, { before, batch = 5_000 }: PruneOptions): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.$transaction(async (tx) => {
      if (!(await locked(tx))) return null;
      const [row] = await tx.$queryRaw<{ deleted: number; reached_newer: boolean }[]>`
        WITH head AS (
          SELECT outbox_id, published_at IS NOT NULL AND created_at < ${before} AS prunable, created_at >= ${before} AS newer
            FROM outbox_event ORDER BY outbox_id LIMIT ${batch}),
        gone AS (DELETE FROM outbox_event o USING head WHERE o.outbox_id = head.outbox_id AND head.prunable RETURNING 1)
        SELECT (SELECT count(*) FROM gone)::int AS deleted, coalesce((SELECT bool_or(newer) FROM head), true) AS reached_newer`;
      return row!;
    });
    if (!result) return total;
    total += result.deleted;
    if (result.reached_newer || result.deleted === 0) return total;
  }
}

async function inBatches(db: Db, deleteBatch: (tx: Tx) => Promise<number>, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.$transaction(async (tx) => ((await locked(tx)) ? deleteBatch(tx) : -1));
    if (deleted < 0) return total;
    total += deleted;
    if (deleted < batch) return total;
  }
}

async function locked(tx: Tx): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK}::bigint) AS locked`;
  return row!.locked;
}
