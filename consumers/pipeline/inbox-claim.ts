import { redriveHeader, type Envelope } from '../../src/contracts';
import type { InboxClaim } from '../../src/db/inbox';
import { redriveIdOf } from '../../src/dead-letters/stored-message';
import type { InboundRecord } from './types';

/** The inbox row an event claims: its id and place in Kafka, and the dead letter it was redriven from, if it says so (whether it really was, the database decides). */
export function inboxClaimOf(envelope: Pick<Envelope, 'eventId' | 'eventType'>, record: InboundRecord): InboxClaim {
  return {
    eventId: envelope.eventId,
    eventType: envelope.eventType,
    topic: record.topic,
    partition: record.partition,
    offset: record.message.offset,
    redriveOf: redriveIdOf(record.message.headers, redriveHeader),
  };
}
