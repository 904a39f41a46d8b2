import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import { topicName, type TopicBase } from '../../src/contracts';

export function testKafka(): Kafka {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  return new Kafka({ clientId: `test-${randomBytes(3).toString('hex')}`, brokers, logLevel: logLevel.NOTHING });
}

export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** The parsed envelope, when the value is JSON. */
  envelope: { eventId: string; eventType: string; causationId: string | null; correlationId: string | null; payload: any } | null;
}

/**
 * Reads topics from the beginning into memory, like an order service would, so
 * tests can wait for the events they expect (never for fixed sleeps).
 */
export class TopicRecorder {
  readonly messages: ReceivedMessage[] = [];
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topicNames: string[],
  ) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: `recorder-${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topicNames, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const value = message.value?.toString('utf8') ?? null;
        let envelope = null;
        try {
          envelope = value ? JSON.parse(value) : null;
        } catch {
          envelope = null;
        }
        this.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value,
          headers: headersOf(message.headers),
          envelope,
        });
      },
    });
    return this;
  }

  ofType(eventType: string): ReceivedMessage[] {
    return this.messages.filter((m) => m.envelope?.eventType === eventType);
  }

  async waitFor(predicate: (messages: ReceivedMessage[]) => boolean, timeoutMs = 30_000, what = 'messages'): Promise<ReceivedMessage[]> {
    await waitUntil(
      () => predicate(this.messages),
      timeoutMs,
      `timed out waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => m.envelope?.eventType ?? m.headers['dlq-error-code']))}`,
    );
    return this.messages;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
  return out;
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, message = 'condition not met'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface InboundEvent {
  eventType: string;
  payload: unknown;
  eventId?: string;
  correlationId?: string | null;
  /** ISO-8601; now when absent (holds are checked against it). */
  occurredAt?: string;
}

export function envelope(event: InboundEvent): {
  eventId: string;
  eventType: string;
  eventVersion: number;
  occurredAt: string;
  correlationId: string | null;
  causationId: null;
  payload: unknown;
} {
  return {
    eventId: event.eventId ?? randomUUID(),
    eventType: event.eventType,
    eventVersion: 1,
    occurredAt: event.occurredAt ?? new Date().toISOString(),
    correlationId: event.correlationId ?? null,
    causationId: null,
    payload: event.payload,
  };
}

/** Publishes inbound events the way another team's service would. */
export async function publish(producer: Producer, prefix: string, topic: TopicBase, key: string, events: InboundEvent[]): Promise<string[]> {
  const envelopes = events.map(envelope);
  await producer.send({
    topic: topicName(topic, prefix),
    messages: envelopes.map((e) => ({ key, value: JSON.stringify(e), headers: { 'event-type': e.eventType, 'event-id': e.eventId } })),
  });
  return envelopes.map((e) => e.eventId);
}

export function randomPrefix(): string {
  return `t${randomBytes(4).toString('hex')}.`;
}
