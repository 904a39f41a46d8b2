import { z } from 'zod';
import { envelopeSchema } from './envelope';
import { inboundEvents, inboundEventTypes } from './inbound';
import { outboundEvents, outboundEventTypes } from './outbound';
import { compactedTopics, deadLetterHeaders, envelopeHeaders, inboundTopics, outboundTopics, topics, type TopicBase } from './topics';

/**
 * Renders docs/contract from the zod schemas: one JSON Schema per payload,
 * the envelope's, and an AsyncAPI 3.0.0 document. Pure and deterministic
 * (key order follows the code), so a test can compare it with the committed
 * files; scripts/generate-contract-docs.ts writes them.
 */

/** Bumped by hand when the contract changes; not the package version, so releases do not churn the docs. */
export const CONTRACT_VERSION = '1.0.0';
export const CONTRACT_DOCS_DIR = 'docs/contract';

type Json = Record<string, unknown>;
type Direction = 'inbound' | 'outbound';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
const KAFKA_BINDING_VERSION = '0.5.0';

/**
 * Draft-07, because AsyncAPI's schema format is a superset of it. io 'input'
 * documents what a producer may send: no additionalProperties:false (fields
 * may be added), and null accepted where the parser reads it as absent.
 */
function jsonSchemaOf(schema: z.ZodType): Json {
  // unrepresentable 'any': the envelope's payload is a custom "any object" check, described by its meta ({ type: 'object' }).
  const { $schema: _dropped, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

const registry = {
  inbound: { types: inboundEventTypes as string[], events: inboundEvents as Record<string, EventSpec> },
  outbound: { types: outboundEventTypes as string[], events: outboundEvents as Record<string, EventSpec> },
};
interface EventSpec {
  topic: TopicBase;
  key: string;
  description: string;
  /** Inbound only: the eventVersions the service accepts. */
  versions?: readonly number[];
  payload: z.ZodType;
}

/** AsyncAPI message ids must be unique; PurchaseOrderStatusChanged is both inbound and outbound. */
function messageId(direction: Direction, eventType: string): string {
  const other = registry[direction === 'inbound' ? 'outbound' : 'inbound'].events;
  if (!Object.hasOwn(other, eventType)) return eventType;
  return `${eventType}${direction === 'inbound' ? 'Inbound' : 'Outbound'}`;
}

function eventsOn(topic: TopicBase): Array<{ direction: Direction; eventType: string; spec: EventSpec }> {
  return (['inbound', 'outbound'] as const).flatMap((direction) =>
    registry[direction].types
      .map((eventType) => ({ direction, eventType, spec: registry[direction].events[eventType] as EventSpec }))
      .filter(({ spec }) => spec.topic === topic),
  );
}

const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function envelopeHeadersSchema(): Json {
  return {
    type: 'object',
    description: 'Kafka headers (UTF-8 strings). Unknown headers are allowed.',
    required: [envelopeHeaders.eventType, envelopeHeaders.eventId],
    properties: {
      [envelopeHeaders.eventType]: { type: 'string', description: 'Mirrors envelope.eventType.' },
      [envelopeHeaders.eventId]: { type: 'string', format: 'uuid', description: 'Mirrors envelope.eventId.' },
      [envelopeHeaders.traceparent]: {
        type: 'string',
        description:
          'W3C trace context; when present inbound and of the W3C form, propagated to the events it causes (a later version in the 00 form); any other value is dropped, and the event is applied as usual.',
        pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
      },
    },
  };
}

function deadLetterHeadersSchema(): Json {
  const h = deadLetterHeaders;
  return {
    type: 'object',
    description: "The original message's headers, unchanged, plus these.",
    required: [h.originalTopic, h.originalPartition, h.originalOffset, h.errorCode, h.errorMessage, h.failedAt],
    properties: {
      [h.originalTopic]: { type: 'string', description: 'Topic the message was consumed from (with prefix).' },
      [h.originalPartition]: { type: 'string', pattern: '^[0-9]+$' },
      [h.originalOffset]: { type: 'string', pattern: '^[0-9]+$' },
      [h.errorCode]: {
        type: 'string',
        description:
          'e.g. INVALID_JSON, INVALID_ENVELOPE, UNKNOWN_EVENT_TYPE, UNSUPPORTED_EVENT_VERSION, WRONG_TOPIC, INVALID_PAYLOAD, or a processing code (PARKED: held back after repeated failures, see docs/decisions.md).',
      },
      [h.errorMessage]: { type: 'string' },
      [h.failedAt]: { type: 'string', format: 'date-time' },
      [h.truncated]: {
        type: 'string',
        enum: ['true'],
        description:
          "Present only when the message's value was cut so that the dead letter fits the broker's size limit; the original stays at its topic, partition and offset.",
      },
      [h.originalSize]: { type: 'string', pattern: '^[0-9]+$', description: 'With dlq-truncated: the size of the original value in bytes.' },
    },
  };
}

function message(direction: Direction, eventType: string, spec: EventSpec): Json {
  const id = messageId(direction, eventType);
  return {
    name: eventType,
    title: `${eventType} (${direction})`,
    summary: spec.description,
    contentType: 'application/json',
    headers: { $ref: '#/components/schemas/EnvelopeHeaders' },
    payload: {
      allOf: [
        { $ref: '#/components/schemas/Envelope' },
        {
          type: 'object',
          required: ['eventType', 'payload'],
          properties: {
            eventType: { const: eventType },
            ...(spec.versions
              ? {
                  eventVersion: {
                    enum: [...spec.versions],
                    description:
                      'The versions the service accepts for this type; any other is dead-lettered UNSUPPORTED_EVENT_VERSION, before the payload is looked at.',
                  },
                }
              : {}),
            payload: { $ref: `#/components/schemas/${id}Payload` },
          },
        },
      ],
    },
    bindings: {
      kafka: {
        key: { type: 'string', description: `${keyDescription(spec.key)}, as a UTF-8 string` },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

/** 'productId:warehouseId' -> '{productId}:{warehouseId}'; a single field as is. */
function keyDescription(key: string): string {
  return key.includes(':')
    ? key
        .split(':')
        .map((field) => `{${field}}`)
        .join(':')
    : key;
}

function deadLetterMessage(): Json {
  return {
    name: 'DeadLetter',
    title: 'Dead letter',
    summary: 'A message that could not be processed: its original key, value and headers, unchanged, plus dlq-* headers.',
    contentType: 'application/octet-stream',
    headers: { $ref: '#/components/schemas/DeadLetterHeaders' },
    payload: { description: 'The original message value, byte for byte; it may not even be JSON.' },
    bindings: {
      kafka: {
        key: { type: 'string', description: "the original message's key" },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

function asyncApiDocument(): Json {
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  const schemas: Json = {
    Envelope: jsonSchemaOf(envelopeSchema),
    EnvelopeHeaders: envelopeHeadersSchema(),
    DeadLetterHeaders: deadLetterHeadersSchema(),
  };

  const direction = (topic: TopicBase): Direction => ((inboundTopics as readonly string[]).includes(topic) ? 'inbound' : 'outbound');
  for (const topic of [...inboundTopics, ...outboundTopics, topics.deadLetter]) {
    const channelMessages: Json = {};
    if (topic === topics.deadLetter) {
      messages.DeadLetter = deadLetterMessage();
      channelMessages.DeadLetter = { $ref: '#/components/messages/DeadLetter' };
    } else {
      for (const event of eventsOn(topic)) {
        const id = messageId(event.direction, event.eventType);
        messages[id] = message(event.direction, event.eventType, event.spec);
        schemas[`${id}Payload`] = jsonSchemaOf(event.spec.payload);
        channelMessages[id] = { $ref: `#/components/messages/${id}` };
      }
    }
    const action = direction(topic) === 'inbound' ? 'receive' : 'send';
    const compacted = compactedTopics.includes(topic);
    channels[topic] = {
      address: topic,
      description: `Default name; the real topic is KAFKA_TOPIC_PREFIX + "${topic}".${compacted ? ' Compacted: the latest record per key is the current state.' : ''}`,
      messages: channelMessages,
      ...(compacted ? { bindings: { kafka: { topicConfiguration: { 'cleanup.policy': ['compact'] }, bindingVersion: KAFKA_BINDING_VERSION } } } : {}),
    };
    operations[`${action}${capitalized(camel(topic))}`] = {
      action,
      channel: { $ref: `#/channels/${topic}` },
      messages: Object.keys(channelMessages).map((id) => ({ $ref: `#/channels/${topic}/messages/${id}` })),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Warehouse inventory service',
      version: CONTRACT_VERSION,
      description: [
        'Wire contract of the inventory service. Generated from src/contracts by `npm run contract:docs`; do not edit.',
        "Operations are from the service's point of view: it receives on the inbound topics and sends on the others.",
        'Every value is one UTF-8 JSON envelope; eventId is the idempotency key. Fields may be added, never renamed or dropped.',
      ].join('\n\n'),
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas, messages },
  };
}

function schemaFile(title: string, description: string, schema: z.ZodType): string {
  return json({ $schema: DRAFT_07, title, description, ...jsonSchemaOf(schema) });
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Every generated file: path relative to the repository root -> content. */
export function renderContractDocs(): Record<string, string> {
  const files: Record<string, string> = {};
  files[`${CONTRACT_DOCS_DIR}/asyncapi.json`] = json(asyncApiDocument());
  files[`${CONTRACT_DOCS_DIR}/schemas/envelope.json`] = schemaFile(
    'Envelope',
    'The envelope around every message value, inbound and outbound.',
    envelopeSchema,
  );
  for (const direction of ['inbound', 'outbound'] as const) {
    for (const eventType of registry[direction].types) {
      const spec = registry[direction].events[eventType] as EventSpec;
      files[`${CONTRACT_DOCS_DIR}/schemas/${direction}/${eventType}.json`] = schemaFile(
        `${eventType} payload (${direction}, topic ${spec.topic})`,
        spec.description,
        spec.payload,
      );
    }
  }
  return files;
}
