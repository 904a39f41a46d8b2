import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs. Credentials never reach a log line: the connection string and
 * SASL password, API tokens and Authorization headers are redacted wherever they appear in a logged object, and
 * `redactUrl` masks the password inside a URL that is logged as text.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  // destination: tests capture the output (the redaction test); otherwise stdout.
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'inventory-service' },
    redact: {
      paths: [
        'DATABASE_URL',
        'KAFKA_SASL_PASSWORD',
        '*.DATABASE_URL',
        '*.KAFKA_SASL_PASSWORD',
        'password',
        '*.password',
        '*.*.password',
        'connectionString',
        '*.connectionString',
        'databaseUrl',
        '*.databaseUrl',
        // Query API bearer tokens: the configured list and any request headers that get logged.
        'API_TOKENS',
        '*.API_TOKENS',
        'authorization',
        'headers.authorization',
        '*.headers.authorization',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:[redacted]@');
}
