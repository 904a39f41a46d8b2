import { createTestDatabase } from '../support/database';
import { removeBuild } from './support/service-process';
import { FAULT_ORDERS, runScenario, scenarioTimeoutMs, type FaultContext } from './support/scenario';

/**
 * SIGKILL of the service, three times, each after at least 20% more of the
 * stream was processed, restarted at once each time. The database is a clone
 * of the test template on the machine's PostgreSQL; the broker is the shared
 * one (topics under a random prefix): neither is disturbed.
 */
describe(`fault injection: SIGKILL of the service x3 during ${FAULT_ORDERS} OrderPlaced`, () => {
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
    removeBuild();
  });

  it(
    'every order has exactly one outcome, the books balance, and nothing is over-reserved',
    async () => {
      const kill = (name: string, atFraction: number) => ({
        name,
        atFraction,
        async inject(ctx: FaultContext) {
          const exit = await ctx.service.kill('SIGKILL');
          expect(exit.signal).toBe('SIGKILL');
          // What the restarted service will be handed again and must suppress as duplicates.
          ctx.note({ redelivered: await ctx.appliedButUncommitted() });
          await ctx.service.start();
        },
      });
      const result = await runScenario({
        name: 'sigkill',
        brokers: process.env.KAFKA_BROKERS!,
        databaseUrl: database.url,
        faults: [kill('SIGKILL #1', 0.2), kill('SIGKILL #2', 0.4), kill('SIGKILL #3', 0.6)],
        // Holds in the mix (contract v2): some expire during the run, some are confirmed, the rest outlive it.
        holdEvery: 5,
      });
      expect(result.faults.map((f) => f.firedAt)).toHaveLength(3);
      // Each kill after at least 20% more of the stream was processed.
      for (let i = 1; i < result.faults.length; i++)
        expect(result.faults[i]!.processedAt - result.faults[i - 1]!.processedAt).toBeGreaterThanOrEqual(0.2 * result.orders);
      expect(result.serviceRuns.at(-1)?.exit).toEqual({ code: 0, signal: null });
      expect(result.violations).toEqual({});
    },
    scenarioTimeoutMs(),
  );
});
