import type { ReservationLine } from './reservation-draw-down';

/**
 * Holds that expire (contract v2): an order placed with holdUntil reserves as
 * usual, but the reservation is released at that instant unless the order is
 * confirmed, shipped or cancelled first. These are the decisions; the caller
 * has locked the hold row (the order's lock, shared by the order's own events
 * and the expiry sweeper), so each decision sees the hold as it is.
 */

/** The database enum hold_status. HELD is the only state that can still expire. */
export type HoldStatus = 'HELD' | 'CONFIRMED' | 'SHIPPED' | 'CANCELLED' | 'EXPIRED';

export interface Hold {
  orderId: string;
  holdUntil: Date;
  status: HoldStatus;
}

/** Dead-letter code of an order event that arrives after its hold was released by the expiry. */
export const HOLD_EXPIRED = 'HOLD_EXPIRED';

export type HoldRefusal = { refused: true; code: typeof HOLD_EXPIRED; detail: string };

function expired(hold: Hold, what: string): HoldRefusal {
  return {
    refused: true,
    code: HOLD_EXPIRED,
    detail: `order ${hold.orderId}: ${what}: its hold expired at ${hold.holdUntil.toISOString()} and its reservation was released`,
  };
}

/**
 * OrderConfirmed. No hold (an order placed without holdUntil, or an order we
 * never reserved) and a hold that is already firm change nothing, as the
 * contract says; a cancelled order stays cancelled (confirming it cannot bring
 * the stock back). Only an expired hold is refused, so the order service learns
 * that the stock is gone.
 */
export type ConfirmationDecision =
  { refused: false; confirm: boolean; outcome: 'CONFIRMED' | 'NOT_ON_HOLD' | 'ALREADY_FIRM' | 'ORDER_CANCELLED' } | HoldRefusal;

export function decideConfirmation(hold: Hold | null): ConfirmationDecision {
  if (!hold) return { refused: false, confirm: false, outcome: 'NOT_ON_HOLD' };
  switch (hold.status) {
    case 'HELD':
      return { refused: false, confirm: true, outcome: 'CONFIRMED' };
    case 'CONFIRMED':
    case 'SHIPPED':
      return { refused: false, confirm: false, outcome: 'ALREADY_FIRM' };
    case 'CANCELLED':
      return { refused: false, confirm: false, outcome: 'ORDER_CANCELLED' };
    case 'EXPIRED':
      return expired(hold, 'cannot confirm');
  }
}

/**
 * OrderShipped, before the shipment is planned. A shipment ends a hold that is
 * still HELD, whether it ships the whole order or part of it: goods leaving
 * the dock mean the order is being fulfilled, and releasing the rest behind
 * the pickers' backs would short the shipment. An expired hold is refused with
 * its own code (instead of v1's NOTHING_RESERVED). Anything else is shipped
 * (or refused) exactly as in v1.
 */
export type ShipmentHoldDecision = { refused: false; endHold: boolean } | HoldRefusal;

export function decideShipmentHold(hold: Hold | null): ShipmentHoldDecision {
  if (hold?.status === 'EXPIRED') return expired(hold, 'cannot ship');
  return { refused: false, endHold: hold?.status === 'HELD' };
}

/**
 * OrderCancelled releases as in v1; a HELD hold ends as CANCELLED. An expired
 * hold has nothing left to release and stays EXPIRED (v1's NOTHING_TO_RELEASE).
 */
export function endsHoldOnCancel(hold: Hold | null): boolean {
  return hold?.status === 'HELD';
}

/**
 * What the expiry of a due hold publishes, given what its order still holds
 * (planRelease of its open reservation rows): StockReleased with reason
 * EXPIRED and ReservationExpired, with the same lines. expiredAt is the
 * deadline, not the moment the sweeper got to it (that is the envelope's
 * occurredAt): a replay of the same expiry says the same thing.
 */
export function expiryEvents(hold: Hold, released: readonly ReservationLine[]) {
  const lines = released.map((l) => ({ productId: l.productId, sku: l.sku, quantity: l.quantity }));
  return {
    stockReleased: { orderId: hold.orderId, lines, reason: 'EXPIRED' as const },
    reservationExpired: { orderId: hold.orderId, expiredAt: hold.holdUntil.toISOString(), lines },
  };
}
