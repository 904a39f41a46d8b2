import { inboundEvents, type InboundTopic } from '../src/contracts';
import type { EventHandler } from './handler';
import { orderPlaced } from './order-placed';

/** Every inbound event type the service applies: one handler file each. */
export const handlers: readonly EventHandler[] = [orderPlaced];

/** eventType -> handler, per topic: where each type must arrive is the contract's (inboundEvents). */
export function handlersByTopic(list: readonly EventHandler[] = handlers): Map<InboundTopic, Map<string, EventHandler>> {
  const byTopic = new Map<InboundTopic, Map<string, EventHandler>>();
  for (const handler of list) {
    const topic = inboundEvents[handler.eventType as keyof typeof inboundEvents].topic;
    const byType = byTopic.get(topic) ?? new Map<string, EventHandler>();
    byType.set(handler.eventType, handler);
    byTopic.set(topic, byType);
  }
  return byTopic;
}
