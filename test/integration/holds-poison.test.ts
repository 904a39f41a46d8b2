import { TestStack } from '../support/harness';
import { holdHelpers, MINUTE, TestClock } from '../support/holds';
import { smallCatalog } from '../fixtures/catalog';

/**
 * A hold whose release can never succeed (its reservation points at an
 * inventory row that is gone: the stock tables disagree) must not stop every
 * other hold from expiring: the sweeper sets it aside, says so loudly, and
 * tries it again at the next sweep.
 */
describe('a hold that cannot be released', () => {
  let stack: TestStack;
  const clock = new TestClock();
  let h: ReturnType<typeof holdHelpers>;

  beforeAll(async () => {
    stack = await TestStack.start({ HOLD_SWEEP_INTERVAL_MS: '50' });
    await stack.importMasterData(
      smallCatalog([
        { sku: 'BROKEN', location: 'A-01-1-01', quantity: 5 },
        { sku: 'FINE', location: 'A-01-1-02', quantity: 5 },
      ]),
    );
    await stack.startService({ clock: clock.now });
    h = holdHelpers(stack, clock);
  });

  afterAll(() => stack.stop());

  it('does not hold up the expiry of the others', async () => {
    for (const [orderId, sku, minutes] of [
      ['poison-1', 'BROKEN', 1],
      ['fine-1', 'FINE', 2],
    ] as const) {
      const placed = await h.orderEvent('OrderPlaced', orderId, { warehouseId: 1, lines: [{ sku, quantity: 2 }], holdUntil: clock.in(minutes * MINUTE) });
      expect((await stack.outcomeOf(placed)).envelope.eventType).toBe('StockReserved');
    }
    // The stock tables disagree: the first due hold's inventory row is gone.
    await stack.db.$executeRaw`DELETE FROM inventory WHERE product_id = (SELECT product_id FROM product WHERE sku = 'BROKEN')`;

    clock.advance(3 * MINUTE);
    await h.waitForEvent('ReservationExpired', 'fine-1');
    expect((await h.holdOf('fine-1'))?.status).toBe('EXPIRED');
    // The broken one is still HELD (nothing half-applied) and is tried again every sweep.
    expect((await h.holdOf('poison-1'))?.status).toBe('HELD');
    expect(await stack.services[0]!.holdSweeper.sweep()).toBe(0);
    expect(h.eventsOf('ReservationExpired', 'poison-1')).toEqual([]);
    // Operators see both in /metrics.
    const metrics = await stack.services[0]!.ops.metrics.text();
    expect(metrics).toMatch(/^inventory_holds_expired_total 1$/m);
    expect(metrics).toMatch(/^inventory_hold_sweep_errors_total\{transient="false"\} [1-9]/m);
  });
});
