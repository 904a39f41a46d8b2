import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Config } from './config';
import type { Logger } from './logger';

// kafkajs 2 warns on every producer that its default partitioner changed in 2.0;
// we have always used the new one (murmur2, as the Java client), so the warning says nothing.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/** A kafkajs client from the configuration, logging through pino (and warning about weak security settings it was allowed to start with). */
export function createKafka(config: Config, logger: Logger, clientIdSuffix = ''): Kafka {
  for (const warning of kafkaSecurityWarnings(config)) logger.warn({ component: 'kafka' }, warning);
  const kafkaConfig: KafkaConfig = {
    clientId: config.KAFKA_CLIENT_ID + clientIdSuffix,
    brokers: config.KAFKA_BROKERS,
    ssl: sslOptions(config),
    sasl: saslOptions(config),
    // kafkajs retries a request this many times before giving up; the runner and
    // the relay retry forever above it, so a broker restart only delays work.
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }) => {
        const { message, ...extra } = log;
        const child = logger.child({ component: 'kafkajs', namespace });
        if (level <= logLevel.ERROR) child.error(extra, message);
        else if (level === logLevel.WARN) child.warn(extra, message);
        else child.debug(extra, message);
      },
  };
  return new Kafka(kafkaConfig);
}

/** Settings loadConfig accepts but an operator should hear about on every start. */
export function kafkaSecurityWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.KAFKA_SASL_MECHANISM && !config.KAFKA_SSL) {
    warnings.push(`SASL ${config.KAFKA_SASL_MECHANISM} without TLS (KAFKA_SASL_ALLOW_PLAINTEXT=true): credentials and messages cross the network unencrypted`);
  }
  if (config.KAFKA_SSL && !config.KAFKA_SSL_REJECT_UNAUTHORIZED) {
    warnings.push(
      'KAFKA_SSL_REJECT_UNAUTHORIZED=false: the broker certificate is not checked, so anyone on the path can pose as the broker and read the credentials',
    );
  }
  return warnings;
}

export function sslOptions(config: Config): KafkaConfig['ssl'] {
  if (!config.KAFKA_SSL) return undefined;
  return {
    rejectUnauthorized: config.KAFKA_SSL_REJECT_UNAUTHORIZED,
    ...(config.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8')] } : {}),
  };
}

export function saslOptions(config: Config): SASLOptions | undefined {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  if (!mechanism || !username || !password) return undefined;
  return { mechanism, username, password } as SASLOptions;
}
