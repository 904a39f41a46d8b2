import { envelopeSchema, parseInboundMessage } from '../../../src/contracts';
import { envelope, inboundExamples } from './examples';

function envelopeIssues(value: unknown): string[] {
  const result = envelopeSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('envelope', () => {
  test('the contract example is valid', () => {
    expect(envelopeSchema.safeParse(envelope('OrderPlaced', {})).success).toBe(true);
  });

  test('unknown envelope fields are tolerated and stripped', () => {
    const result = envelopeSchema.parse(envelope('OrderPlaced', {}, { tenant: 'eu-1', schemaRef: 'x' }));
    expect(result).not.toHaveProperty('tenant');
    expect(Object.keys(result).sort()).toEqual(['causationId', 'correlationId', 'eventId', 'eventType', 'eventVersion', 'occurredAt', 'payload'].sort());
  });

  test('eventId is lower-cased (it is the idempotency key) and any 8-4-4-4-12 hex is accepted', () => {
    const upper = envelopeSchema.parse(envelope('OrderPlaced', {}, { eventId: '6F1C1D8E-3C1B-4F7E-9D8A-0B7A2F6F4A11' }));
    expect(upper.eventId).toBe('6f1c1d8e-3c1b-4f7e-9d8a-0b7a2f6f4a11');
    expect(envelopeIssues(envelope('OrderPlaced', {}, { eventId: '00000000-0000-0000-0000-000000000001' }))).toEqual([]);
  });

  test('occurredAt may carry an offset', () => {
    expect(envelopeIssues(envelope('OrderPlaced', {}, { occurredAt: '2026-11-26T13:00:00+01:00' }))).toEqual([]);
    expect(envelopeIssues(envelope('OrderPlaced', {}, { occurredAt: '2026-11-26T12:00:00Z' }))).toEqual([]);
  });

  test('correlationId and causationId may be null or any string up to 128', () => {
    const ids = { correlationId: null, causationId: 'not-a-uuid-from-another-team' };
    expect(envelopeIssues(envelope('OrderPlaced', {}, ids))).toEqual([]);
    expect(envelopeIssues(envelope('OrderPlaced', {}, { correlationId: 'c'.repeat(128) }))).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['eventId that is not a UUID', { eventId: 'order-1' }, 'eventId'],
    ['missing eventId', { eventId: undefined }, 'eventId'],
    ['empty eventType', { eventType: '' }, 'eventType'],
    ['eventType of 65 characters', { eventType: 'E'.repeat(65) }, 'eventType'],
    ['eventVersion 0', { eventVersion: 0 }, 'eventVersion'],
    ['eventVersion 1.5', { eventVersion: 1.5 }, 'eventVersion'],
    ['eventVersion as a string', { eventVersion: '1' }, 'eventVersion'],
    ['occurredAt without a time zone', { occurredAt: '2026-11-26T12:00:00' }, 'occurredAt'],
    ['occurredAt as epoch millis', { occurredAt: 1764158400000 }, 'occurredAt'],
    ['occurredAt that is not a date', { occurredAt: 'yesterday' }, 'occurredAt'],
    ['correlationId of 129 characters', { correlationId: 'c'.repeat(129) }, 'correlationId'],
    ['correlationId with a NUL byte', { correlationId: 'a\u0000' }, 'correlationId'],
    ['missing correlationId', { correlationId: undefined }, 'correlationId'],
    ['numeric causationId', { causationId: 5 }, 'causationId'],
    ['payload that is an array', { payload: [] }, 'payload'],
    ['payload that is null', { payload: null }, 'payload'],
    ['payload that is a string', { payload: '{}' }, 'payload'],
  ])('rejects %s', (_name, change, path) => {
    expect(envelopeIssues(envelope('OrderPlaced', {}, change))).toContain(path);
  });

  test.each([null, [], 'text', 42])('rejects a value that is not an object: %p', (value) => {
    expect(envelopeSchema.safeParse(value).success).toBe(false);
  });
});

// JSON.parse creates "__proto__" as an ordinary own property; the danger is
// code that later copies it by assignment (which swaps a prototype) or deep-
// merges it (which pollutes Object.prototype). Decision: such keys are
// STRIPPED like any unknown field, at every level; the event is still
// processed. The JSON is written as text because an object literal's
// __proto__ would set the prototype instead of creating a key.
describe('__proto__ keys', () => {
  const eventId = '6f1c1d8e-3c1b-4f7e-9d8a-0b7a2f6f4a11';
  const value = `{
    "eventId": "${eventId}", "eventType": "OrderPlaced", "eventVersion": 1,
    "occurredAt": "2026-11-26T12:00:00.000Z", "correlationId": null, "causationId": null,
    "__proto__": { "polluted": "envelope", "isAdmin": true },
    "payload": {
      "orderId": "ORD-1",
      "__proto__": { "polluted": "payload", "warehouseId": 99 },
      "lines": [{ "sku": "SKU-1", "quantity": 1, "__proto__": { "polluted": "line", "productId": 5 } }]
    }
  }`;

  afterEach(() => {
    // Leave nothing behind for other tests even if an assertion failed.
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  test('are stripped at every level and never reach Object.prototype', () => {
    const result = parseInboundMessage('orders', value);
    expect(result.ok).toBe(true);
    if (!result.ok || result.event.eventType !== 'OrderPlaced') throw new Error('expected an OrderPlaced');
    const { event } = result;
    const line = event.payload.lines[0]!;

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    for (const object of [event, event.payload, line]) {
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
      expect(Object.hasOwn(object, '__proto__')).toBe(false);
      expect((object as Record<string, unknown>).polluted).toBeUndefined();
    }
    // Nothing smuggled in through the fake prototype is read as a field.
    expect((event as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(event.payload.warehouseId).toBeUndefined();
    expect(line).toEqual({ sku: 'SKU-1', quantity: 1 });
  });

  test('the generic envelope payload drops a top-level __proto__ too', () => {
    const parsed = envelopeSchema.parse(JSON.parse(value));
    expect(Object.hasOwn(parsed, '__proto__')).toBe(false);
    expect(Object.hasOwn(parsed.payload, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(parsed.payload)).toBe(Object.prototype);
  });

  test('a required field offered only through __proto__ is still missing', () => {
    const onlyProto = JSON.stringify(envelope('OrderCancelled', {})).replace('"payload":{}', '"payload":{"__proto__":{"orderId":"ORD-1"}}');
    const result = parseInboundMessage('orders', onlyProto);
    expect(result).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    expect(!result.ok && result.message).toMatch(/payload\.orderId/);
  });

  test.each(Object.keys(inboundExamples))('%s: a __proto__ key in the payload changes nothing', (eventType) => {
    const example = inboundExamples[eventType as keyof typeof inboundExamples];
    const json = JSON.stringify(envelope(eventType, example)).replace('"payload":{', '"payload":{"__proto__":{"polluted":1},');
    const topic =
      {
        OrderPlaced: 'orders',
        OrderCancelled: 'orders',
        OrderShipped: 'orders',
        OrderConfirmed: 'orders',
        GoodsReceived: 'goods-receipts',
        PurchaseOrderStatusChanged: 'purchase-order-updates',
      }[eventType] ?? 'inventory-operations';
    const result = parseInboundMessage(topic as 'orders', json);
    expect(result.ok).toBe(true);
    expect(result.ok && Object.hasOwn(result.event.payload, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
