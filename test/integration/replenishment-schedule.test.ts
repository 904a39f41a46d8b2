import { TestStack } from '../support/harness';
import { autoReplenished, replenishmentCatalog } from '../fixtures/replenishment-catalog';

/** DAILY_SCAN_ENABLED wires the scan into the service's start and stop. */
describe('replenishment: in-process daily schedule', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ DAILY_SCAN_ENABLED: 'true', DAILY_SCAN_AT: '02:00' });
    await stack.importMasterData(replenishmentCatalog([{ sku: 'SHORT', location: 'A-01-1-01', quantity: 4 }], [autoReplenished('SHORT', { leadTimeDays: 5 })]));
  });

  afterAll(() => stack.stop());

  it('runs the scan at DAILY_SCAN_AT (UTC) and publishes its purchase orders', async () => {
    // Pinned 300 ms before 02:00 UTC on 27 Nov (03:00 in Berlin): the timer fires almost at once.
    await stack.startService({ clock: () => new Date('2026-11-27T01:59:59.700Z') });
    await stack.recorder.waitFor((ms) => ms.some((m) => m.envelope?.eventType === 'PurchaseOrderCreated'), 15_000, 'the scheduled scan');
    const [created] = stack.recorder.ofType('PurchaseOrderCreated');
    expect(created!.envelope!.payload).toMatchObject({ trigger: 'DAILY_SCAN', expectedDate: '2026-12-02', lines: [{ sku: 'SHORT', quantity: 50 }] });
    expect(created!.envelope!.correlationId).toBe('daily-scan:2026-11-27');
  });
});
