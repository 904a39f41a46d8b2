import type { TestStack } from './harness';
import type { ReceivedMessage } from './kafka';
import { waitUntil } from './kafka';
import { topicName } from '../../src/contracts';

/**
 * A clock the tests move forward by hand (the service's injectable clock):
 * real time plus an offset, so Kafka and database timestamps stay plausible
 * while holds can be made due without sleeping.
 */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** The clock's now plus ms, as ISO-8601. */
  in(ms: number): string {
    return new Date(this.now().getTime() + ms).toISOString();
  }
}

export const MINUTE = 60_000;

/** Test helpers for orders with holds, over one TestStack. */
export function holdHelpers(stack: TestStack, clock: TestClock) {
  const orderEvent = async (
    eventType: string,
    orderId: string,
    payload: object = {},
    extra: { occurredAt?: string; correlationId?: string } = {},
  ): Promise<string> => {
    const [id] = await stack.publish('orders', orderId, [
      { eventType, payload: { orderId, ...payload }, occurredAt: extra.occurredAt ?? clock.now().toISOString(), correlationId: extra.correlationId },
    ]);
    return id!;
  };

  /** The inbox row is committed with the handler's changes, so once it is there the outcome is final. */
  const processedOutcome = async (eventId: string): Promise<string> => {
    let outcome: string | undefined;
    await waitUntil(
      async () => (outcome = (await stack.db.processedEvent.findUnique({ where: { eventId } }))?.outcome) !== undefined,
      30_000,
      `processing of ${eventId}`,
    );
    return outcome!;
  };

  const deadLetterOf = async (eventId: string): Promise<ReceivedMessage> => {
    const dlqTopic = topicName('inventory-dlq', stack.config.KAFKA_TOPIC_PREFIX);
    const find = () => stack.recorder.messages.find((m) => m.topic === dlqTopic && m.headers['event-id'] === eventId);
    await stack.recorder.waitFor(() => find() !== undefined, 30_000, `dead letter of ${eventId}`);
    return find()!;
  };

  /** Every message of this type about this order (its key), as recorded so far. */
  const eventsOf = (eventType: string, orderId: string): ReceivedMessage[] => stack.recorder.ofType(eventType).filter((m) => m.key === orderId);

  const waitForEvent = async (eventType: string, orderId: string): Promise<ReceivedMessage & { envelope: NonNullable<ReceivedMessage['envelope']> }> => {
    await stack.recorder.waitFor(() => eventsOf(eventType, orderId).length > 0, 30_000, `${eventType} of ${orderId}`);
    return eventsOf(eventType, orderId)[0] as ReceivedMessage & { envelope: NonNullable<ReceivedMessage['envelope']> };
  };

  const holdOf = (orderId: string) => stack.db.reservationHold.findUnique({ where: { orderId } });

  return { orderEvent, processedOutcome, deadLetterOf, eventsOf, waitForEvent, holdOf };
}
