import { contractErrorCodes, inboundEvents, inboundEventTypes, inboundTopics, parseInboundMessage, type InboundTopic } from '../../../src/contracts';
import { envelope, inboundExamples } from './examples';

const message = (eventType: string, payload: unknown, extra: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify(envelope(eventType, payload, extra)), 'utf8');

describe('parseInboundMessage', () => {
  test.each(inboundEventTypes)('accepts %s on its own topic, typed by eventType', (eventType) => {
    const result = parseInboundMessage(inboundEvents[eventType].topic, message(eventType, inboundExamples[eventType]));
    expect(result).toMatchObject({ ok: true, event: { eventType, eventVersion: 1, correlationId: 'checkout-8812' } });
  });

  test('narrows the payload type by eventType', () => {
    const result = parseInboundMessage('orders', message('OrderPlaced', inboundExamples.OrderPlaced));
    if (!result.ok || result.event.eventType !== 'OrderPlaced') throw new Error('expected an OrderPlaced');
    // Compiles only because eventType narrowed payload to OrderPlaced.
    const quantities: number[] = result.event.payload.lines.map((line) => line.quantity);
    expect(quantities).toEqual([2, 1]);
  });

  // Every inbound type on every inbound topic that is not its own.
  const wrongTopics = inboundEventTypes.flatMap((eventType) =>
    inboundTopics.filter((topic) => topic !== inboundEvents[eventType].topic).map((topic) => [eventType, topic] as const),
  );
  test.each(wrongTopics)('dead-letters %s arriving on %s as WRONG_TOPIC', (eventType, topic) => {
    const result = parseInboundMessage(topic, message(eventType, inboundExamples[eventType]));
    expect(result).toEqual({
      ok: false,
      code: 'WRONG_TOPIC',
      message: `${eventType} belongs on topic ${inboundEvents[eventType].topic}, not ${topic}`,
    });
  });

  test('checks the topic before the payload, so a misrouted event is reported as misrouted', () => {
    const result = parseInboundMessage('goods-receipts', message('OrderPlaced', { nonsense: true }));
    expect(result).toMatchObject({ ok: false, code: 'WRONG_TOPIC' });
  });

  test.each(inboundEventTypes)('dead-letters %s of an unknown eventVersion as UNSUPPORTED_EVENT_VERSION', (eventType) => {
    const result = parseInboundMessage(inboundEvents[eventType].topic, message(eventType, inboundExamples[eventType], { eventVersion: 2 }));
    expect(result).toEqual({ ok: false, code: 'UNSUPPORTED_EVENT_VERSION', message: `${eventType} version 2 is not supported (supported: 1)` });
  });

  test('checks the version before the topic and the payload (contract v2: version first)', () => {
    expect(parseInboundMessage('goods-receipts', message('OrderPlaced', { nonsense: true }, { eventVersion: 99 }))).toMatchObject({
      ok: false,
      code: 'UNSUPPORTED_EVENT_VERSION',
    });
    expect(parseInboundMessage('orders', message('OrderPlaced', { nonsense: true }, { eventVersion: 99 }))).toMatchObject({
      ok: false,
      code: 'UNSUPPORTED_EVENT_VERSION',
    });
  });

  test.each(['StockReserved', 'PurchaseOrderCreated', 'OrderUpdated', 'constructor', '__proto__', 'toString'])(
    'dead-letters eventType %s as UNKNOWN_EVENT_TYPE',
    (eventType) => {
      const result = parseInboundMessage('orders', message(eventType, {}));
      expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_EVENT_TYPE' });
    },
  );

  test.each<[string, Buffer | string | null]>([
    ['no value (a tombstone)', null],
    ['an empty value', ''],
    ['text that is not JSON', 'OrderPlaced ORD-1'],
    ['truncated JSON', '{"eventId":'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ])('dead-letters %s as INVALID_JSON', (_name, value) => {
    expect(parseInboundMessage('orders', value)).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });

  test.each<[string, string]>([
    ['a JSON array', '[]'],
    ['a JSON string', '"OrderPlaced"'],
    ['an envelope without eventId', JSON.stringify({ ...envelope('OrderPlaced', {}), eventId: undefined })],
    ['an envelope with eventVersion 0', JSON.stringify(envelope('OrderPlaced', {}, { eventVersion: 0 }))],
  ])('dead-letters %s as INVALID_ENVELOPE', (_name, value) => {
    expect(parseInboundMessage('orders', value)).toMatchObject({ ok: false, code: 'INVALID_ENVELOPE' });
  });

  test('dead-letters a bad payload as INVALID_PAYLOAD with the path of every issue', () => {
    const payload = { orderId: '', lines: [{ sku: 'SKU-1', quantity: 0 }, { quantity: 1 }] };
    const result = parseInboundMessage('orders', message('OrderPlaced', payload));
    expect(result).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    const text = result.ok ? '' : result.message;
    expect(text).toMatch(/^payload\.orderId: /);
    expect(text).toContain('payload.lines.0.quantity: ');
    expect(text).toContain('payload.lines.1: productId or sku is required');
  });

  test('caps the dead-letter message at 1000 characters', () => {
    const lines = Array.from({ length: 400 }, () => ({ quantity: -1 }));
    const result = parseInboundMessage('orders', message('OrderPlaced', { orderId: 'O', lines }));
    expect(result.ok ? '' : result.message).toHaveLength(1000);
  });

  test('every code it returns is a declared contract error code', () => {
    expect(contractErrorCodes).toEqual([
      'INVALID_JSON',
      'INVALID_ENVELOPE',
      'UNKNOWN_EVENT_TYPE',
      'UNSUPPORTED_EVENT_VERSION',
      'WRONG_TOPIC',
      'INVALID_PAYLOAD',
    ]);
  });

  test('every inbound topic carries at least one event type', () => {
    const used = new Set<InboundTopic>(inboundEventTypes.map((eventType) => inboundEvents[eventType].topic));
    expect([...used].sort()).toEqual([...inboundTopics].sort());
  });
});
