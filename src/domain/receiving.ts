import { mergeLinesBy, requestedProductKey } from './order-lines';
import { statusAfterReceipt, type PurchaseOrderStatus } from './purchase-order-status';

/** One PO line; a PO has at most one line per product. */
export interface PurchaseOrderLine {
  productId: number;
  ordered: number;
  received: number;
}

export interface PurchaseOrderForReceipt {
  status: PurchaseOrderStatus;
  lines: readonly PurchaseOrderLine[];
}

/**
 * A GoodsReceived line after the caller resolved its product: productId is
 * the product's id; for a product that does not exist, the id the sender
 * named, or null with the sku it named (either way it is not on the PO).
 */
export interface ResolvedReceiptLine {
  productId: number | null;
  sku?: string | null;
  quantity: number;
}

export interface ReceivedLine extends PurchaseOrderLine {
  /** Units this receipt adds; 0 for PO lines it does not touch. */
  receivedNow: number;
}

export type ReceiptRejection = 'INVALID_PO_STATUS' | 'PRODUCT_NOT_ON_PO' | 'OVER_RECEIPT';

export type ReceiptCheck =
  | { ok: true; lines: ReceivedLine[]; poStatus: 'PARTIAL' | 'RECEIVED'; previousStatus: PurchaseOrderStatus; statusChanged: boolean }
  | { ok: false; reason: ReceiptRejection; detail: string };

const RECEIVABLE: ReadonlySet<PurchaseOrderStatus> = new Set(['CONFIRMED', 'PARTIAL']);

/**
 * Most units a PO line may still take: what is open plus the tolerance, in
 * whole units. The slack stops float error from flooring an exact product
 * (10000 * 0.57 / 100) one unit short.
 */
export function receivableQuantity(line: PurchaseOrderLine, tolerancePercent: number): number {
  const tolerance = Math.floor((line.ordered * tolerancePercent) / 100 + 1e-9);
  return Math.max(0, line.ordered - line.received + tolerance);
}

/**
 * Decides a GoodsReceived against its PO. Receipt lines are merged per
 * product first, so splitting one delivery over several lines (e.g. to two
 * locations) cannot dodge the over-receipt limit. Checks run in the
 * contract's order, each over all lines before the next: status, then
 * products on the PO, then quantities; the first failure rejects the whole
 * receipt. UNKNOWN_PO is the caller's (no PO row) and NO_PUTAWAY_CAPACITY
 * comes later, from put-away.
 */
export function checkReceipt(po: PurchaseOrderForReceipt, receiptLines: readonly ResolvedReceiptLine[], tolerancePercent: number): ReceiptCheck {
  if (!RECEIVABLE.has(po.status)) {
    return { ok: false, reason: 'INVALID_PO_STATUS', detail: `purchase order is ${po.status}; goods are received only when CONFIRMED or PARTIAL` };
  }
  const merged = mergeLinesBy(receiptLines, requestedProductKey);
  const pairs = merged.map((line) => ({ line, poLine: po.lines.find((l) => l.productId === line.productId) }));

  const stranger = pairs.find((pair) => !pair.poLine)?.line;
  if (stranger) {
    const named = stranger.productId !== null ? `product ${stranger.productId}` : `sku ${stranger.sku}`;
    return { ok: false, reason: 'PRODUCT_NOT_ON_PO', detail: `${named} is not on the purchase order` };
  }
  for (const { line, poLine } of pairs) {
    if (!poLine) continue; // cannot happen after the check above; narrows the type
    const limit = receivableQuantity(poLine, tolerancePercent);
    if (line.quantity > limit) {
      const detail =
        `product ${poLine.productId}: receiving ${line.quantity} exceeds the ${limit} still receivable ` +
        `(ordered ${poLine.ordered}, already received ${poLine.received}, tolerance ${tolerancePercent}%)`;
      return { ok: false, reason: 'OVER_RECEIPT', detail };
    }
  }

  const lines = po.lines.map((poLine) => {
    const receivedNow = merged.find((line) => line.productId === poLine.productId)?.quantity ?? 0;
    return { ...poLine, received: poLine.received + receivedNow, receivedNow };
  });
  const poStatus = statusAfterReceipt(lines);
  return { ok: true, lines, poStatus, previousStatus: po.status, statusChanged: poStatus !== po.status };
}
