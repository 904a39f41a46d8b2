import type { z } from 'zod';
import type { InboundEventType } from '../../src/contracts';
import type { EventContext } from '../../src/transaction-context';
import type { EventRejectedError } from '../../src/errors';

/**
 * One inbound event type. `handle` runs inside the event's transaction and
 * returns a short outcome word for logs and metrics; it throws
 * EventRejectedError for an event that can never succeed.
 */
export interface EventHandler<S extends z.ZodType = z.ZodType, T extends string = string> {
  eventType: T;
  payload: S;
  handle(ctx: EventContext, payload: z.infer<S>): Promise<string>;
  /**
   * Optional: applies a run of consecutive events of this type in one go, with
   * exactly the effect of handling them one by one in order, but with a few
   * statements for the whole run instead of a few per event. Returns each
   * event's outcome, or the EventRejectedError that refuses it; a refused
   * event must have written nothing.
   */
  handleMany?(events: readonly HandlerInput<z.infer<S>>[]): Promise<(string | EventRejectedError)[]>;
}

export interface HandlerInput<P> {
  ctx: EventContext;
  payload: P;
}

export function defineHandler<S extends z.ZodType, const T extends InboundEventType>(handler: EventHandler<S, T>): EventHandler<S, T> {
  return handler;
}
