import type { Admin } from 'kafkajs';
import { executeReplay, formatPlan, parseOffsetSpec, planReplay } from '../../../src/ops/replay';
import { replayCommand } from '../../../src/cli/replay';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { UsageError, ReplayRefusedError } from '../../../src/errors';

/** Just the admin calls the planner uses: two partitions per topic, offsets fixed. */
function fakeAdmin(members: { clientId: string; clientHost: string }[] = []) {
  const setOffsets = jest.fn(async () => undefined);
  const admin = {
    describeGroups: async (ids: string[]) => ({
      groups: ids.map((groupId) => ({ groupId, members, state: members.length ? 'Stable' : 'Empty', protocol: '', protocolType: 'consumer' })),
    }),
    fetchTopicOffsets: async () => [
      { partition: 1, offset: '20', high: '20', low: '5' },
      { partition: 0, offset: '10', high: '10', low: '0' },
    ],
    fetchOffsets: async ({ topics }: { topics: string[] }) =>
      topics.map((topic) => ({
        topic,
        partitions: [
          { partition: 0, offset: '10' },
          { partition: 1, offset: '-1' },
        ],
      })),
    fetchTopicOffsetsByTimestamp: async () => [
      { partition: 0, offset: '7' },
      { partition: 1, offset: '20' },
    ],
    setOffsets,
  };
  return { admin: admin as unknown as Admin, setOffsets };
}

describe('replay planning', () => {
  it('to earliest: every partition of the chosen topics goes to its first retained offset', async () => {
    const { admin } = fakeAdmin();
    const plan = await planReplay(admin, { groupId: 'g', topicPrefix: 'p.', topics: ['orders'], target: { kind: 'earliest' } });
    expect(plan.entries).toEqual([
      { topic: 'orders', partition: 0, current: '10', next: '0', low: '0', high: '10' },
      { topic: 'orders', partition: 1, current: null, next: '5', low: '5', high: '20' },
    ]);
    expect(formatPlan(plan)).toEqual([
      'topic     partition  current  new  effect',
      'p.orders  0          10       0    replays 10',
      'p.orders  1          -        5    unchanged',
    ]);
  });

  it('defaults to all four inbound topics', async () => {
    const { admin } = fakeAdmin();
    const plan = await planReplay(admin, { groupId: 'g', topicPrefix: '', target: { kind: 'earliest' } });
    expect([...new Set(plan.entries.map((e) => e.topic))]).toEqual(['orders', 'goods-receipts', 'purchase-order-updates', 'inventory-operations']);
  });

  it('to a datetime: the offsets Kafka finds for that timestamp', async () => {
    const { admin } = fakeAdmin();
    const plan = await planReplay(admin, {
      groupId: 'g',
      topicPrefix: '',
      topics: ['orders'],
      target: { kind: 'datetime', at: new Date('2026-11-26T10:00:00Z') },
    });
    expect(plan.entries.map((e) => [e.partition, e.next])).toEqual([
      [0, '7'],
      [1, '20'],
    ]);
    expect(formatPlan(plan)[2]).toContain('skips 15');
  });

  it('explicit offsets: only the partitions named, within the partition', async () => {
    const { admin } = fakeAdmin();
    const plan = await planReplay(admin, { groupId: 'g', topicPrefix: '', target: { kind: 'offsets', offsets: [parseOffsetSpec('orders:1=6')] } });
    expect(plan.entries).toEqual([{ topic: 'orders', partition: 1, current: null, next: '6', low: '5', high: '20' }]);
    await expect(planReplay(admin, { groupId: 'g', topicPrefix: '', target: { kind: 'offsets', offsets: [parseOffsetSpec('orders:0=11')] } })).rejects.toThrow(
      'outside orders:0, which holds offsets 0..10',
    );
    await expect(planReplay(admin, { groupId: 'g', topicPrefix: '', target: { kind: 'offsets', offsets: [parseOffsetSpec('orders:7=1')] } })).rejects.toThrow(
      'has no partition 7',
    );
  });

  it('refuses while the group has live members, and execute checks again', async () => {
    const { admin, setOffsets } = fakeAdmin([{ clientId: 'inventory-service', clientHost: '/10.0.0.5' }]);
    await expect(planReplay(admin, { groupId: 'g', topicPrefix: '', target: { kind: 'earliest' } })).rejects.toThrow(ReplayRefusedError);
    await expect(planReplay(admin, { groupId: 'g', topicPrefix: '', target: { kind: 'earliest' } })).rejects.toThrow(
      'consumer group "g" has 1 live member(s) (inventory-service@10.0.0.5); stop every service instance first',
    );
    await expect(
      executeReplay(admin, {
        groupId: 'g',
        topicPrefix: '',
        target: { kind: 'earliest' },
        entries: [{ topic: 'orders', partition: 0, current: '1', next: '0', low: '0', high: '1' }],
      }),
    ).rejects.toThrow(ReplayRefusedError);
    expect(setOffsets).not.toHaveBeenCalled();
  });

  it('execute sets the planned offsets per topic', async () => {
    const { admin, setOffsets } = fakeAdmin();
    const plan = await planReplay(admin, { groupId: 'g', topicPrefix: 'p.', topics: ['orders', 'goods-receipts'], target: { kind: 'earliest' } });
    await executeReplay(admin, plan);
    expect(setOffsets.mock.calls).toEqual([
      [
        {
          groupId: 'g',
          topic: 'p.orders',
          partitions: [
            { partition: 0, offset: '0' },
            { partition: 1, offset: '5' },
          ],
        },
      ],
      [
        {
          groupId: 'g',
          topic: 'p.goods-receipts',
          partitions: [
            { partition: 0, offset: '0' },
            { partition: 1, offset: '5' },
          ],
        },
      ],
    ]);
  });

  it('parses --to-offset specs and rejects bad ones', () => {
    expect(parseOffsetSpec('inventory-operations:2=42')).toEqual({ topic: 'inventory-operations', partition: 2, offset: '42' });
    expect(() => parseOffsetSpec('orders:0')).toThrow('expected <topic>:<partition>=<offset>');
    expect(() => parseOffsetSpec('inventory-events:0=1')).toThrow('is not an inbound topic');
  });
});

describe('replay command arguments (refused before any connection)', () => {
  const env = {
    config: loadConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1:1/x', KAFKA_BROKERS: '127.0.0.1:1' }),
    logger: createLogger('silent'),
    out: () => undefined,
  };
  it.each([
    [[], /exactly one of/],
    [['--to-earliest', '--to-datetime', '2026-11-26T10:00:00Z'], /exactly one of/],
    [['--to-datetime', '2026-11-26 10:00'], /use ISO-8601 with a zone/],
    [['--to-offset', 'orders:x=1'], /expected <topic>:<partition>=<offset>/],
    [['--to-offset', 'orders:0=1', '--topic', 'orders'], /names its own topics/],
    [['--to-earliest', '--topic', 'inventory-events'], /unknown --topic/],
    [['--to-earliest', '--bogus'], /Unknown option/],
  ])('%j', async (args, message) => {
    await expect(replayCommand.run(args as string[], env)).rejects.toThrow(UsageError);
    await expect(replayCommand.run(args as string[], env)).rejects.toThrow(message);
  });
});
