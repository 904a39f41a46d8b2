import { createTestDatabase } from '../support/database';
import { readLogLines, removeBuild } from './support/service-process';
import { waitFor } from './support/exec';
import { FAULT_ORDERS, runScenario, scenarioTimeoutMs, type FaultContext } from './support/scenario';

/**
 * Two instances; the first leads the outbox relay. At 30% of the stream it is
 * paused with SIGSTOP (a zombie: its sockets stay open, it answers nothing).
 * The database ends its silent relay session after
 * OUTBOX_RELAY_SESSION_TIMEOUT_MS and the stand-by leads, fencing the old
 * producer. Then SIGCONT: the old leader finds its session gone (and, if it
 * was inside a transaction, its producer fenced), steps down, and nothing is
 * published twice.
 */
describe(`fault injection: a relay leader paused (SIGSTOP) while a stand-by takes over, then resumed, during ${FAULT_ORDERS} OrderPlaced`, () => {
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
    removeBuild();
  });

  it(
    'the resumed old leader steps down; every order has exactly one outcome, once on the wire',
    async () => {
      const result = await runScenario({
        name: 'relay-zombie',
        brokers: process.env.KAFKA_BROKERS!,
        databaseUrl: database.url,
        standby: true,
        faults: [
          {
            name: 'SIGSTOP of the relay leader, SIGCONT after the stand-by leads',
            atFraction: 0.3,
            async inject(ctx: FaultContext) {
              const lines = (file: string, msg: string) => readLogLines(file).filter((l) => l.msg === msg).length;
              expect(lines(ctx.service.logFile, 'outbox relay is the publishing leader')).toBeGreaterThanOrEqual(1);
              const pid = ctx.service.pid!;
              const stoppedAt = Date.now();
              process.kill(pid, 'SIGSTOP');
              try {
                await waitFor(() => lines(ctx.standby!.logFile, 'outbox relay is the publishing leader') > 0, 120_000, 'the stand-by to lead the relay', 200);
              } finally {
                ctx.note({ takeoverMs: Date.now() - stoppedAt });
                process.kill(pid, 'SIGCONT');
              }
              await waitFor(() => lines(ctx.service.logFile, 'outbox relay stepped down') > 0, 60_000, 'the resumed old leader to step down', 200);
              ctx.note({ oldLeaderFenced: readLogLines(ctx.service.logFile).filter((l) => l.fenced === true).length });
            },
          },
        ],
      });
      expect(result.violations).toEqual({});
    },
    scenarioTimeoutMs(),
  );
});
