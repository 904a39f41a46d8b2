import { capByBytes, deadLetterItem, messageBytes, type RelayItem } from '../../../producers/relay-messages';
import { fromRuns, toRuns } from '../../../producers/relay-offsets';
import { isFenced, isTooLarge } from '../../../producers/outbox-relay';
import { loadConfig } from '../../../src/config';
import type { DeadLetterRow } from '../../../src/db/relay';

describe('relay offsets records', () => {
  it('name a batch by runs of consecutive ids, and give the same ids back', () => {
    const ids = ['7', '3', '4', '5', '10', '11', '20'];
    expect(toRuns(ids)).toEqual([
      ['3', '5'],
      ['7', '7'],
      ['10', '11'],
      ['20', '20'],
    ]);
    expect(fromRuns(toRuns(ids))).toEqual(['3', '4', '5', '7', '10', '11', '20']);
    expect(toRuns(['9007199254740993', '9007199254740994'])).toEqual([['9007199254740993', '9007199254740994']]);
  });
});

describe('relay batches', () => {
  const item = (bytes: number): RelayItem => ({ kind: 'outbox', id: String(bytes), topic: 't', message: { value: 'x' }, bytes, createdAt: new Date() });

  it('stop before the byte cap, but always take one row', () => {
    expect(capByBytes([item(400), item(400), item(400)], 1000, 500).map((i) => i.bytes)).toEqual([400, 400]);
    expect(capByBytes([item(5000), item(10)], 1000, 500).map((i) => i.bytes)).toEqual([5000]);
    expect(capByBytes([item(1), item(1), item(1)], 1000, 2)).toHaveLength(2);
  });
});

describe('a dead letter near the size limit', () => {
  const row = (valueBytes: number): DeadLetterRow => ({
    dead_letter_id: '1',
    topic: 'orders',
    partition: 0,
    offset: '42',
    error_code: 'INVALID_JSON',
    error_message: 'not JSON',
    created_at: new Date('2026-12-01T00:00:00Z'),
    message_key: Buffer.from('k'),
    message_value: Buffer.alloc(valueBytes, 'x'),
    message_headers: { trace: [Buffer.from([0, 255]).toString('base64'), Buffer.from('b').toString('base64')] },
  });

  it('is sent whole when it fits, with the original headers as bytes (a repeated name kept)', () => {
    const item = deadLetterItem(row(100), '', 10_000)!;
    expect(item.message.value).toHaveLength(100);
    expect(item.message.headers!.trace).toEqual([Buffer.from([0, 255]), Buffer.from('b')]);
    expect(item.message.headers!['dlq-truncated']).toBeUndefined();
    expect(item.topic).toBe('inventory-dlq');
  });

  it('has its value cut to fit, says so and keeps the original size', () => {
    const item = deadLetterItem(row(20_000), 'p.', 10_000)!;
    expect(item.bytes).toBeLessThanOrEqual(10_000);
    expect(messageBytes(item.message)).toBeLessThan(10_000);
    expect(item.message.headers!['dlq-truncated']).toBe('true');
    expect(item.message.headers!['dlq-original-size']).toBe('20000');
    expect((item.message.value as Buffer).length).toBeGreaterThan(9_000);
    expect(item.topic).toBe('p.inventory-dlq');
  });

  it('cannot be built when its headers alone exceed the limit (the relay parks it)', () => {
    expect(deadLetterItem(row(10), '', 100)).toBeNull();
  });
});

describe('kafkajs errors the relay tells apart', () => {
  it('finds the broker error type inside kafkajs wrappers', () => {
    const tooLarge = Object.assign(new Error('retries exhausted'), { cause: Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }) });
    expect(isTooLarge(tooLarge)).toBe(true);
    expect(isFenced(Object.assign(new Error('x'), { errors: [{ type: 'INVALID_PRODUCER_EPOCH' }] }))).toBe(true);
    expect(isTooLarge(new Error('plain'))).toBe(false);
  });
});

describe('relay configuration', () => {
  const base = { DATABASE_URL: 'postgresql://app@db:5432/inventory' };

  it('refuses a pooler in transaction mode for the relay, and accepts a direct relay connection beside it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://app@pgbouncer:6432/inventory?pgbouncer=true' })).toThrow(/OUTBOX_RELAY_DATABASE_URL/);
    const config = loadConfig({
      DATABASE_URL: 'postgresql://app@pgbouncer:6432/inventory?pgbouncer=true',
      OUTBOX_RELAY_DATABASE_URL: 'postgresql://app@db:5432/inventory',
    });
    expect(config.OUTBOX_RELAY_DATABASE_URL).toBe('postgresql://app@db:5432/inventory');
  });

  it('has defaults that let a stand-by take over within about a minute', () => {
    const config = loadConfig(base);
    expect(config.OUTBOX_RELAY_SESSION_TIMEOUT_MS).toBe(30_000);
    expect(config.OUTBOX_BATCH_MAX_BYTES).toBe(1_000_000);
  });
});
