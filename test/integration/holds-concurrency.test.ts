import { Client } from 'pg';
import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { holdHelpers, MINUTE, TestClock } from '../support/holds';
import { waitUntil } from '../support/kafka';
import { smallCatalog } from '../fixtures/catalog';
import { createDb } from '../../src/db/client';
import { releaseExpiredHolds } from '../../src/holds/release-expired';

/**
 * Holds and the sweeper under concurrency: an order event and an expiry in the
 * same instant (made deterministic by holding a row lock that both need next),
 * two sweeps at once, two service instances sweeping. Real broker, real
 * PostgreSQL.
 */
describe('holds under concurrency', () => {
  let stack: TestStack;
  const clock = new TestClock();
  let h: ReturnType<typeof holdHelpers>;
  // Sweeps called by the tests look this far ahead; the services' own clock is only moved in the last test.
  const future = () => new Date(clock.now().getTime() + 60 * MINUTE);

  beforeAll(async () => {
    stack = await TestStack.start({ HOLD_SWEEP_INTERVAL_MS: '50' });
    await stack.importMasterData(
      smallCatalog([
        ...['RACE-SHIP', 'RACE-OrderShipped', 'RACE-OrderConfirmed'].map((sku) => ({ sku, location: 'A-01-1-01', quantity: 10 })),
        { sku: 'HOT-P', location: 'A-01-1-01', quantity: 100 },
        { sku: 'HOT-Q', location: 'A-01-1-02', quantity: 100 },
        { sku: 'TWO', location: 'A-01-1-01', quantity: 100 },
      ]),
    );
    await stack.startService({ clock: clock.now });
    h = holdHelpers(stack, clock);
  });

  afterAll(() => stack.stop());

  afterEach(async () => {
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  const place = async (orderId: string, lines: { sku: string; quantity: number }[], holdUntil: string) => {
    const eventId = await h.orderEvent('OrderPlaced', orderId, { warehouseId: 1, lines, holdUntil });
    expect((await stack.outcomeOf(eventId)).envelope.eventType).toBe('StockReserved');
  };

  const reservedOf = async (sku: string) => (await inventoryOf(stack.db, sku)).reduce((sum, row) => sum + row.reserved, 0);
  const onHandOf = async (sku: string) => (await inventoryOf(stack.db, sku)).reduce((sum, row) => sum + row.onHand, 0);

  /** Backends of this test's database waiting for a lock right now. */
  const waitingForLocks = async () =>
    (
      await stack.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`
    )[0]!.n;

  /** A transaction of its own that holds the inventory rows of a product until released: the next lock both sides need. */
  const lockStockOf = async (sku: string) => {
    const client = new Client({ connectionString: stack.config.DATABASE_URL });
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM inventory i JOIN product p USING (product_id) WHERE p.sku = $1 FOR UPDATE OF i', [sku]);
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  };

  const settlesWithin = <T>(promise: Promise<T>, ms: number) =>
    Promise.race([promise, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);

  it('a shipment that holds the hold row first is never released by a sweep in the same instant', async () => {
    await place('race-ship', [{ sku: 'RACE-SHIP', quantity: 3 }], clock.in(10 * MINUTE));
    const release = await lockStockOf('RACE-SHIP');
    // The shipment locks the hold and reservation rows, then waits for the stock rows.
    const ship = await h.orderEvent('OrderShipped', 'race-ship');
    await waitUntil(async () => (await waitingForLocks()) >= 1, 30_000, 'the shipment never waited for the stock rows');

    // A sweep past the deadline now: it skips the hold the shipment holds, without waiting for it.
    expect(await settlesWithin(releaseExpiredHolds(stack.db, future(), 100), 5_000)).toEqual([]);

    await release();
    expect((await stack.outcomeOf(ship)).envelope.eventType).toBe('StockShipped');
    expect((await h.holdOf('race-ship'))?.status).toBe('SHIPPED');
    expect(await releaseExpiredHolds(stack.db, future(), 100)).toEqual([]);
    expect(h.eventsOf('ReservationExpired', 'race-ship')).toEqual([]);
    expect([await reservedOf('RACE-SHIP'), await onHandOf('RACE-SHIP')]).toEqual([0, 7]);
  });

  it.each(['OrderShipped', 'OrderConfirmed'])(
    'a %s that arrives while the sweep releases the hold waits for it, then is refused HOLD_EXPIRED',
    async (eventType) => {
      const sku = `RACE-${eventType}`;
      const orderId = `race-sweep-${eventType}`;
      await place(orderId, [{ sku, quantity: 4 }], clock.in(10 * MINUTE));
      const release = await lockStockOf(sku);
      // The sweep locks the hold and reservation rows, then waits for the stock rows.
      const sweep = releaseExpiredHolds(stack.db, future(), 100);
      await waitUntil(async () => (await waitingForLocks()) >= 1, 30_000, 'the sweep never waited for the stock rows');
      // The order's own event now waits for the hold row the sweep holds.
      const late = await h.orderEvent(eventType, orderId);
      await waitUntil(async () => (await waitingForLocks()) >= 2, 30_000, `the ${eventType} never waited for the hold row`);

      await release();
      expect((await sweep).map((r) => r.orderId)).toEqual([orderId]);
      expect((await h.deadLetterOf(late)).headers['dlq-error-code']).toBe('HOLD_EXPIRED');
      expect((await h.waitForEvent('ReservationExpired', orderId)).envelope.payload.lines).toEqual([expect.objectContaining({ sku, quantity: 4 })]);
      expect(h.eventsOf('StockShipped', orderId)).toEqual([]);
      expect((await h.holdOf(orderId))?.status).toBe('EXPIRED');
      expect([await reservedOf(sku), await onHandOf(sku)]).toEqual([0, 10]);
    },
  );

  it('two sweeps at once (two connection pools) release every due hold exactly once, without deadlocks', async () => {
    const orderIds = Array.from({ length: 40 }, (_, i) => `pair-${i}`);
    const holdUntil = clock.in(10 * MINUTE);
    // Every order takes from the same two stock rows, listed in both orders: the batches contend on them.
    await Promise.all(
      orderIds.map((id, i) =>
        place(
          id,
          i % 2
            ? [
                { sku: 'HOT-P', quantity: 1 },
                { sku: 'HOT-Q', quantity: 2 },
              ]
            : [
                { sku: 'HOT-Q', quantity: 2 },
                { sku: 'HOT-P', quantity: 1 },
              ],
          holdUntil,
        ),
      ),
    );
    expect([await reservedOf('HOT-P'), await reservedOf('HOT-Q')]).toEqual([40, 80]);

    const [a, b] = [createDb(stack.config.DATABASE_URL, 2), createDb(stack.config.DATABASE_URL, 2)];
    try {
      const drain = async (db: typeof a) => {
        const released: string[] = [];
        for (let batch = await releaseExpiredHolds(db, future(), 7); batch.length > 0; batch = await releaseExpiredHolds(db, future(), 7))
          released.push(...batch.map((r) => r.orderId));
        return released;
      };
      const [byA, byB] = await Promise.all([drain(a), drain(b)]);
      expect([...byA, ...byB].sort()).toEqual([...orderIds].sort());
    } finally {
      await Promise.all([a.$disconnect(), b.$disconnect()]);
    }

    await stack.recorder.waitFor(() => orderIds.every((id) => h.eventsOf('ReservationExpired', id).length > 0), 30_000, '40 ReservationExpired');
    expect([await reservedOf('HOT-P'), await reservedOf('HOT-Q')]).toEqual([0, 0]);
    const released = await stack.db.inventoryTransaction.count({ where: { txnType: 'RELEASE', referenceId: { in: orderIds } } });
    expect(released).toBe(80);
    const outbox = await stack.db.outboxEvent.groupBy({
      by: ['eventType'],
      where: { messageKey: { in: orderIds }, eventType: { in: ['StockReleased', 'ReservationExpired'] } },
      _count: true,
    });
    expect(outbox.map((o) => [o.eventType, o._count]).sort()).toEqual([
      ['ReservationExpired', 40],
      ['StockReleased', 40],
    ]);
  });

  it('two service instances sweeping on their own clocks release each hold exactly once', async () => {
    await stack.startService({ clock: clock.now });
    await stack.waitForGroupMembers(2);
    const orderIds = Array.from({ length: 20 }, (_, i) => `two-${i}`);
    await Promise.all(orderIds.map((id) => place(id, [{ sku: 'TWO', quantity: 2 }], clock.in(5 * MINUTE))));
    expect(await reservedOf('TWO')).toBe(40);

    clock.advance(6 * MINUTE);
    await stack.recorder.waitFor(
      () => orderIds.every((id) => h.eventsOf('ReservationExpired', id).length > 0 && h.eventsOf('StockReleased', id).length > 0),
      30_000,
      '20 expiries',
    );
    // Both sweepers keep running every 50 ms; give them a few more rounds, then count.
    for (const service of stack.services) expect(await service.holdSweeper.sweep()).toBe(0);
    for (const id of orderIds) {
      expect(new Set(h.eventsOf('ReservationExpired', id).map((m) => m.envelope!.eventId)).size).toBe(1);
      expect(new Set(h.eventsOf('StockReleased', id).map((m) => m.envelope!.eventId)).size).toBe(1);
    }
    expect(await stack.db.inventoryTransaction.count({ where: { txnType: 'RELEASE', referenceId: { in: orderIds } } })).toBe(20);
    expect(await reservedOf('TWO')).toBe(0);
  });
});
