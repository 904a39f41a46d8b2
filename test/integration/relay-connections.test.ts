import { TestStack } from '../support/harness';
import { waitUntil } from '../support/kafka';
import { TcpProxy } from '../support/tcp-proxy';
import { committedEventIds, duplicates, stageOutcomes, testRelay, waitUntilPublished } from '../support/relay';
import type { OutboxRelay } from '../../producers/outbox-relay';

/**
 * The relay's connection hygiene (issue 16, items 7 and 8): a stand-by waits
 * on one held connection, and a leader cut off silently loses the lead to a
 * stand-by within about its session timeout.
 */
describe('outbox relay connections', () => {
  let stack: TestStack;
  const relays: OutboxRelay[] = [];
  const proxies: TcpProxy[] = [];

  beforeEach(async () => {
    stack = await TestStack.start();
  });

  afterEach(async () => {
    for (const proxy of proxies.splice(0)) await proxy.cut();
    for (const relay of relays.splice(0)) await relay.stop();
    await stack.stop();
  });

  const sessionsOpened = async () => {
    await stack.db.$executeRaw`SELECT pg_stat_force_next_flush()`;
    const [row] = await stack.db.$queryRaw<{ n: bigint }[]>`SELECT sessions AS n FROM pg_stat_database WHERE datname = current_database()`;
    return Number(row!.n);
  };

  it('a stand-by that is woken does not reconnect: it keeps waiting on its one connection', async () => {
    const leader = testRelay(stack);
    relays.push(leader);
    leader.start();
    await waitUntil(async () => leader.isLeader(), 30_000, 'no leader');
    const standby = testRelay(stack);
    relays.push(standby);
    standby.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // connected, lock refused once
    for (let i = 0; i < 5; i++) standby.wake(); // what every commit on its instance does

    const before = await sessionsOpened();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const opened = (await sessionsOpened()) - before;
    expect(opened).toBeLessThanOrEqual(1); // the flush probe's own session at most
    expect(standby.isLeader()).toBe(false);
  }, 60_000);

  it('a leader whose database connection is cut silently loses the lead to a stand-by within its session timeout', async () => {
    const direct = new URL(stack.config.DATABASE_URL);
    const proxy = await new TcpProxy(direct.hostname, Number(direct.port || 5432)).open();
    proxies.push(proxy);
    const viaProxy = new URL(stack.config.DATABASE_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const sessionTimeoutMs = 4_000;

    const leader = testRelay(stack, { databaseUrl: viaProxy.toString(), sessionTimeoutMs });
    relays.push(leader);
    leader.start();
    await waitUntil(async () => leader.isLeader(), 30_000, 'no leader');
    const standby = testRelay(stack, { sessionTimeoutMs });
    relays.push(standby);
    standby.start();
    const before = await stageOutcomes(stack, 10);
    await waitUntilPublished(stack, 30_000);
    expect(standby.isLeader()).toBe(false);

    proxy.cutSilently();
    const cutAt = Date.now();
    const after = await stageOutcomes(stack, 10);
    await waitUntil(async () => standby.isLeader(), 60_000, 'the stand-by never took over from the silent leader');
    const takeoverMs = Date.now() - cutAt;
    await waitUntilPublished(stack, 30_000);
    expect(leader.isLeader()).toBe(false);
    // Session timeout for the server to end the silent session, then a stand-by check (2 s) and its recovery.
    expect(takeoverMs).toBeLessThan(sessionTimeoutMs + 15_000);

    const onWire = await committedEventIds(stack);
    expect(duplicates(onWire)).toEqual([]);
    expect([...onWire].sort()).toEqual([...before, ...after].sort());
  }, 120_000);
});
