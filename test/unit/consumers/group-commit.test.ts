import type { KafkaMessage } from 'kafkajs';
import { GroupCommit } from '../../../consumers/pipeline/group-commit';
import { OffsetCommits } from '../../../consumers/pipeline/offset-commits';
import type { InboundRecord } from '../../../consumers/pipeline/types';
import type { EventOutcome } from '../../../src/event-outcome';
import type { InboundTopic } from '../../../src/contracts';

// The transaction is replaced by a recorder here; the integration and fault
// suites run the real GroupCommit against PostgreSQL and Kafka.
function run(partition: number, offsets: number[], topic: InboundTopic = 'orders'): InboundRecord[] {
  return offsets.map((offset) => ({ topic, partition, message: { offset: String(offset) } as KafkaMessage }));
}

function recorder() {
  const transactions: string[][] = [];
  const apply = async (records: readonly InboundRecord[]): Promise<EventOutcome[]> => {
    transactions.push(records.map((r) => `${r.topic}/${r.partition}@${r.message.offset}`));
    await new Promise((resolve) => setTimeout(resolve, 5));
    return records.map((r) => ({ status: 'APPLIED', eventType: 'OrderPlaced', outcome: `${r.partition}@${r.message.offset}` }));
  };
  return { transactions, apply };
}

const outcomes = (results: EventOutcome[]) => results.map((r) => (r.status === 'APPLIED' ? r.outcome : r.status));

describe('GroupCommit', () => {
  it('applies the runs handed in together in one transaction, each run in order, and gives each run its own results', async () => {
    const { transactions, apply } = recorder();
    const group = new GroupCommit(apply, 200, 1);
    const [a, b, c] = await Promise.all([group.submit(run(0, [5, 6])), group.submit(run(1, [9])), group.submit(run(2, [1, 2, 3]))]);
    expect(transactions).toEqual([['orders/0@5', 'orders/0@6', 'orders/1@9', 'orders/2@1', 'orders/2@2', 'orders/2@3']]);
    expect(outcomes(a)).toEqual(['0@5', '0@6']);
    expect(outcomes(b)).toEqual(['1@9']);
    expect(outcomes(c)).toEqual(['2@1', '2@2', '2@3']);
  });

  it('runs one transaction at a time per topic: runs handed in meanwhile go together into the next', async () => {
    const { transactions, apply } = recorder();
    const group = new GroupCommit(apply, 200, 1);
    const first = group.submit(run(0, [1]));
    await new Promise((resolve) => setTimeout(resolve, 1)); // the first transaction is in flight
    await Promise.all([first, group.submit(run(1, [1])), group.submit(run(2, [1]))]);
    expect(transactions).toEqual([['orders/0@1'], ['orders/1@1', 'orders/2@1']]);
  });

  it('with two transactions allowed in flight, starts a second one for runs handed in while the first runs', async () => {
    const { transactions, apply } = recorder();
    const group = new GroupCommit(apply, 200, 2);
    const first = group.submit(run(0, [1]));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const second = group.submit(run(1, [1]));
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(transactions).toEqual([['orders/0@1'], ['orders/1@1']]); // both started before the first finished (5 ms)
    await Promise.all([first, second, group.submit(run(2, [1])), group.submit(run(3, [1]))]);
    expect(transactions.slice(2)).toEqual([['orders/2@1', 'orders/3@1']]);
  });

  it('keeps a transaction within the event limit by whole runs, and never mixes topics', async () => {
    const { transactions, apply } = recorder();
    const group = new GroupCommit(apply, 3, 1);
    await Promise.all([
      group.submit(run(0, [1, 2])),
      group.submit(run(1, [1, 2])),
      group.submit(run(2, [1])),
      group.submit(run(0, [7], 'inventory-operations')),
    ]);
    expect(transactions).toEqual([['orders/0@1', 'orders/0@2'], ['inventory-operations/0@7'], ['orders/1@1', 'orders/1@2', 'orders/2@1']]);
  });

  it('hands a failed transaction error to every run in it, and keeps serving later runs', async () => {
    let fail = true;
    const group = new GroupCommit(
      async (records) => {
        if (fail) throw new Error('connection lost');
        return records.map(() => ({ status: 'DUPLICATE', eventType: 'OrderPlaced' }) as const);
      },
      200,
      1,
    );
    const results = await Promise.allSettled([group.submit(run(0, [1])), group.submit(run(1, [1]))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(outcomes(await group.submit(run(0, [1])))).toEqual(['DUPLICATE']);
  });
});

describe('OffsetCommits', () => {
  it('sends the offsets handed in during one turn of the event loop as one commit, the latest per partition', async () => {
    const sent: unknown[] = [];
    const commits = new OffsetCommits();
    const send = async (offsets: unknown) => {
      sent.push(offsets);
    };
    await Promise.all([
      commits.commit(send, 'p.orders', 0, '10'),
      commits.commit(send, 'p.orders', 1, '4'),
      commits.commit(send, 'p.orders', 0, '12'),
      commits.commit(send, 'p.inventory-operations', 2, '3'),
    ]);
    expect(sent).toEqual([
      {
        topics: [
          {
            topic: 'p.orders',
            partitions: [
              { partition: 0, offset: '12' },
              { partition: 1, offset: '4' },
            ],
          },
          { topic: 'p.inventory-operations', partitions: [{ partition: 2, offset: '3' }] },
        ],
      },
    ]);
    await commits.commit(send, 'p.orders', 1, '5');
    expect(sent).toHaveLength(2);
  });

  it('gives a refused commit to its callers and sends the next one afresh', async () => {
    const commits = new OffsetCommits();
    await expect(commits.commit(async () => Promise.reject(new Error('REBALANCE_IN_PROGRESS')), 'p.orders', 0, '1')).rejects.toThrow('REBALANCE_IN_PROGRESS');
    const sent: unknown[] = [];
    await commits.commit(async (offsets) => void sent.push(offsets), 'p.orders', 0, '2');
    expect(sent).toEqual([{ topics: [{ topic: 'p.orders', partitions: [{ partition: 0, offset: '2' }] }] }]);
  });
});
