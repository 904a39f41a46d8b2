import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors';

/**
 * The service's configuration, read once from the environment and refused at
 * startup when anything is wrong: a bad value should stop a deploy, not surface
 * as a strange failure hours later. Every key: variable, default, meaning.
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  /** PostgreSQL connection string (required). */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  /** Database pool size per instance. */
  DATABASE_POOL_SIZE: int(1, 100).default(10),
  /** Comma-separated host:port list. */
  KAFKA_BROKERS: z
    .string()
    .default('localhost:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port')).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).default('inventory-service'),
  KAFKA_GROUP_ID: z.string().min(1).default('inventory-service'),
  /** Prepended to every topic name of the contract. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'only letters, digits, . _ -')
    .default(''),
  /** Create missing contract topics at startup (admin API), with this many partitions and replicas. */
  KAFKA_CREATE_TOPICS: bool.default(true),
  KAFKA_TOPIC_PARTITIONS: int(1, 1000).default(6),
  KAFKA_TOPIC_REPLICATION_FACTOR: int(1, 10).default(1),
  /** TLS to the brokers; KAFKA_SSL_CA_FILE adds a CA bundle (PEM). */
  KAFKA_SSL: bool.default(false),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: bool.default(true),
  /** SASL: plain, scram-sha-256 or scram-sha-512, with username and password. */
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /**
   * SASL without KAFKA_SSL is refused: PLAIN sends the password as is, and SCRAM's
   * exchange can be captured and attacked offline, with every message readable.
   * true accepts that (a laptop, a network the operator trusts).
   */
  KAFKA_SASL_ALLOW_PLAINTEXT: bool.default(false),
  /** Health, readiness and metrics. */
  HTTP_PORT: int(0, 65535).default(8080),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A receipt line may exceed what is open on its PO line by this percentage of the ordered quantity. */
  RECEIPT_OVER_TOLERANCE_PERCENT: z.coerce.number().min(0).max(100).default(0),
  /** Daily replenishment scan: trailing demand window, service level, in-process schedule (off by default). */
  REPLENISH_DEMAND_WINDOW_DAYS: int(1, 365).default(28),
  REPLENISH_SERVICE_LEVEL: z.coerce.number().gt(0.5).lt(1).default(0.95),
  DAILY_SCAN_ENABLED: bool.default(false),
  /** UTC time of day (HH:MM) at which the in-process daily scan runs. */
  DAILY_SCAN_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
    .default('02:00'),
  /** How long a graceful shutdown may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: int(1000, 600000).default(30000),
  /**
   * How long the consumer group waits for a silent member before handing its
   * partitions to the others: after a crash, that instance's partitions pause
   * this long. Shorter recovers faster but risks needless rebalances when a
   * long transaction or a GC pause delays heartbeats.
   */
  KAFKA_SESSION_TIMEOUT_MS: int(6000, 300000).default(30000),
  /** At most this many messages are applied in one database transaction (1 = one transaction per event). */
  CONSUMER_BATCH_MAX_EVENTS: int(1, 5000).default(400),
  /** Partitions one instance works on at once; their runs that are ready together share one transaction per topic. */
  CONSUMER_PARTITIONS_CONCURRENTLY: int(1, 64).default(6),
  /** Transactions of one topic in flight at once per instance (runs that wait for one go together into the next). */
  CONSUMER_TRANSACTIONS_IN_FLIGHT: int(1, 16).default(2),
  /**
   * Inbox rows (processed_event), sent dead letters and published outbox rows
   * older than this many days are pruned. The inbox and the dead letters are
   * what makes a replay skip what was already applied, so they are also kept
   * for as long as the broker keeps the inbound topics (retention.ms; forever
   * if one is -1): set this at least as long as the topics' retention anyway.
   */
  RETENTION_DAYS: int(1, 36500).default(30),
  /** How often each instance runs the pruning (one at a time across instances); 0 turns it off (`npm run cli -- prune` by hand or from cron). */
  RETENTION_PRUNE_INTERVAL_MS: int(0, 604_800_000).default(3_600_000),
  /** Query API (src/api): its own port and host, beside the ops endpoints on HTTP_PORT. */
  API_PORT: int(0, 65535).default(8081),
  API_HOST: z.string().min(1).default('0.0.0.0'),
  /** Comma-separated `name:token:scope` (scope read or write). Empty: every /v1 request is refused (401). */
  API_TOKENS: z.string().default(''),
  /** `disabled` turns token checks off (logged as a warning at startup); for a closed test network only. */
  API_AUTH: z.enum(['tokens', 'disabled']).default('tokens'),
  /** The query API's own database pool, apart from the consumers' (reads cannot starve the write path of connections). */
  API_DATABASE_POOL_SIZE: int(1, 100).default(5),
  /** Requests per token per minute; above it 429 with Retry-After. */
  API_RATE_LIMIT_PER_MINUTE: int(1, 10_000_000).default(6000),
  /** Poll interval of the outbox relay: a fallback, it is woken by every commit of outbox rows on any instance (LISTEN/NOTIFY). */
  OUTBOX_POLL_MS: int(10, 60000).default(200),
  /**
   * How often each instance looks for holds past their holdUntil (contract v2).
   * At most 4000: the contract promises a release within 5 s of the deadline.
   */
  HOLD_SWEEP_INTERVAL_MS: int(10, 4000).default(1000),
  /** Expired holds released per transaction by the sweeper. */
  HOLD_SWEEP_BATCH_SIZE: int(1, 1000).default(100),
  /**
   * Bytes of one relay transaction at most (its messages and their headers).
   * Keep it at or below the broker's and the topics' message.max.bytes (1 MiB
   * by default); a single row larger than this is tried alone and parked if
   * the broker refuses it.
   */
  OUTBOX_BATCH_MAX_BYTES: int(10_000, 100_000_000).default(1_000_000),
  /**
   * A relay leader that goes silent (network partition, paused process) loses
   * the lead after about this long and a stand-by takes over: the database
   * ends its session (idle_session_timeout), its own queries and broker
   * transactions give up sooner. Too short risks needless hand-overs on a slow
   * database or broker.
   */
  OUTBOX_RELAY_SESSION_TIMEOUT_MS: int(2000, 600000).default(30000),
  /**
   * The relay's Kafka transactional id; the same on every instance of one
   * deployment (a new leader fences the old one through it). Default:
   * KAFKA_GROUP_ID + '-outbox-relay'.
   */
  OUTBOX_RELAY_TRANSACTIONAL_ID: z.string().min(1).max(200).optional(),
  /**
   * The outbox relay's own database connection, when DATABASE_URL goes
   * through a pooler in transaction mode (PgBouncer): the relay needs a
   * session of its own (advisory lock, LISTEN). Default: DATABASE_URL.
   */
  OUTBOX_RELAY_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
});

