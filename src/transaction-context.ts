import type { Tx } from './db/types';
import type { OutboundEvent } from './db/outbox';
import type { Logger } from './logger';

/** Settings handlers need from the configuration. */
export interface HandlerSettings {
  receiptOverTolerancePercent: number;
}

/**
 * Everything a piece of work inside one database transaction may use: the
 * transaction, the identity of what caused it, and the outbox. The consumers'
 * handlers get one per inbound event; the replenishment trigger takes one too,
 * which is why it lives below both (src/, not consumers/).
 */
export interface EventContext {
  tx: Tx;
  eventId: string;
  eventType: string;
  correlationId: string | null;
  now: Date;
  settings: HandlerSettings;
  log: Logger;
  /** Queue an outbound event; it is written to the outbox in the same transaction. */
  emit(event: OutboundEvent): void;
}
