import type { Tx } from './types';

/**
 * The savepoint around one inbound event applied among others in a run's
 * transaction (consumers/pipeline/apply-events.ts): a refused event rolls back
 * to it and so undoes only its own writes. One fixed name will do: the
 * events of a run are applied one after the other. $executeRawUnsafe because a
 * savepoint name is an identifier, which cannot be a bind parameter; the name
 * is this constant, never input.
 */
const EVENT_SAVEPOINT = 'inbound_event';

export async function beginEventSavepoint(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`SAVEPOINT ${EVENT_SAVEPOINT}`);
}

export async function releaseEventSavepoint(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`RELEASE SAVEPOINT ${EVENT_SAVEPOINT}`);
}

export async function rollbackToEventSavepoint(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${EVENT_SAVEPOINT}`);
}
