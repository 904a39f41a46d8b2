import { checkRoom, type LocationCapacity, type UnitMeasures } from './capacity';
import { checkTransfer, type StockLevel } from './stock-operations';

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

export type TransferRejection = 'SAME_LOCATION' | 'DIFFERENT_WAREHOUSE' | 'INSUFFICIENT_UNRESERVED_STOCK' | 'NO_PUTAWAY_CAPACITY';

/** locationId: the end of the transfer the refusal is about (the destination when it has no room). */
export type TransferDecision = { ok: true } | { ok: false; reason: TransferRejection; locationId: number; message: string };

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
    return { ok: false, reason: 'SAME_LOCATION', locationId: from.locationId, message: `from and to are both location ${from.locationId}` };
  }
  if (from.warehouseId !== to.warehouseId) {
    return {
      ok: false,
      reason: 'DIFFERENT_WAREHOUSE',
      locationId: to.locationId,
      message: `location ${from.locationId} is in warehouse ${from.warehouseId}, location ${to.locationId} in warehouse ${to.warehouseId}`,
    };
  }
  const stock = checkTransfer(from.stock, quantity);
  if (!stock.ok) return { ok: false, reason: stock.reason, locationId: from.locationId, message: stock.message };
  const room = checkRoom(to, product, quantity);
  if (!room.ok) return { ok: false, reason: room.reason, locationId: to.locationId, message: room.detail };
  return { ok: true };
}