export type Config = z.infer<typeof schema>;

export type ApiScope = 'read' | 'write';
export interface ApiToken {
  name: string;
  token: string;
  scope: ApiScope;
}

const TOKEN_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const TOKEN_VALUE = /^[A-Za-z0-9._~+/=-]{16,256}$/;

/**
 * API_TOKENS as `name:token:scope` entries. A malformed list is refused at
 * startup: a typo must not quietly lock everyone out, or let a token in with a
 * scope nobody meant. The messages name the entry by position and name, never
 * the token itself (they reach logs and terminals).
 */
export function parseApiTokens(list: string): ApiToken[] {
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const tokens = entries.map((entry, i): ApiToken => {
    const parts = entry.split(':');
    const where = `API_TOKENS entry ${i + 1}`;
    if (parts.length !== 3) throw new ConfigError(`invalid configuration: ${where}: must be name:token:scope`);
    const [name, token, scope] = parts as [string, string, string];
    if (!TOKEN_NAME.test(name)) throw new ConfigError(`invalid configuration: ${where}: the name must be 1-64 letters, digits, . _ -`);
    if (!TOKEN_VALUE.test(token))
      throw new ConfigError(`invalid configuration: ${where} (${name}): the token must be 16-256 characters of A-Z a-z 0-9 . _ ~ + / = -`);
    if (scope !== 'read' && scope !== 'write') throw new ConfigError(`invalid configuration: ${where} (${name}): scope must be read or write`);
    return { name, token, scope };
  });
  const names = new Set<string>();
  const values = new Set<string>();
  for (const t of tokens) {
    if (names.has(t.name)) throw new ConfigError(`invalid configuration: API_TOKENS: the name ${t.name} is used twice`);
    if (values.has(t.token)) throw new ConfigError(`invalid configuration: API_TOKENS: ${t.name} reuses another entry's token`);
    names.add(t.name);
    values.add(t.token);
  }
  return tokens;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const config = parsed.data;
  if (config.KAFKA_SASL_MECHANISM && (!config.KAFKA_SASL_USERNAME || !config.KAFKA_SASL_PASSWORD)) {
    throw new ConfigError('invalid configuration: KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  }
  // Settings that would be silently ignored are refused: a deploy that meant to
  // authenticate or verify the broker must not quietly run without it.
  if (!config.KAFKA_SASL_MECHANISM && (config.KAFKA_SASL_USERNAME || config.KAFKA_SASL_PASSWORD)) {
    throw new ConfigError('invalid configuration: KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512)');
  }
  if (config.KAFKA_SASL_MECHANISM && !config.KAFKA_SSL && !config.KAFKA_SASL_ALLOW_PLAINTEXT) {
    throw new ConfigError(
      'invalid configuration: KAFKA_SASL_MECHANISM without KAFKA_SSL=true sends the credentials unencrypted; set KAFKA_SSL=true, or KAFKA_SASL_ALLOW_PLAINTEXT=true on a network you trust',
    );
  }
  if (/[?&]pgbouncer=true(&|$)/.test(config.OUTBOX_RELAY_DATABASE_URL ?? config.DATABASE_URL)) {
    // The relay's leader lock is a session advisory lock and it LISTENs: neither works through a pooler in transaction mode.
    throw new ConfigError(
      'invalid configuration: the database URL says pgbouncer=true; the outbox relay needs a session of its own: set OUTBOX_RELAY_DATABASE_URL to a direct connection (or PgBouncer in session mode), see docs/operations.md',
    );
  }
  if (config.KAFKA_SSL_CA_FILE && !config.KAFKA_SSL) throw new ConfigError('invalid configuration: KAFKA_SSL_CA_FILE needs KAFKA_SSL=true');
  parseApiTokens(config.API_TOKENS);
  if (config.KAFKA_SSL_CA_FILE && !existsSync(config.KAFKA_SSL_CA_FILE))
    throw new ConfigError(`invalid configuration: KAFKA_SSL_CA_FILE: no such file ${config.KAFKA_SSL_CA_FILE}`);
  return config;
}
