import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Where the test suite finds PostgreSQL and Kafka, in this order:
 * 1. DATABASE_URL / KAFKA_BROKERS when set (CI pipelines, a developer's own stack);
 * 2. containers through testcontainers when a Docker engine answers (laptops);
 * 3. otherwise the machine's local PostgreSQL and the project's own broker,
 *    started from Maven Central's jars by scripts/kafka-start.sh.
 */
export interface TestServices {
  databaseUrl: string;
  kafkaBrokers: string;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');
export const LOCAL_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/inventory_test';

export function dockerAnswers(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

export async function startTestServices(): Promise<TestServices> {
  const stops: (() => Promise<unknown>)[] = [];
  const useDocker = (!process.env.DATABASE_URL || !process.env.KAFKA_BROKERS) && dockerAnswers();

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl && useDocker) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const pg = await new PostgreSqlContainer('postgres:16-alpine').start();
    stops.push(() => pg.stop());
    databaseUrl = pg.getConnectionUri();
  }
  databaseUrl ??= LOCAL_DATABASE_URL;

  let kafkaBrokers = process.env.KAFKA_BROKERS;
  if (!kafkaBrokers && useDocker) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const kafka = await new KafkaContainer('confluentinc/cp-kafka:8.0.0').withExposedPorts(9093).start();
    stops.push(() => kafka.stop());
    kafkaBrokers = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
  }
  if (!kafkaBrokers) {
    // Harmless when the broker already runs; left running for the next test run.
    execFileSync('bash', [join(ROOT, 'scripts', 'kafka-start.sh')], { stdio: 'inherit' });
    kafkaBrokers = `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
  }
  return { databaseUrl, kafkaBrokers, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}
