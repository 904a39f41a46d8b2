import { migrate } from '../../src/db/migrate';
import { startTestServices } from './services';
import { TEMPLATE_DATABASE, withDatabase } from './database';

/**
 * Starts (or finds) PostgreSQL and Kafka once for the whole run, and builds a
 * migrated template database; each test file then clones its own database
 * from it (CREATE DATABASE ... TEMPLATE, milliseconds) and its own topics
 * under a random prefix, so test files never see each other's data.
 */
export default async function globalSetup(): Promise<void> {
  const services = await startTestServices();
  (globalThis as { __testServices?: unknown }).__testServices = services;
  process.env.TEST_DATABASE_URL = services.databaseUrl;
  process.env.KAFKA_BROKERS = services.kafkaBrokers;

  // Applies only what is missing (advisory-locked): concurrent runs are safe.
  await migrate(withDatabase(services.databaseUrl, TEMPLATE_DATABASE));
}
