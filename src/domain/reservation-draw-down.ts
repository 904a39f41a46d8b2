import type { RequestedLine } from './types';

/** A reservation row of one order that still holds units (openQuantity > 0). */
export interface OpenReservation {
  reservationId: number;
  productId: number;
  sku: string;
  locationId: number;
  openQuantity: number;
}

/** Units drawn from one reservation row (and so from its location). */
export interface ReservationDraw {
  locationId: number;
  reservationId: number;
  quantity: number;
}

/** One product's share of a shipment or release, with the rows it comes out of. */
export interface ReservationLine {
  productId: number;
  sku: string;
  quantity: number;
  allocations: ReservationDraw[];
}

export type ShipmentRejection = 'NOTHING_RESERVED' | 'EXCEEDS_RESERVED' | 'PRODUCT_NOT_RESERVED';

export type ShipmentPlan = { ok: true; lines: ReservationLine[] } | { ok: false; reason: ShipmentRejection; detail: string };

/**
 * Which reservation rows an OrderShipped draws on. Without requested lines,
 * everything still open ships. With lines (merged per product; a line may
 * name the product by productId or by sku, matched against the reservation
 * itself so the caller need not resolve skus), each product's quantity comes
 * out of its rows lowest reservationId first: rows are created in allocation
 * order, so this ships pick-face stock before bulk without needing location
 * types here, and it is deterministic.
 *
 * The rejections are the contract's "can never succeed" cases, dead-lettered
 * by the caller. An empty lines array ships nothing (the schema forbids it).
 */
export function planShipment(openReservations: readonly OpenReservation[], requestedLines: readonly RequestedLine[] | undefined): ShipmentPlan {
  const byProduct = openRowsByProduct(openReservations);
  if (byProduct.size === 0) return { ok: false, reason: 'NOTHING_RESERVED', detail: 'the order has nothing reserved' };
  if (requestedLines === undefined) return { ok: true, lines: [...byProduct.values()].map(drawEverything) };

  const wanted = new Map<number, { rows: Rows; quantity: number }>();
  for (const line of requestedLines) {
    const rows = rowsNamedBy(line, byProduct);
    if (!rows) {
      const named = line.productId !== undefined ? `product ${line.productId}${line.sku !== undefined ? ` (sku ${line.sku})` : ''}` : `sku ${line.sku}`;
      return { ok: false, reason: 'PRODUCT_NOT_RESERVED', detail: `${named} is not reserved for this order` };
    }
    const sofar = wanted.get(rows[0].productId)?.quantity ?? 0;
    wanted.set(rows[0].productId, { rows, quantity: sofar + line.quantity });
  }

  const lines: ReservationLine[] = [];
  for (const { rows, quantity } of wanted.values()) {
    const open = openTotal(rows);
    if (quantity > open) {
      const detail = `product ${rows[0].productId} (${rows[0].sku}): shipping ${quantity} exceeds the ${open} still reserved`;
      return { ok: false, reason: 'EXCEEDS_RESERVED', detail };
    }
    lines.push(draw(rows, quantity));
  }
  return { ok: true, lines };
}

/**
 * What an OrderCancelled gives back: everything still open, per product, in
 * the shape of StockReleased lines plus the rows to release. No lines means
 * nothing was left to release (already shipped or released).
 */
export function planRelease(openReservations: readonly OpenReservation[]): { lines: ReservationLine[] } {
  return { lines: [...openRowsByProduct(openReservations).values()].map(drawEverything) };
}

type Rows = [OpenReservation, ...OpenReservation[]];

/** Open rows grouped per product; products in order of their first reservation. */
function openRowsByProduct(reservations: readonly OpenReservation[]): Map<number, Rows> {
  const byProduct = new Map<number, Rows>();
  const ordered = reservations.filter((r) => r.openQuantity > 0).sort((a, b) => a.reservationId - b.reservationId);
  for (const row of ordered) {
    const rows = byProduct.get(row.productId);
    if (rows) rows.push(row);
    else byProduct.set(row.productId, [row]);
  }
  return byProduct;
}

/**
 * A line naming both a productId and a sku that belong to different products
 * names nothing: shipping is refused rather than guessing which one left the
 * dock (OrderPlaced treats the same contradiction as an unknown product).
 */
function rowsNamedBy(line: RequestedLine, byProduct: Map<number, Rows>): Rows | undefined {
  const rows = line.productId !== undefined ? byProduct.get(line.productId) : [...byProduct.values()].find((r) => r[0].sku === line.sku);
  return rows && (line.sku === undefined || rows[0].sku === line.sku) ? rows : undefined;
}

function openTotal(rows: readonly OpenReservation[]): number {
  return rows.reduce((sum, row) => sum + row.openQuantity, 0);
}

function drawEverything(rows: Rows): ReservationLine {
  return draw(rows, openTotal(rows));
}

function draw(rows: Rows, quantity: number): ReservationLine {
  const allocations: ReservationDraw[] = [];
  let remaining = quantity;
  for (const row of rows) {
    if (remaining === 0) break;
    const taken = Math.min(remaining, row.openQuantity);
    allocations.push({ locationId: row.locationId, reservationId: row.reservationId, quantity: taken });
    remaining -= taken;
  }
  return { productId: rows[0].productId, sku: rows[0].sku, quantity, allocations };
}
