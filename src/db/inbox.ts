import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';
import { outboxInsert, type CausedEvents } from './outbox';
import { deadLetterInsert, type DeadLetterRecord } from './dead-letters';

/**
 * The inbox (processed_event): one row per inbound eventId. Its primary key is
 * what makes every event apply once in effect: the row is claimed first in the
 * event's transaction, and a second copy, even one being applied right now by
 * another instance, finds it taken.
 */
export interface InboxClaim {
  eventId: string;
  eventType: string;
  topic: string;
  partition: number;
  offset: string;
}

/** Inserts the inbox rows of a run (outcome APPLYING); returns the eventIds that were new (a second copy inside the run counts once). */
export async function claimInbox(tx: Tx, claims: readonly InboxClaim[]): Promise<Set<string>> {
  // Array parameters, one per column: Prisma's cost grows with the number of parameters.
  const inserted = await tx.$queryRaw<{ event_id: string }[]>`
    INSERT INTO processed_event (event_id, event_type, topic, partition, "offset", outcome)
    SELECT event_id::uuid, event_type, topic, partition, "offset"::bigint, 'APPLYING'
      FROM unnest(${claims.map((c) => c.eventId)}::text[], ${claims.map((c) => c.eventType)}::text[], ${claims.map((c) => c.topic)}::text[],
                  ${claims.map((c) => c.partition)}::int[], ${claims.map((c) => c.offset)}::text[])
        AS v(event_id, event_type, topic, partition, "offset")
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id::text`;
  return new Set(inserted.map((r) => r.event_id));
}

/**
 * One statement for the end of a run: the outbox rows, the inbox outcomes, and
 * the dead letters of refused events (recorded here, sent after the commit).
 * One round trip, because the rows the handlers locked stay locked until the commit.
 */
export async function finishRun(tx: Tx, run: { outbox: readonly CausedEvents[]; outcomes: readonly [eventId: string, outcome: string][]; deadLetters: readonly DeadLetterRecord[]; now: Date }): Promise<void> {
  const outbox = outboxInsert(run.outbox, run.now);
  await tx.$executeRaw`
    WITH ${outbox ? Prisma.sql`staged AS (${outbox.sql}),` : Prisma.empty}
    ${run.deadLetters.length > 0 ? Prisma.sql`refused AS (${deadLetterInsert(run.deadLetters)}),` : Prisma.empty}
    outcomes AS (SELECT * FROM unnest(${run.outcomes.map(([id]) => id)}::uuid[], ${run.outcomes.map(([, outcome]) => outcome)}::text[]) AS v(event_id, outcome))
    UPDATE processed_event AS p SET outcome = v.outcome FROM outcomes v WHERE p.event_id = v.event_id`;
}

/**
 * Records a refusal made outside a run's transaction: the inbox row (so the
 * event is never judged again) and its dead letter, together.
 */
export async function recordRefusal(db: Db, claim: InboxClaim, deadLetter: DeadLetterRecord): Promise<void> {
  await db.$transaction([
    db.$executeRaw`
      INSERT INTO processed_event (event_id, event_type, topic, partition, "offset", outcome)
      VALUES (${claim.eventId}::uuid, ${claim.eventType.slice(0, 64)}, ${claim.topic}, ${claim.partition}, ${BigInt(claim.offset)}, 'DEAD_LETTERED')
      ON CONFLICT (event_id) DO NOTHING`,
    db.$executeRaw(deadLetterInsert([deadLetter])),
  ]);
}
