import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../src/config';
import { createKafka, kafkaSecurityWarnings, saslOptions, sslOptions } from '../../../src/kafka';
import { createLogger, redactUrl } from '../../../src/logger';
import { ConfigError } from '../../../src/errors';

const base = { DATABASE_URL: 'postgresql://inventory:s3cret-pw@db.internal:5432/inventory' };

describe('Kafka security settings -> kafkajs options', () => {
  it('plaintext by default: no ssl, no sasl', () => {
    const config = loadConfig(base);
    expect(sslOptions(config)).toBeUndefined();
    expect(saslOptions(config)).toBeUndefined();
  });

  it('KAFKA_SSL=true verifies the broker certificate unless told otherwise, and reads the CA bundle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(sslOptions(loadConfig({ ...base, KAFKA_SSL: 'true' }))).toEqual({ rejectUnauthorized: true });
    expect(sslOptions(loadConfig({ ...base, KAFKA_SSL: '1', KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }))).toEqual({
      rejectUnauthorized: false,
      ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('SASL %s maps mechanism, username and password', (mechanism) => {
    const config = loadConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'kafka-pw' });
    expect(saslOptions(config)).toEqual({ mechanism, username: 'svc', password: 'kafka-pw' });
  });
});

describe('bad security configuration is refused at startup', () => {
  const refused: [string, Record<string, string>, RegExp][] = [
    ['an unknown SASL mechanism', { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_MECHANISM/],
    ['a mechanism without password', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, /needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/],
    ['credentials without a mechanism', { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /need KAFKA_SASL_MECHANISM/],
    ['a non-boolean KAFKA_SSL', { KAFKA_SSL: 'yes' }, /KAFKA_SSL/],
    ['a CA file without TLS', { KAFKA_SSL_CA_FILE: '/etc/hostname' }, /KAFKA_SSL_CA_FILE needs KAFKA_SSL=true/],
    ['a CA file that does not exist', { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }, /no such file/],
    ['a DATABASE_URL that is not postgresql://', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    ['an HTTP_PORT out of range', { HTTP_PORT: '70000' }, /HTTP_PORT/],
  ];
  it.each(refused)('%s', (_what, env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });

  it('the refusal does not echo the password', () => {
    try {
      loadConfig({ ...base, KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'kafka-pw' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as Error).message).not.toContain('kafka-pw');
      expect((error as Error).message).not.toContain('s3cret-pw');
    }
  });

  it('HTTP_HOST is configurable (default all interfaces)', () => {
    expect(loadConfig(base).HTTP_HOST).toBe('0.0.0.0');
    expect(loadConfig({ ...base, HTTP_HOST: '127.0.0.1' }).HTTP_HOST).toBe('127.0.0.1');
  });
});

describe('credentials never reach the logs', () => {
  function capture(): { logger: ReturnType<typeof createLogger>; text: () => string } {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    return { logger: createLogger('info', sink), text: () => chunks.join('') };
  }

  it('redacts DATABASE_URL, passwords and connection strings in logged objects', () => {
    const { logger, text } = capture();
    const config = loadConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'kafka-pw' });
    logger.info({ DATABASE_URL: config.DATABASE_URL, password: 'hunter2' }, 'top level');
    logger.info({ config }, 'whole config');
    logger.info({ relay: { databaseUrl: config.DATABASE_URL }, pool: { connectionString: config.DATABASE_URL } }, 'nested');
    logger.info({ kafka: { sasl: { mechanism: 'plain', username: 'svc', password: 'kafka-pw' } } }, 'deeper');
    logger.info({ database: redactUrl(config.DATABASE_URL) }, 'url as text');
    const out = text();
    expect(out.split('\n').filter(Boolean)).toHaveLength(5);
    expect(out).not.toContain('s3cret-pw');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('kafka-pw');
    expect(out).toContain('[redacted]');
    expect(out).toContain('postgresql://inventory:[redacted]@db.internal:5432/inventory');
  });
});

describe('SASL without TLS and unchecked certificates', () => {
  const sasl = (mechanism: string) => ({ ...base, KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'kafka-pw' });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])(
    'SASL %s without KAFKA_SSL is refused at startup (the password or its exchange would cross the network in clear)',
    (mechanism) => {
      expect(() => loadConfig(sasl(mechanism))).toThrow(ConfigError);
      expect(() => loadConfig(sasl(mechanism))).toThrow(/KAFKA_SASL_MECHANISM without KAFKA_SSL=true.*KAFKA_SASL_ALLOW_PLAINTEXT=true/);
      expect(() => loadConfig({ ...sasl(mechanism), KAFKA_SASL_ALLOW_PLAINTEXT: 'false' })).toThrow(ConfigError);
    },
  );

  it('KAFKA_SASL_ALLOW_PLAINTEXT=true lets it start (a laptop or a trusted network), with a warning', () => {
    const config = loadConfig({ ...sasl('plain'), KAFKA_SASL_ALLOW_PLAINTEXT: 'true' });
    expect(saslOptions(config)).toEqual({ mechanism: 'plain', username: 'svc', password: 'kafka-pw' });
    expect(kafkaSecurityWarnings(config)).toEqual([expect.stringContaining('without TLS')]);
  });

  it('SASL over TLS with verified certificates gives no warning; certificate checks turned off do', () => {
    expect(kafkaSecurityWarnings(loadConfig({ ...sasl('scram-sha-512'), KAFKA_SSL: 'true' }))).toEqual([]);
    expect(kafkaSecurityWarnings(loadConfig(base))).toEqual([]);
    expect(kafkaSecurityWarnings(loadConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }))).toEqual([
      expect.stringContaining('KAFKA_SSL_REJECT_UNAUTHORIZED=false'),
    ]);
  });

  it('createKafka logs each warning once, without the password', () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    createKafka(loadConfig({ ...sasl('plain'), KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }), createLogger('info', sink));
    const lines = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('certificate') })]);
    expect(chunks.join('')).not.toContain('kafka-pw');
  });
});
