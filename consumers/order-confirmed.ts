import { orderConfirmedPayload } from '../src/contracts';
import { decideConfirmation } from '../src/domain/holds';
import { EventRejectedError } from '../src/errors';
import { endHolds, lockHold } from '../src/db/holds';
import { defineHandler } from './pipeline/handler';

/**
 * OrderConfirmed (contract v2): the order's hold becomes firm, so the expiry
 * sweeper no longer releases it. It locks the hold row the sweeper locks: a
 * confirmation and an expiry in the same instant are applied one after the
 * other, never both. Nothing is published; a hold that already expired is
 * dead-lettered HOLD_EXPIRED so the order service learns the stock is gone.
 */
export const orderConfirmed = defineHandler({
  eventType: 'OrderConfirmed',
  payload: orderConfirmedPayload,
  async handle(ctx, { orderId }) {
    const decision = decideConfirmation(await lockHold(ctx.tx, orderId));
    if (decision.refused) throw new EventRejectedError(decision.code, decision.detail);
    if (decision.confirm) await endHolds(ctx.tx, [orderId], 'CONFIRMED', ctx.now);
    return decision.outcome;
  },
});
