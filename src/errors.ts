/**
 * One error tree with stable codes, each saying whether a retry can help, so the
 * runner decides between "retry" and "dead-letter" by looking at a property.
 */
export class InventoryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly canRetry: boolean,
    /** The exit status of a command that fails with it: 2 for a mistake of the caller (usage, configuration, input), else 1. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The event can never succeed (it references state that does not exist and never will): dead-letter it. */
export class EventRejectedError extends InventoryError {
  constructor(code: string, message: string) {
    super(code, message, false);
  }
}

/** Bad configuration: the service or the command refuses to start (one line, exit status 2). */
export class ConfigError extends InventoryError {
  constructor(message: string) {
    super('INVALID_CONFIGURATION', message, false, 2);
  }
}

/** A command called the wrong way (unknown option, missing value): one line, exit status 2. */
export class UsageError extends InventoryError {
  constructor(message: string) {
    super('USAGE', message, false, 2);
  }
}

/** A master-data import file that is refused as a whole, with the path of each bad field. */
export class ImportError extends InventoryError {
  constructor(readonly problems: string[]) {
    super('IMPORT_REFUSED', `import refused: ${problems.join('; ')}`, false, 2);
  }
}

/** A replay that would be unsafe (the group has live members) or is impossible: nothing was changed. */
export class ReplayRefusedError extends InventoryError {
  constructor(message: string) {
    super('REPLAY_REFUSED', message, false);
  }
}

/** A contract topic exists with a configuration the service cannot work with: it refuses to start. */
export class TopicConfigurationError extends InventoryError {
  constructor(message: string) {
    super('TOPIC_MISCONFIGURED', message, false);
  }
}

/**
 * Something that must always hold does not (rows the database's constraints
 * should have kept consistent, a decision without the input it needs): a bug
 * or damaged data, never a business outcome. Not retried as transient; the
 * pipeline treats it like any other unexpected error (parked after a few tries).
 */
export class InvariantViolation extends InventoryError {
  constructor(message: string) {
    super('INVARIANT_VIOLATED', message, false);
  }
}

// SQLSTATEs that mean "try again": serialization failure, deadlock, lock timeout,
// connection problems, the server shutting down or starting up, too many clients.
const TRANSIENT_SQLSTATES = new Set([
  '40001',
  '40P01',
  '55P03',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
]);
// Prisma's own codes: cannot reach / timed out / connection closed / write conflict or deadlock / transaction API failure (e.g. expired).
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034', 'P2028']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// Kinds of @prisma/adapter-pg's mapped errors (DriverAdapterError.cause.kind).
const TRANSIENT_ADAPTER_KINDS = new Set(['TransactionWriteConflict', 'DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
// kafkajs errors that say "the broker or the cluster is away for now" though kafkajs marks them non-retriable:
// its own retries ran out, a lock or request timed out, no coordinator (the broker restarting).
const TRANSIENT_KAFKAJS_NAMES = new Set([
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
]);
const TRANSIENT_MESSAGES =
  /Connection terminated|connection (is )?(closed|lost)|terminating connection|server closed the connection|Client has encountered a connection error|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|Transaction already closed|Transaction not found|Unable to start a transaction/i;

/**
 * What kind of failure an error is, for the one decision every caller makes
 * (retry, split, refuse, or treat as a bug):
 * - `timeout`: Prisma closed the interactive transaction past its timeout; a
 *   retry can help a small run, but a run that is too big or waits too long
 *   for locks times out on every retry, so the caller splits it;
 * - `transient`: a passing fault of the database, the network or the broker;
 * - `data`: the database refused the data itself (SQLSTATE class 22, data
 *   exception, or 23, integrity constraint violation): the same event fails
 *   the same way every time;
 * - `unknown`: anything else, a bug until shown otherwise.
 * One walk down the cause chain (Prisma's driver adapters wrap the pg error,
 * which carries the SQLSTATE, in one or two layers); the first kind in that
 * order found anywhere in the chain wins. An InventoryError ends the walk: it
 * says itself whether a retry can help.
 */
export type ErrorKind = 'timeout' | 'transient' | 'data' | 'unknown';

const RANK: Record<ErrorKind, number> = { timeout: 3, transient: 2, data: 1, unknown: 0 };

export function classifyError(error: unknown): ErrorKind {
  let kind: ErrorKind = 'unknown';
  const found = (k: ErrorKind) => {
    if (RANK[k] > RANK[kind]) kind = k;
  };
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    if (e instanceof InventoryError) {
      if (e.canRetry) found('transient');
      break;
    }
    if (isKafkaJsError(e)) {
      // A broker outage while committing offsets or talking to the group: kafkajs marks what a
      // retry can cure (its protocol errors carry the broker's own flag). KafkaJSNumberOfRetriesExceeded
      // is not retriable itself but wraps the last error: the walk goes on to its cause.
      if (e.retriable || TRANSIENT_KAFKAJS_NAMES.has(e.name)) found('transient');
    }
    const any = e as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: { code?: unknown; driverAdapterError?: unknown };
      originalCode?: unknown;
      kind?: unknown;
    };
    const message = typeof any.message === 'string' ? any.message : '';
    if (any.code === 'P2028' || (/Transaction (already closed|not found)|expired|timeout/i.test(message) && /transaction/i.test(message))) found('timeout');
    if (typeof any.kind === 'string' && TRANSIENT_ADAPTER_KINDS.has(any.kind)) found('transient');
    if (typeof any.kind === 'string' && DATA_ADAPTER_KINDS.has(any.kind)) found('data');
    for (const code of [any.code, any.originalCode, any.meta?.code]) {
      if (typeof code !== 'string') continue;
      if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_PRISMA_CODES.has(code) || TRANSIENT_NODE_CODES.has(code)) found('transient');
      if (/^2[23][0-9A-Z]{3}$/.test(code)) found('data');
    }
    if (TRANSIENT_MESSAGES.test(message)) found('transient');
    e = any.cause ?? any.meta?.driverAdapterError;
  }
  return kind;
}

/** A retry can help: a transient fault, or a transaction that timed out (see classifyError). */
export function isTransientError(error: unknown): boolean {
  const kind = classifyError(error);
  return kind === 'transient' || kind === 'timeout';
}

/** The database refused the data itself and nothing says a retry could help (see classifyError). */
export function isDataError(error: unknown): boolean {
  return classifyError(error) === 'data';
}

/** Prisma closed the interactive transaction past its timeout (see classifyError). */
export function isTransactionTimeout(error: unknown): boolean {
  return classifyError(error) === 'timeout';
}

// Kinds of @prisma/adapter-pg's mapped errors that are data or integrity errors.
const DATA_ADAPTER_KINDS = new Set([
  'UniqueConstraintViolation',
  'NullConstraintViolation',
  'ForeignKeyConstraintViolation',
  'InvalidInputValue',
  'LengthMismatch',
  'ValueOutOfRange',
]);

/** kafkajs's error tree (KafkaJSError and its subclasses), recognised by shape: this module does not depend on kafkajs. */
function isKafkaJsError(e: unknown): e is Error & { retriable: boolean } {
  return e instanceof Error && e.name.startsWith('KafkaJS') && typeof (e as { retriable?: unknown }).retriable === 'boolean';
}
