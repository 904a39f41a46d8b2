import type { Db } from '../../src/db/client';
import type { TestStack } from './harness';
import { waitUntil, type ReceivedMessage } from './kafka';

type Published = ReceivedMessage & { envelope: NonNullable<ReceivedMessage['envelope']> };

/**
 * The inbox outcome word of an event that publishes nothing (a duplicate
 * receipt, a procurement status change): the processed_event row appears
 * only when the event's transaction commits, already with its final outcome.
 */
export async function processedOutcome(db: Db, eventId: string, timeoutMs = 30_000): Promise<string> {
  let outcome: string | undefined;
  await waitUntil(
    async () => {
      outcome = (await db.processedEvent.findUnique({ where: { eventId } }))?.outcome;
      return outcome !== undefined;
    },
    timeoutMs,
    `event ${eventId} was not processed in time`,
  );
  return outcome!;
}

/** Exactly `count` outbound events caused by one inbound event, by eventType (they may sit on different topics). */
export async function eventsCausedBy(stack: TestStack, eventId: string, count: number): Promise<Record<string, Published>> {
  const caused = () => stack.recorder.messages.filter((m) => m.envelope?.causationId === eventId) as Published[];
  await stack.recorder.waitFor(() => caused().length >= count, 30_000, `${count} events caused by ${eventId}`);
  const events = caused();
  if (events.length !== count) throw new Error(`expected ${count} events caused by ${eventId}, got ${events.map((e) => e.envelope.eventType).join(', ')}`);
  return Object.fromEntries(events.map((e) => [e.envelope.eventType, e]));
}

/** The dead-lettered copy of an inbound event (matched by its event-id header). */
export async function deadLetterOf(stack: TestStack, eventId: string): Promise<ReceivedMessage> {
  const find = () => stack.recorder.messages.find((m) => m.headers['dlq-error-code'] !== undefined && m.headers['event-id'] === eventId);
  await stack.recorder.waitFor(() => find() !== undefined, 30_000, `dead letter of ${eventId}`);
  return find()!;
}

/** A location's id from its warehouse code and aisle-bay-level-bin name. */
export async function locationIdOf(db: Db, warehouseCode: string, name: string): Promise<number> {
  const [aisle, bay, level, bin] = name.split('-');
  const location = await db.location.findFirstOrThrow({ where: { warehouse: { code: warehouseCode }, aisle, bay, level, bin } });
  return location.locationId;
}

/**
 * The GoodsReceiptRecorded or GoodsReceiptRejected of a GoodsReceived. Not
 * stack.outcomeOf: a receipt that moves the PO status also publishes
 * PurchaseOrderStatusChanged, on another topic, which may be recorded first.
 */
export async function receiptOutcomeOf(stack: TestStack, eventId: string): Promise<Published> {
  const find = () =>
    stack.recorder.messages.find((m) => m.envelope?.causationId === eventId && m.envelope.eventType.startsWith('GoodsReceipt')) as Published | undefined;
  await stack.recorder.waitFor(() => find() !== undefined, 30_000, `receipt outcome of ${eventId}`);
  return find()!;
}
