import type { ParkedDeadLetter } from '../../src/db/dead-letters';
import { topicName, type InboundTopic } from '../../src/contracts';
import type { ValidEvent } from './apply-events';
import { messageKey } from './dead-letter';

/**
 * Parking: an event that fails with an error that is neither transient nor
 * about its data (a bug) on every attempt is not retried forever, which
 * stalled its partition, every other partition of the instance (kafkajs
 * fetches again only when every batch of a fetch is done) and the group's
 * rebalances. It is dead-lettered with code PARKED and applied by nothing.
 *
 * The per-key order rule: while an event is parked, every LATER event of the
 * same key on that topic is parked too (code PARKED, the reason names the
 * event it waits behind), never applied around it: events of one key are
 * applied in their order or not at all. A parked event is retried by a replay
 * of its partition (`replay`) or by publishing its value again, after the fix:
 * it is applied (or refused) then, its dead letter is marked resolved, and the
 * events behind it, replayed or published again in their order, follow.
 *
 * "Later" is by offset on the same partition. A copy of a parked event
 * published again (a new offset) keeps its first place: it waits only behind
 * events parked before the original. A parked event of the key on another
 * partition (the topic's partitions were changed) holds everything back.
 * The SQL is in src/db/dead-letters.ts; this file is the rule.
 */

/** What claimInbox needs to read the open PARKED dead letters of these events' keys (all events are of one topic). */
export function parkedLookup(topicPrefix: string, topic: InboundTopic, events: readonly ValidEvent[]): { topic: string; keys: string[] } {
  const keys = [...new Set(events.map((e) => messageKey(e.record.message)).filter((k): k is string => k !== null))];
  return { topic: topicName(topic, topicPrefix), keys };
}

/** The parked event this one must wait behind, if any (see the rule above). */
export function parkedAhead(rows: readonly ParkedDeadLetter[], event: ValidEvent): ParkedDeadLetter | null {
  const key = messageKey(event.record.message);
  if (key === null) return null;
  const { partition } = event.record;
  const own = rows.filter((r) => r.eventId === event.envelope.eventId && r.partition === partition).map((r) => r.offset);
  const place = [BigInt(event.record.message.offset), ...own].reduce((a, b) => (b < a ? b : a));
  return rows.find((r) => r.key === key && r.eventId !== event.envelope.eventId && (r.partition !== partition || r.offset < place)) ?? null;
}

/** The open PARKED dead letters of this event itself: resolved once it is applied, refused or found applied. */
export function ownParkedRows(rows: readonly ParkedDeadLetter[], event: ValidEvent): bigint[] {
  return rows.filter((r) => r.eventId === event.envelope.eventId).map((r) => r.deadLetterId);
}

export function heldBackReason(ahead: ParkedDeadLetter): string {
  return `held back behind parked event ${ahead.eventId} of the same key (partition ${ahead.partition}, offset ${ahead.offset}): events of one key are applied in order`;
}
