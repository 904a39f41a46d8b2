import { TestStack } from '../support/harness';
import { waitUntil } from '../support/kafka';
import { capturingLogger, committedEventIds, duplicates, stageOutcomes, testRelay, waitUntilPublished } from '../support/relay';
import type { OutboxRelay } from '../../producers/outbox-relay';
import { RELAY_LEADER_LOCK } from '../../src/db/relay';

/**
 * Exactly once on the wire (issue 11): whatever happens to the relay leader,
 * a read_committed consumer sees every outbox row once and only once.
 */
describe('the outbox relay publishes exactly once', () => {
  let stack: TestStack;
  const relays: OutboxRelay[] = [];

  beforeEach(async () => {
    stack = await TestStack.start();
  });

  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
    await stack.stop();
  });

  it('a leader that dies between the broker commit and the database update, again and again, leaves no duplicate and no gap', async () => {
    const crashesWanted = 10;
    let commits = 0;
    let crashes = 0;
    // Every second committed batch "crashes" before the database marks it: the worst moment for an outbox.
    const afterCommit = async () => {
      commits++;
      if (crashes < crashesWanted && commits % 2 === 0) {
        crashes++;
        throw new Error('injected crash after the broker committed');
      }
    };
    for (let i = 0; i < 2; i++) {
      const relay = testRelay(stack, { batchSize: 20, faults: { afterCommit } });
      relay.start();
      relays.push(relay);
    }
    const staged: string[] = [];
    for (let wave = 0; wave < 6; wave++) {
      staged.push(...(await stageOutcomes(stack, 50)));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await waitUntil(async () => crashes >= crashesWanted, 120_000, `only ${crashes} crashes injected`);
    await waitUntilPublished(stack, 120_000);

    const onWire = await committedEventIds(stack);
    expect(duplicates(onWire)).toEqual([]);
    expect([...onWire].sort()).toEqual([...staged].sort());
    expect(crashes).toBe(crashesWanted);
  }, 240_000);

  it('a zombie leader (paused while a stand-by took over) is fenced: its batch fails, it steps down, nothing is doubled', async () => {
    let pause: Promise<void> | null = null;
    let release!: () => void;
    let paused = false;
    const zombieLog = capturingLogger();
    const zombie = testRelay(stack, {
      logger: zombieLog.logger,
      sessionTimeoutMs: 60_000,
      faults: {
        beforeSend: async () => {
          if (!pause) return;
          paused = true;
          await pause;
        },
      },
    });
    relays.push(zombie);
    zombie.start();
    await waitUntil(async () => zombie.isLeader(), 30_000, 'the first relay never led');
    const first = await stageOutcomes(stack, 5);
    await waitUntilPublished(stack, 30_000);

    // The next batch stops mid-transaction, as a process stopped with SIGSTOP would;
    // meanwhile its database session is gone (a partition: the server ended it).
    pause = new Promise<void>((resolve) => (release = resolve));
    const during = await stageOutcomes(stack, 30);
    await waitUntil(async () => paused, 30_000, 'the leader never reached its send');
    await stack.db.$executeRaw`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = ${RELAY_LEADER_LOCK} AND granted`;

    const successor = testRelay(stack);
    relays.push(successor);
    successor.start();
    await waitUntil(async () => successor.isLeader(), 30_000, 'the stand-by never took over');
    await waitUntilPublished(stack, 30_000);
    const after = await stageOutcomes(stack, 10);
    await waitUntilPublished(stack, 30_000);

    // The zombie wakes up and sends the batch it holds, in a transaction of the old epoch.
    release();
    await waitUntil(
      async () => zombieLog.lines.some((l) => l.msg === 'outbox relay was fenced by a newer leader; stepping down'),
      30_000,
      'the zombie was not fenced',
    );
    expect(zombie.isLeader()).toBe(false);
    expect(successor.isLeader()).toBe(true);

    const onWire = await committedEventIds(stack);
    expect(duplicates(onWire)).toEqual([]);
    expect([...onWire].sort()).toEqual([...first, ...during, ...after].sort());
  }, 180_000);
});
