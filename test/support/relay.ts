import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { OutboxRelay, type RelayOptions } from '../../producers/outbox-relay';
import { stageEvents, type OutboundEvent } from '../../src/db/outbox';
import { topics, topicName } from '../../src/contracts';
import { readToEnd } from '../../src/kafka-read';
import { createLogger, type Logger } from '../../src/logger';
import type { TestStack } from './harness';
import { testKafka, waitUntil } from './kafka';

/** Log lines a logger wrote, parsed (tests assert on what the relay said). */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

/** A relay of its own on the stack's database and topics, as every instance of the service builds it. */
export function testRelay(stack: TestStack, overrides: Partial<RelayOptions> = {}): OutboxRelay {
  return new OutboxRelay({
    databaseUrl: stack.config.DATABASE_URL,
    kafka: testKafka(),
    transactionalId: `${stack.config.KAFKA_GROUP_ID}-outbox-relay`,
    topicPrefix: stack.config.KAFKA_TOPIC_PREFIX,
    logger: createLogger('silent'),
    pollMs: 50,
    maxBatchBytes: 1_000_000,
    sessionTimeoutMs: 30_000,
    ...overrides,
  });
}

/** Stages outcome rows as a consumer's transaction would (one row per cause); returns their eventIds. */
export async function stageOutcomes(stack: TestStack, count: number, event: (i: number) => OutboundEvent = rejectedAdjustment): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const cause = { eventId: randomUUID(), correlationId: null };
    ids.push(...(await stack.db.$transaction((tx) => stageEvents(tx, cause, [event(i)]))));
  }
  return ids;
}

function rejectedAdjustment(i: number): OutboundEvent {
  return {
    eventType: 'StockAdjustmentRejected',
    key: `loc-${i % 7}`,
    payload: { productId: null, sku: null, locationId: 1 + (i % 7), reason: 'UNKNOWN_LOCATION' },
  };
}

export async function unpublishedCount(stack: TestStack): Promise<number> {
  const [row] = await stack.db.$queryRaw<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM outbox_event WHERE published_at IS NULL AND parked_at IS NULL`;
  return row!.n;
}

export async function waitUntilPublished(stack: TestStack, timeoutMs: number): Promise<void> {
  await waitUntil(async () => (await unpublishedCount(stack)) === 0, timeoutMs, 'outbox rows still unpublished');
}

/** eventIds of everything on inventory-events now, as a read_committed consumer sees it. */
export async function committedEventIds(stack: TestStack, base: (typeof topics)[keyof typeof topics] = topics.inventoryEvents): Promise<string[]> {
  const ids: string[] = [];
  await readToEnd(testKafka(), [topicName(base, stack.config.KAFKA_TOPIC_PREFIX)], (_t, _p, m) => ids.push(JSON.parse(m.value!.toString()).eventId as string), {
    timeoutMs: 60_000,
    groupPrefix: 'test-reader',
  });
  return ids;
}

export function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}
