import { randomUUID } from 'node:crypto';
import { createKafka } from '../kafka';
import { topics, topicName, type TopicBase } from '../contracts';
import { parseOptions, type CliCommand } from './command';
import { printAvailability } from './demo-availability';
import { UsageError } from '../errors';

export interface DemoEvent {
  topic: TopicBase;
  key: string;
  eventType: string;
  payload: Record<string, unknown>;
}

/**
 * Demo traffic for prisma/fixtures/demo.json: what an order service would send.
 * Order 5's shipment arrives before the order itself, so it is dead-lettered
 * (nothing reserved yet): the console's dead-letter page can redrive it, and
 * the order then ships.
 */
export function demoTraffic(run: string): DemoEvent[] {
  const order = (n: number) => `demo-${run}-${n}`;
  return [
    {
      topic: 'orders',
      key: order(1),
      eventType: 'OrderPlaced',
      payload: {
        orderId: order(1),
        lines: [
          { sku: 'HAMMER-16OZ', quantity: 12 },
          { sku: 'BOLT-M8', quantity: 5 },
        ],
      },
    },
    { topic: 'orders', key: order(2), eventType: 'OrderPlaced', payload: { orderId: order(2), lines: [{ sku: 'SAW-550', quantity: 50 }] } },
    {
      topic: 'orders',
      key: order(3),
      eventType: 'OrderPlaced',
      payload: {
        orderId: order(3),
        lines: [
          { sku: 'CHISEL-OLD', quantity: 1 },
          { sku: 'NO-SUCH-SKU', quantity: 1 },
        ],
      },
    },
    { topic: 'orders', key: order(4), eventType: 'OrderPlaced', payload: { orderId: order(4), lines: [{ sku: 'HAMMER-16OZ', quantity: 30 }] } },
    {
      topic: 'orders',
      key: order(1),
      eventType: 'OrderShipped',
      payload: { orderId: order(1), shipmentId: `ship-${run}-1`, lines: [{ sku: 'HAMMER-16OZ', quantity: 12 }] },
    },
    { topic: 'orders', key: order(1), eventType: 'OrderCancelled', payload: { orderId: order(1), reason: 'customer changed their mind about the bolts' } },
    { topic: 'orders', key: order(5), eventType: 'OrderShipped', payload: { orderId: order(5), shipmentId: `ship-${run}-5` } },
    { topic: 'orders', key: order(5), eventType: 'OrderPlaced', payload: { orderId: order(5), lines: [{ sku: 'BOLT-M8', quantity: 4 }] } },
    {
      topic: 'inventory-operations',
      key: '3',
      eventType: 'StockAdjusted',
      payload: { sku: 'BOLT-M8', locationId: 3, quantityDelta: -1000, reason: 'demo: a refused adjustment' },
    },
  ];
}

/**
 * `demo`: sends demo traffic through Kafka to a running service and prints every
 * event that comes back on inventory-events and purchase-orders, and the first
 * InventoryLevelChanged on inventory-levels, until every demo event has its
 * outcome. Exit 0 when the answers included at least one StockReserved, one
 * InsufficientStock and one InventoryLevelChanged, and the query API answered
 * the availability of the demo's SKUs.
 */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'send demo orders through Kafka to a running service and print the events that come back',
  usage: 'demo [--timeout-seconds 60]',
  needsConfig: true,
  async run(args, { config, logger, out }) {
    const seconds = Number(parseOptions(args, { 'timeout-seconds': { type: 'string' } })['timeout-seconds'] ?? 60);
    if (!(Number.isInteger(seconds) && seconds > 0)) throw new UsageError('--timeout-seconds must be a whole number of seconds above 0');
    const timeoutMs = seconds * 1000;
    const kafka = createKafka(config!, logger, '-demo');
    const prefix = config!.KAFKA_TOPIC_PREFIX;
    const consumer = kafka.consumer({ groupId: `inventory-demo-${randomUUID()}` });
    const producer = kafka.producer();
    const traffic = demoTraffic(Date.now().toString(36));
    const sent = new Set<string>();
    const answered = new Set<string>();
    const seen = new Set<string>();
    const levelsTopic = topicName(topics.inventoryLevels, prefix);
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));

    await Promise.all([consumer.connect(), producer.connect()]);
    const deadLetterTopic = topicName(topics.deadLetter, prefix);
    await consumer.subscribe({
      topics: [topics.inventoryEvents, topics.purchaseOrders, topics.inventoryLevels, topics.deadLetter].map((t) => topicName(t, prefix)),
      fromBeginning: false,
    });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const event = JSON.parse(message.value?.toString() ?? '{}');
        if (topic === levelsTopic) {
          // One level is enough to show: a transaction of several demo events has no single cause (null).
          if (seen.has(event.eventType) || !(event.causationId === null || sent.has(event.causationId))) return;
          seen.add(event.eventType);
          out(`<- ${topic.padEnd(prefix.length + 17)} ${event.eventType.padEnd(26)} key=${message.key?.toString()} ${JSON.stringify(event.payload)}`);
          if (answered.size === traffic.length) setTimeout(done, 1000);
          return;
        }
        // A dead letter is the original message (its own eventId); an outcome names its cause.
        const deadLettered = topic === deadLetterTopic;
        const cause = deadLettered ? event.eventId : event.causationId;
        // Only what this run caused (a PurchaseOrderCreated shares the causationId of the order that triggered it).
        if (!sent.has(cause)) return;
        seen.add(event.eventType);
        answered.add(cause);
        const detail = deadLettered
          ? `${message.headers?.['dlq-error-code']?.toString()}: ${message.headers?.['dlq-error-message']?.toString()}`
          : JSON.stringify(event.payload);
        out(`<- ${topic.padEnd(prefix.length + 17)} ${event.eventType.padEnd(26)} key=${message.key?.toString()} ${detail}`);
        // Every demo event has an outcome; a moment more for those published with it (PurchaseOrderCreated).
        if (answered.size === traffic.length && seen.has('InventoryLevelChanged')) setTimeout(done, 1000);
      },
    });
    await joined;
    for (const event of traffic) {
      const eventId = randomUUID();
      sent.add(eventId);
      const envelope = {
        eventId,
        eventType: event.eventType,
        eventVersion: 1,
        occurredAt: new Date().toISOString(),
        correlationId: `demo-${event.key}`,
        causationId: null,
        payload: event.payload,
      };
      await producer.send({
        topic: topicName(event.topic, prefix),
        messages: [{ key: event.key, value: JSON.stringify(envelope), headers: { 'event-type': event.eventType, 'event-id': eventId } }],
      });
      out(`-> ${topicName(event.topic, prefix).padEnd(prefix.length + 17)} ${event.eventType.padEnd(26)} key=${event.key} ${JSON.stringify(event.payload)}`);
    }
    const timer = setTimeout(done, timeoutMs);
    await finished;
    clearTimeout(timer);
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
    const answeredAll = seen.has('StockReserved') && seen.has('InsufficientStock') && seen.has('InventoryLevelChanged');
    if (!answeredAll) out(`demo: timed out; saw only ${[...seen].join(', ') || 'nothing'} (is the service running?)`);
    const skus = [
      ...new Set(
        traffic
          .flatMap((e) => [e.payload.sku, ...((e.payload.lines as { sku?: string }[] | undefined) ?? []).map((l) => l.sku)])
          .filter((s): s is string => typeof s === 'string'),
      ),
    ];
    const askedApi = await printAvailability(config!, skus, out);
    const ok = answeredAll && askedApi;
    if (ok) out('demo: done');
    return ok ? 0 : 1;
  },
};
