import { z } from 'zod';
import { readOrderView, type OrderBackorderLine, type OrderReservationLine } from '../../db/order-reads';
import { orderIdParam } from '../params';
import { ApiProblem, problemResponses } from '../problems';
import type { RegisterRoutes } from '../types';

const orderStatuses = ['OPEN', 'FULFILLED', 'RELEASED', 'CLOSED'] as const;

const allocation = z.object({
  warehouseId: z.number().int(),
  locationId: z.number().int(),
  location: z.string(),
  quantity: z.number().int().describe('reserved at first'),
  reserved: z.number().int().describe('still reserved: quantity - shipped - released'),
  shipped: z.number().int(),
  released: z.number().int(),
});

const answer = z
  .object({
    orderId: z.string(),
    status: z
      .enum(orderStatuses)
      .describe(
        'OPEN while anything is reserved or still backordered; then FULFILLED (all shipped), RELEASED (none shipped) or CLOSED (part shipped, the rest released or its backorder cancelled)',
      ),
    holdUntil: z
      .string()
      .nullable()
      .describe(
        'the deadline of the hold the order was placed with (null when placed without holdUntil: a firm reservation); holdStatus says whether it still applies',
      ),
    holdStatus: z
      .enum(['HELD', 'CONFIRMED', 'SHIPPED', 'CANCELLED', 'EXPIRED'])
      .nullable()
      .describe(
        'HELD: released at holdUntil unless confirmed, shipped or cancelled first; CONFIRMED or SHIPPED: firm; CANCELLED; EXPIRED: released at holdUntil. null without a hold',
      ),
    warehouseIds: z.array(z.number().int()),
    reservedAt: z.string(),
    updatedAt: z.string(),
    lines: z.array(
      z.object({
        productId: z.number().int(),
        sku: z.string(),
        quantity: z.number().int().describe('ordered (for a line with a backorder: reserved at placing + backordered)'),
        reserved: z.number().int(),
        shipped: z.number().int(),
        released: z.number().int(),
        backordered: z.number().int().describe('still backordered: waiting for stock (contract v2)'),
        backorderCancelled: z.number().int().describe('backordered units cancelled with the order (cancel or expiry)'),
        allocations: z.array(allocation),
      }),
    ),
  })
  .meta({ id: 'OrderReservation' });

const sum = <T>(rows: readonly T[], pick: (r: T) => number) => rows.reduce((s, r) => s + pick(r), 0);

/** The order's status from its reservation rows and backorders. */
function orderStatus(rows: readonly OrderReservationLine[], backorders: readonly OrderBackorderLine[]): (typeof orderStatuses)[number] {
  const open = sum(rows, (r) => r.quantity - r.shipped - r.released) + sum(backorders, (b) => b.open);
  if (open > 0) return 'OPEN';
  const shipped = sum(rows, (r) => r.shipped);
  if (shipped === 0) return 'RELEASED';
  return sum(rows, (r) => r.released) + sum(backorders, (b) => b.cancelled) === 0 ? 'FULFILLED' : 'CLOSED';
}

const time = (dates: readonly Date[], pick: (...ms: number[]) => number) => new Date(pick(...dates.map((d) => d.getTime()))).toISOString();

export const orderRoutes: RegisterRoutes = (app, { db }) => {
  app.get(
    '/v1/orders/:orderId',
    {
      schema: {
        summary: "An order's reservation",
        description:
          'Per line and location: reserved, shipped, released; per line backordered; the hold, if the order was placed with one. 404 when the service holds neither a reservation nor a backorder for the order (never placed, or refused as InsufficientStock).',
        tags: ['orders'],
        params: z.strictObject({ orderId: orderIdParam }),
        response: { 200: answer, ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      const { reservation: rows, backorders, hold } = await readOrderView(db, orderId);
      // A wholly backordered order has no reservation row yet, but the service holds its backorder.
      if (rows.length === 0 && backorders.length === 0) throw new ApiProblem(404, 'ORDER_NOT_FOUND', `no reservation for order ${orderId}`);
      const productIds = [...new Set([...rows.map((r) => r.productId), ...backorders.map((b) => b.productId)])].sort((a, b) => a - b);
      return {
        orderId,
        status: orderStatus(rows, backorders),
        holdUntil: hold ? hold.holdUntil.toISOString() : null,
        holdStatus: hold?.status ?? null,
        warehouseIds: [...new Set([...rows.map((r) => r.warehouseId), ...backorders.map((b) => b.warehouseId)])].sort((a, b) => a - b),
        reservedAt: time([...rows.map((r) => r.reservedAt), ...backorders.map((b) => b.createdAt)], Math.min),
        updatedAt: time([...rows.map((r) => r.updatedAt), ...backorders.map((b) => b.updatedAt)], Math.max),
        lines: productIds.map((productId) => {
          const lines = rows.filter((r) => r.productId === productId);
          const backorder = backorders.find((b) => b.productId === productId);
          return {
            productId,
            sku: lines[0]?.sku ?? backorder!.sku,
            // The backorder keeps the line's ordered quantity; fills top up the reservation rows, so their sum alone falls short.
            quantity: backorder ? backorder.lineQuantity : sum(lines, (r) => r.quantity),
            reserved: sum(lines, (r) => r.quantity - r.shipped - r.released),
            shipped: sum(lines, (r) => r.shipped),
            released: sum(lines, (r) => r.released),
            backordered: backorder?.open ?? 0,
            backorderCancelled: backorder?.cancelled ?? 0,
            allocations: lines.map((r) => ({
              warehouseId: r.warehouseId,
              locationId: r.locationId,
              location: r.location,
              quantity: r.quantity,
              reserved: r.quantity - r.shipped - r.released,
              shipped: r.shipped,
              released: r.released,
            })),
          };
        }),
      };
    },
  );
};
