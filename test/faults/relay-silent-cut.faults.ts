import { createTestDatabase } from '../support/database';
import { readLogLines, removeBuild } from './support/service-process';
import { waitFor } from './support/exec';
import { FAULT_ORDERS, runScenario, scenarioTimeoutMs, type FaultContext } from './support/scenario';

/**
 * Two instances; the first leads the outbox relay, whose connection to
 * PostgreSQL goes through a TCP proxy. At 30% of the stream the proxy is cut
 * silently (nothing passes, nobody is told: a network partition). The stand-by
 * must take the relay over within about a minute (OUTBOX_RELAY_SESSION_TIMEOUT_MS,
 * 30 s by default, then its 2 s check), publish everything, and nothing may
 * be published twice (the old leader is fenced if it ever sends again).
 */
describe(`fault injection: silent cut of the relay leader's database connection during ${FAULT_ORDERS} OrderPlaced`, () => {
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
    removeBuild();
  });

  it(
    'the stand-by takes the relay over within a minute; every order has exactly one outcome, once on the wire',
    async () => {
      let takeoverMs = -1;
      const result = await runScenario({
        name: 'relay-silent-cut',
        brokers: process.env.KAFKA_BROKERS!,
        databaseUrl: database.url,
        standby: true,
        faults: [
          {
            name: 'silent cut of the relay leader',
            atFraction: 0.3,
            async inject(ctx: FaultContext) {
              const leads = (file: string) => readLogLines(file).filter((l) => l.msg === 'outbox relay is the publishing leader').length;
              expect(leads(ctx.service.logFile)).toBeGreaterThanOrEqual(1);
              expect(leads(ctx.standby!.logFile)).toBe(0);
              const cutAt = Date.now();
              ctx.relayProxy!.cutSilently();
              await waitFor(() => leads(ctx.standby!.logFile) > 0, 120_000, 'the stand-by to lead the relay', 200);
              takeoverMs = Date.now() - cutAt;
              ctx.note({ takeoverMs });
            },
          },
        ],
      });
      expect(takeoverMs).toBeGreaterThan(0);
      expect(takeoverMs).toBeLessThan(70_000);
      expect(result.violations).toEqual({});
    },
    scenarioTimeoutMs(),
  );
});
