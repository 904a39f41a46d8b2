/**
 * One error tree with stable codes, each saying whether a retry can help, so the
 * runner decides between "retry" and "dead-letter" by looking at a property.
 */
export class InventoryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly canRetry: boolean,
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

// SQLSTATEs that mean "try again": serialization failure, deadlock, lock timeout,
// connection problems, the server shutting down or starting up, too many clients.
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300', '53400', '08000', '08001', '08003', '08004', '08006', '08007']);
// Prisma's own codes: cannot reach / timed out / connection closed / write conflict or deadlock / transaction API failure (e.g. expired).
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034', 'P2028']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// Kinds of @prisma/adapter-pg's mapped errors (DriverAdapterError.cause.kind).
const TRANSIENT_ADAPTER_KINDS = new Set(['TransactionWriteConflict', 'DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
// kafkajs errors that say "the broker or the cluster is away for now" though kafkajs marks them non-retriable:
// its own retries ran out, a lock or request timed out, no coordinator (the broker restarting).
const TRANSIENT_KAFKAJS_NAMES = new Set(['KafkaJSTimeout', 'KafkaJSLockTimeout', 'KafkaJSGroupCoordinatorNotFound', 'KafkaJSNoBrokerAvailableError', 'KafkaJSBrokerNotFound', 'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);
const TRANSIENT_MESSAGES = /Connection terminated|connection (is )?(closed|lost)|terminating connection|server closed the connection|Client has encountered a connection error|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|Transaction already closed|Transaction not found|Unable to start a transaction/i;

/**
 * True when the error is a passing fault of the database or the network. Walks
 * the cause chain: Prisma's driver adapters wrap the pg error (which carries the
 * SQLSTATE) in one or two layers.
 */
export function isTransientError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    if (e instanceof InventoryError) return e.canRetry;
    if (isKafkaJsError(e)) {
      // A broker outage while dead-lettering (the DLQ producer) or committing: kafkajs marks what a
      // retry can cure (its protocol errors carry the broker's own flag). KafkaJSNumberOfRetriesExceeded
      // is not retriable itself but wraps the last error: the walk goes on to its cause.
      if (e.retriable || TRANSIENT_KAFKAJS_NAMES.has(e.name)) return true;
    }
    const any = e as { code?: unknown; message?: unknown; cause?: unknown; meta?: { code?: unknown; driverAdapterError?: unknown }; originalCode?: unknown; kind?: unknown };
    if (typeof any.kind === 'string' && TRANSIENT_ADAPTER_KINDS.has(any.kind)) return true;
    for (const code of [any.code, any.originalCode, any.meta?.code]) {
      if (typeof code === 'string' && (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_PRISMA_CODES.has(code) || TRANSIENT_NODE_CODES.has(code))) return true;
    }
    if (typeof any.message === 'string' && TRANSIENT_MESSAGES.test(any.message)) return true;
    e = any.cause ?? any.meta?.driverAdapterError;
  }
  return false;
}

// Kinds of @prisma/adapter-pg's mapped errors that are data or integrity errors.
const DATA_ADAPTER_KINDS = new Set(['UniqueConstraintViolation', 'NullConstraintViolation', 'ForeignKeyConstraintViolation', 'InvalidInputValue', 'LengthMismatch', 'ValueOutOfRange']);

/** kafkajs's error tree (KafkaJSError and its subclasses), recognised by shape: this module does not depend on kafkajs. */
function isKafkaJsError(e: unknown): e is Error & { retriable: boolean } {
  return e instanceof Error && e.name.startsWith('KafkaJS') && typeof (e as { retriable?: unknown }).retriable === 'boolean';
}

/**
 * True when the database refused the data itself (SQLSTATE class 22, data
 * exception, or 23, integrity constraint violation): the same event will fail
 * the same way every time, unlike a transient fault.
 */
export function isDataError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    const any = e as { code?: unknown; originalCode?: unknown; kind?: unknown; cause?: unknown; meta?: { code?: unknown; driverAdapterError?: unknown } };
    if (typeof any.kind === 'string' && DATA_ADAPTER_KINDS.has(any.kind)) return true;
    for (const code of [any.code, any.originalCode, any.meta?.code]) if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return true;
    e = any.cause ?? any.meta?.driverAdapterError;
  }
  return false;
}

/**
 * True when Prisma closed the interactive transaction because it ran past its
 * timeout: transient for a small run, but a run that is too big or waits too
 * long for locks would time out on every retry, so the caller splits it.
 */
export function isTransactionTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    const any = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (any.code === 'P2028' || (typeof any.message === 'string' && /Transaction (already closed|not found)|expired|timeout/i.test(any.message) && /transaction/i.test(any.message))) return true;
    e = any.cause;
  }
  return false;
}
