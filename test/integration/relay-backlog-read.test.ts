import { Client } from 'pg';
import { TestStack } from '../support/harness';
import { relayBacklog } from '../../src/db/relay';

/**
 * The relay reads unsent dead letters and unpublished outbox rows in one
 * statement (UNION ALL with the columns one kind lacks as NULL): each kind
 * comes back with its own types (bytes as Buffers, timestamps as Dates, ids as
 * text), oldest first, at most `limit` of each, without rows already sent,
 * published, parked, or recorded without their message.
 */
describe('relayBacklog: dead letters and outbox rows in one read', () => {
  let stack: TestStack;
  let client: Client;

  beforeAll(async () => {
    stack = await TestStack.start();
    client = new Client({ connectionString: stack.config.DATABASE_URL });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await stack.stop();
  });

  it('returns each kind with its types, oldest first, limited per kind', async () => {
    const key = Buffer.from([0x6f, 0x00, 0xff, 0x2d]); // not text: the bytes must come back as they are
    const value = Buffer.from('{"eventId":"x"}', 'utf8');
    for (const offset of [7, 8, 9]) {
      await stack.db.$executeRaw`
        INSERT INTO dead_letter (topic, partition, "offset", error_code, error_message, message_key, message_value, message_headers)
        VALUES ('orders', 2, ${offset}, 'INVALID_PAYLOAD', ${`bad ${offset}`}, ${key}, ${value}, ${{ 'event-type': ['T3JkZXJQbGFjZWQ='] }}::jsonb)`;
    }
    // Not the relay's to send: already sent, parked by the relay, recorded without its message.
    await stack.db.$executeRaw`
      INSERT INTO dead_letter (topic, partition, "offset", error_code, error_message, message_headers, sent_at) VALUES ('orders', 2, 1, 'X', 'sent', '{}'::jsonb, now())`;
    await stack.db.$executeRaw`
      INSERT INTO dead_letter (topic, partition, "offset", error_code, error_message, message_headers, relay_parked_at) VALUES ('orders', 2, 2, 'X', 'parked', '{}'::jsonb, now())`;
    await stack.db.$executeRaw`INSERT INTO dead_letter (topic, partition, "offset", error_code, error_message) VALUES ('orders', 2, 3, 'X', 'no message')`;
    for (const n of [1, 2, 3]) {
      await stack.db.$executeRaw`
        INSERT INTO outbox_event (event_id, event_type, topic, message_key, envelope, headers)
        VALUES (gen_random_uuid(), 'StockReserved', 'inventory-events', ${`order-${n}`}, ${JSON.stringify({ n })}::jsonb, ${{ 'event-type': 'StockReserved' }}::jsonb)`;
    }
    await stack.db.$executeRaw`
      INSERT INTO outbox_event (event_id, event_type, topic, message_key, envelope, headers, published_at)
      VALUES (gen_random_uuid(), 'StockReserved', 'inventory-events', 'published', '{}'::jsonb, '{}'::jsonb, now())`;

    const all = await relayBacklog(client, 10);
    expect(all.deadLetters.map((d) => d.error_message)).toEqual(['bad 7', 'bad 8', 'bad 9']);
    const first = all.deadLetters[0]!;
    expect(first.message_key).toEqual(key);
    expect(first.message_value).toEqual(value);
    expect(first.message_headers).toEqual({ 'event-type': ['T3JkZXJQbGFjZWQ='] });
    expect(first).toMatchObject({ topic: 'orders', partition: 2, offset: '7', error_code: 'INVALID_PAYLOAD' });
    expect(first.created_at).toBeInstanceOf(Date);
    expect(typeof first.dead_letter_id).toBe('string');
    const ids = all.deadLetters.map((d) => BigInt(d.dead_letter_id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));

    expect(all.outbox.map((o) => o.message_key)).toEqual(['order-1', 'order-2', 'order-3']);
    expect(JSON.parse(all.outbox[0]!.envelope)).toEqual({ n: 1 });
    expect(all.outbox[0]!.headers).toEqual({ 'event-type': 'StockReserved' });
    expect(all.outbox[0]!.created_at).toBeInstanceOf(Date);

    const two = await relayBacklog(client, 2);
    expect(two.deadLetters.map((d) => d.error_message)).toEqual(['bad 7', 'bad 8']);
    expect(two.outbox.map((o) => o.message_key)).toEqual(['order-1', 'order-2']);
  });
});
