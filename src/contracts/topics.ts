/**
 * Topic names and Kafka header names of the wire contract
 * (docs/contract.md). These names are fixed: other teams code
 * against them, so never rename or drop one.
 */

/** Default topic names; every one takes the optional KAFKA_TOPIC_PREFIX. */
export const topics = {
  orders: 'orders',
  goodsReceipts: 'goods-receipts',
  purchaseOrderUpdates: 'purchase-order-updates',
  inventoryOperations: 'inventory-operations',
  inventoryEvents: 'inventory-events',
  purchaseOrders: 'purchase-orders',
  /** Compacted: the latest InventoryLevelChanged per (product, warehouse) is its current level. */
  inventoryLevels: 'inventory-levels',
  deadLetter: 'inventory-dlq',
} as const;

export type TopicBase = (typeof topics)[keyof typeof topics];

/** Topics the service consumes. */
export const inboundTopics = [topics.orders, topics.goodsReceipts, topics.purchaseOrderUpdates, topics.inventoryOperations] as const;
export type InboundTopic = (typeof inboundTopics)[number];

/** Topics the service publishes domain events to (the DLQ is separate). */
export const outboundTopics = [topics.inventoryEvents, topics.purchaseOrders, topics.inventoryLevels] as const;
export type OutboundTopic = (typeof outboundTopics)[number];

const allTopics: readonly TopicBase[] = Object.values(topics);

/** The real topic name: the prefix is prepended as is (no separator is added). */
export function topicName(base: TopicBase, prefix = ''): string {
  return `${prefix}${base}`;
}

/**
 * The default name behind a real topic name, or undefined when the topic is
 * not one of the contract's (the consumer gets the prefixed name from Kafka).
 */
export function baseTopicOf(topic: string, prefix = ''): TopicBase | undefined {
  if (!topic.startsWith(prefix)) return undefined;
  const base = topic.slice(prefix.length);
  return allTopics.find((t) => t === base);
}

/**
 * Topics created with cleanup.policy=compact, and refused at startup when they
 * exist without it: a consumer rebuilds the current levels from the latest
 * record per key, which a deleting topic would lose after its retention.
 */
export const compactedTopics: readonly TopicBase[] = [topics.inventoryLevels];

/** Headers that mirror the envelope, on every message in and out. */
export const envelopeHeaders = {
  eventType: 'event-type',
  eventId: 'event-id',
  /** W3C trace context: propagated from the inbound message when present. */
  traceparent: 'traceparent',
} as const;

/** Headers added to a dead-lettered message (its own headers are kept). */
export const deadLetterHeaders = {
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  errorCode: 'dlq-error-code',
  errorMessage: 'dlq-error-message',
  failedAt: 'dlq-failed-at',
  /** Only on a dead letter whose value was cut to fit the broker's size limit: 'true'. */
  truncated: 'dlq-truncated',
  /** Only with dlq-truncated: the original value's size in bytes. */
  originalSize: 'dlq-original-size',
} as const;

/**
 * On a message republished from the dead letters (a redrive): the dead
 * letter's id. The service judges such a message once more, as if new, when
 * that redrive was asked for through the API or CLI.
 */
export const redriveHeader = 'dlq-redrive-of';
