import { TestStack } from '../support/harness';
import { smallCatalog } from '../fixtures/catalog';
import { topicName } from '../../src/contracts';

/**
 * A dead letter is recorded by its place in Kafka AND by what the message was
 * (a digest of its timestamp, key and value): after a topic is deleted and
 * created again, its offsets start over, and a new bad message at an offset
 * that an old one had was skipped with no dead letter (issue 16, item 13).
 */
describe('dead letters of a recreated topic', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 10 }]));
    // What the earlier topic of the same name left: a dead letter, sent, at offset 0 of every partition.
    const orders = topicName('orders', stack.config.KAFKA_TOPIC_PREFIX);
    for (const partition of [0, 1, 2]) {
      await stack.db.$executeRaw`
        INSERT INTO dead_letter (topic, partition, "offset", error_code, error_message, sent_at)
        VALUES (${orders}, ${partition}, 0, 'INVALID_JSON', 'an older message at this offset', now())`;
    }
    await stack.startService();
  });

  afterAll(() => stack.stop());

  const dlq = () => stack.recorder.messages.filter((m) => m.topic === topicName('inventory-dlq', stack.config.KAFKA_TOPIC_PREFIX));

  it('dead-letters a new bad message at an offset an older one had', async () => {
    await stack.publishRaw('orders', 'reborn', 'not json at all');
    await stack.recorder.waitFor(() => dlq().some((m) => m.key === 'reborn'), 30_000, 'the dead letter of the new message');
    const letter = dlq().find((m) => m.key === 'reborn')!;
    expect(letter.headers).toMatchObject({ 'dlq-error-code': 'INVALID_JSON', 'dlq-original-offset': '0' });
    expect(letter.value).toBe('not json at all');
    // Both are on record: the old one and the new one.
    expect(await stack.db.deadLetter.count({ where: { offset: 0n, partition: Number(letter.headers['dlq-original-partition']) } })).toBe(2);
  });
});
