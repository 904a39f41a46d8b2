/**
 * The three stock operations of the warehouse floor (StockAdjusted,
 * StockCounted, StockTransferred): what each may do to an inventory row.
 */
import { checkRoom, type LocationCapacity, type UnitMeasures } from './capacity';

/** What a stock operation needs to know about one inventory row. */
export interface StockLevel {
  onHand: number;
  reserved: number;
}

/**
 * Every reason a stock operation is refused, as StockAdjustmentRejected.reason
 * carries it: stable codes for machines (the human detail goes to the log).
 */
export const STOCK_OPERATION_REJECTIONS = [
  'BELOW_ZERO',
  'BELOW_RESERVED',
  'ABOVE_MAXIMUM',
  'SAME_LOCATION',
  'DIFFERENT_WAREHOUSE',
  'INSUFFICIENT_UNRESERVED_STOCK',
  'NO_PUTAWAY_CAPACITY',
  'UNKNOWN_PRODUCT',
  'UNKNOWN_LOCATION',
] as const;
export type StockOperationRejection = (typeof STOCK_OPERATION_REJECTIONS)[number];

export type StockRejection = Extract<StockOperationRejection, 'BELOW_ZERO' | 'BELOW_RESERVED' | 'ABOVE_MAXIMUM'>;

/** The largest quantity one inventory row can hold (PostgreSQL integer). */
export const MAX_ON_HAND = 2_147_483_647;

export type AdjustmentCheck = { ok: true; onHand: number } | { ok: false; reason: StockRejection; detail: string };

export type CountCheck = { ok: true; delta: number; onHand: number } | { ok: false; reason: StockRejection; detail: string };

export type TransferCheck = { ok: true; fromOnHand: number } | { ok: false; reason: 'INSUFFICIENT_UNRESERVED_STOCK'; detail: string };

/**
 * A manual StockAdjusted. Reserved units are promised to orders, so on-hand
 * may not drop below them: an adjustment that would is refused (the operator
 * must cancel or reallocate those orders first) rather than silently
 * breaking reservations. Zero is checked first as the more basic error.
 */
export function checkAdjustment(level: StockLevel, delta: number): AdjustmentCheck {
  const onHand = level.onHand + delta;
  if (onHand < 0) {
    return { ok: false, reason: 'BELOW_ZERO', detail: `adjusting ${level.onHand} on hand by ${delta} would leave ${onHand}, below zero` };
  }
  if (onHand < level.reserved) {
    return {
      ok: false,
      reason: 'BELOW_RESERVED',
      detail: `adjusting ${level.onHand} on hand by ${delta} would leave ${onHand}, below the ${level.reserved} reserved`,
    };
  }
  // Refused here rather than failing in the database on every redelivery.
  if (onHand > MAX_ON_HAND) return { ok: false, reason: 'ABOVE_MAXIMUM', detail: `adjusting ${level.onHand} on hand by ${delta} would exceed ${MAX_ON_HAND}` };
  return { ok: true, onHand };
}

/**
 * A cycle count states what is physically there; it is booked as an
 * adjustment by the difference (0 when the count confirms the books). A count below what is
 * reserved is refused for the same reason as an adjustment: it would break
 * reservations; it most likely means a recount is due.
 */
export function checkCount(level: StockLevel, counted: number): CountCheck {
  if (counted < 0) return { ok: false, reason: 'BELOW_ZERO', detail: `counted quantity ${counted} is below zero` };
  if (counted < level.reserved) {
    return { ok: false, reason: 'BELOW_RESERVED', detail: `counted ${counted}, below the ${level.reserved} reserved` };
  }
  return { ok: true, delta: counted - level.onHand, onHand: counted };
}

/**
 * Only unreserved units may move: reservations point at this location, and
 * moving their units away would leave pickers at an empty bin. Room at the
 * destination is checked separately (capacity.checkRoom).
 */
export function checkTransfer(from: StockLevel, quantity: number): TransferCheck {
  const unreserved = from.onHand - from.reserved;
  if (quantity > unreserved) {
    return {
      ok: false,
      reason: 'INSUFFICIENT_UNRESERVED_STOCK',
      detail: `cannot move ${quantity}: only ${Math.max(0, unreserved)} of ${from.onHand} on hand are unreserved`,
    };
  }
  return { ok: true, fromOnHand: from.onHand - quantity };
}

/** ADJUST ledger rows carry at most this many characters of the operator's reason (reference_id is VARCHAR(64)). */
export const MAX_REFERENCE_LENGTH = 64;

/**
 * The ledger reference of a StockAdjusted: the operator's reason ("DAMAGED",
 * "found behind rack"), because it is recorded nowhere else, while the eventId
 * already has its own column. Cut by code points so an emoji is never split
 * into half a surrogate pair; a blank reason falls back to the eventId.
 */
export function adjustmentReference(reason: string, eventId: string): string {
  const trimmed = reason.trim();
  return trimmed ? Array.from(trimmed).slice(0, MAX_REFERENCE_LENGTH).join('') : eventId;
}

export interface TransferRequest {
  product: UnitMeasures;
  quantity: number;
  from: { locationId: number; warehouseId: number; stock: StockLevel };
  to: LocationCapacity & { warehouseId: number };
}

export type TransferRejection = Extract<
  StockOperationRejection,
  'SAME_LOCATION' | 'DIFFERENT_WAREHOUSE' | 'INSUFFICIENT_UNRESERVED_STOCK' | 'NO_PUTAWAY_CAPACITY'
>;

/** locationId: the end of the transfer the refusal is about (the destination when it has no room). */
export type TransferDecision = { ok: true } | { ok: false; reason: TransferRejection; locationId: number; detail: string };

/**
 * Whether a StockTransferred may move its units. A move between warehouses is
 * refused rather than booked: it is a shipment and a receipt (stock in
 * transit, two availability figures), not a move within one building. Then
 * only unreserved units may leave (checkTransfer), and the destination must
 * hold all of them, as for a put-away to a named location (checkRoom).
 */
export function decideTransfer(request: TransferRequest): TransferDecision {
  const { from, to, product, quantity } = request;
  if (from.locationId === to.locationId) {
    return { ok: false, reason: 'SAME_LOCATION', locationId: from.locationId, detail: `from and to are both location ${from.locationId}` };
  }
  if (from.warehouseId !== to.warehouseId) {
    return {
      ok: false,
      reason: 'DIFFERENT_WAREHOUSE',
      locationId: to.locationId,
      detail: `location ${from.locationId} is in warehouse ${from.warehouseId}, location ${to.locationId} in warehouse ${to.warehouseId}`,
    };
  }
  const stock = checkTransfer(from.stock, quantity);
  if (!stock.ok) return { ok: false, reason: stock.reason, locationId: from.locationId, detail: stock.detail };
  const room = checkRoom(to, product, quantity);
  if (!room.ok) return { ok: false, reason: room.reason, locationId: to.locationId, detail: room.detail };
  return { ok: true };
}
