import type { KafkaMessage } from 'kafkajs';
import { redriveHeader } from '../src/contracts';
import type { RedrivenEvent } from '../src/db/dead-letters';
import { redriveIdOf } from '../src/dead-letters/stored-message';

/** The redrive a message claims to be (header dlq-redrive-of); whether it really is one the database decides. */
export function redrivenEventOf(message: KafkaMessage, eventId: string): RedrivenEvent | null {
  const deadLetterId = redriveIdOf(message.headers, redriveHeader);
  return deadLetterId === null ? null : { deadLetterId, eventId };
}
