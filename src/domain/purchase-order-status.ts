/** Every status of a purchase order (the contract's enum and the database's purchase_order_status are this list). */
export const PURCHASE_ORDER_STATUSES = ['DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL', 'RECEIVED', 'CANCELLED'] as const;
export type PurchaseOrderStatus = (typeof PURCHASE_ORDER_STATUSES)[number];

/**
 * Open = goods may still arrive or the order may still be cancelled. The
 * partial unique index purchase_order_one_open_replenishment (migration
 * 20261126190000_init) and the ON CONFLICT clause that relies on it
 * (insertReplenishmentOrder, src/db/replenishment.ts) spell out the same list: SQL index
 * inference needs it literally, so change all three together.
 */
export const OPEN_PURCHASE_ORDER_STATUSES = ['DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL'] as const satisfies readonly PurchaseOrderStatus[];

/** The statuses procurement may set; PARTIAL and RECEIVED come only from receipts. */
export const PROCUREMENT_STATUSES = ['SENT', 'CONFIRMED', 'CANCELLED'] as const satisfies readonly PurchaseOrderStatus[];
export type ProcurementStatus = (typeof PROCUREMENT_STATUSES)[number];

export type StatusTransition =
  | { ok: true; changed: true; status: PurchaseOrderStatus; previousStatus: PurchaseOrderStatus }
  | { ok: true; changed: false; status: PurchaseOrderStatus }
  | { ok: false; reason: 'ILLEGAL_TRANSITION'; detail: string };

const OPEN: ReadonlySet<PurchaseOrderStatus> = new Set(OPEN_PURCHASE_ORDER_STATUSES);

export function isOpen(status: PurchaseOrderStatus): boolean {
  return OPEN.has(status);
}

/**
 * The forward steps procurement drives. Nothing moves backwards, and a
 * closed PO (RECEIVED, CANCELLED) stays closed.
 */
function isLegal(current: PurchaseOrderStatus, requested: ProcurementStatus): boolean {
  switch (requested) {
    case 'SENT':
      return current === 'DRAFT';
    case 'CONFIRMED':
      return current === 'SENT';
    case 'CANCELLED':
      return isOpen(current);
  }
}

/**
 * Applies a PurchaseOrderStatusChanged from procurement.
 *
 * Asking for the status the PO already has is a no-op ({ ok, changed: false })
 * rather than an error: procurement may send the same change twice under two
 * eventIds (its own retry), which the inbox cannot recognise as a duplicate,
 * and a repeat is harmless. The caller writes nothing and publishes nothing.
 * Anything else not in isLegal is a transition that can never succeed, which
 * the contract sends to the dead-letter topic.
 */
export function transitionFromProcurement(current: PurchaseOrderStatus, requested: ProcurementStatus): StatusTransition {
  if (current === requested) return { ok: true, changed: false, status: current };
  if (!isLegal(current, requested)) {
    return { ok: false, reason: 'ILLEGAL_TRANSITION', detail: `purchase order cannot go from ${current} to ${requested}` };
  }
  return { ok: true, changed: true, status: requested, previousStatus: current };
}

/**
 * Status once a receipt is booked: RECEIVED when every line has at least
 * what was ordered (over-receipt within tolerance counts), else PARTIAL.
 * A PO without lines counts as RECEIVED: nothing is left to wait for.
 */
export function statusAfterReceipt(lines: readonly { ordered: number; received: number }[]): 'PARTIAL' | 'RECEIVED' {
  return lines.every((line) => line.received >= line.ordered) ? 'RECEIVED' : 'PARTIAL';
}
