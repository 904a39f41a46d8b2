import { createTestDatabase } from '../support/database';
import { Broker } from './support/broker';
import { removeBuild } from './support/service-process';
import { FAULT_ORDERS, runScenario, scenarioTimeoutMs } from './support/scenario';

/**
 * The Kafka broker restarted under the running service: first a controlled
 * shutdown (SIGTERM) and start, then a SIGKILL of the broker JVM and start
 * (log recovery). It is the suite's own broker on 127.0.0.1:19092
 * (scripts/kafka-start.sh with KAFKA_PORT=19092): the shared broker on 9092
 * serves everyone else's tests and is never restarted.
 */
describe(`fault injection: Kafka broker restart during ${FAULT_ORDERS} OrderPlaced`, () => {
  const broker = new Broker();
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    await broker.start();
    database = await createTestDatabase();
  }, 300_000);

  afterAll(async () => {
    await database?.drop();
    await broker.stop();
    removeBuild();
  }, 120_000);

  it(
    'every order has exactly one outcome, nothing is dead-lettered, the books balance',
    async () => {
      const result = await runScenario({
        name: 'broker-restart',
        brokers: broker.brokers,
        databaseUrl: database.url,
        faults: [
          { name: 'broker graceful restart', atFraction: 0.3, inject: async () => void (await broker.restart()) },
          { name: 'broker SIGKILL + start', atFraction: 0.6, inject: async () => void (await broker.restart({ hard: true, downMs: 3000 })) },
        ],
      });
      expect(result.faults).toHaveLength(2);
      // The service rode the outages out in one process: it never crashed or exited.
      expect(result.serviceRuns).toHaveLength(1);
      expect(result.serviceRuns[0]!.exit).toEqual({ code: 0, signal: null });
      expect(result.violations).toEqual({});
    },
    scenarioTimeoutMs(),
  );
});
