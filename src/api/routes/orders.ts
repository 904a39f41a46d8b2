import { z } from 'zod';
import { readOrderReservation, type OrderReservationLine } from '../../db/order-reads';
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
    status: z.enum(orderStatuses).describe('OPEN while anything is reserved; then FULFILLED (all shipped), RELEASED (none shipped) or CLOSED (part shipped, the rest released)'),
    holdUntil: z.string().nullable().describe('when a hold expires; null for a firm reservation'),
    warehouseIds: z.array(z.number().int()),
    reservedAt: z.string(),
    updatedAt: z.string(),
    lines: z.array(
      z.object({
        productId: z.number().int(),
        sku: z.string(),
        quantity: z.number().int(),
        reserved: z.number().int(),
        shipped: z.number().int(),
        released: z.number().int(),
        backordered: z.number().int(),
        allocations: z.array(allocation),
      }),
    ),
  })
  .meta({ id: 'OrderReservation' });

const sum = (rows: readonly OrderReservationLine[], pick: (r: OrderReservationLine) => number) => rows.reduce((s, r) => s + pick(r), 0);

/** The order's status from its reservation rows. */
function orderStatus(rows: readonly OrderReservationLine[]): (typeof orderStatuses)[number] {
  const open = sum(rows, (r) => r.quantity - r.shipped - r.released);
  if (open > 0) return 'OPEN';
  const shipped = sum(rows, (r) => r.shipped);
  if (shipped === 0) return 'RELEASED';
  return sum(rows, (r) => r.released) === 0 ? 'FULFILLED' : 'CLOSED';
}

export const orderRoutes: RegisterRoutes = (app, { db }) => {
  app.get(
    '/v1/orders/:orderId',
    {
      schema: {
        summary: "An order's reservation",
        description: 'Per line and location: reserved, shipped, released, backordered. 404 when the service holds no reservation for the order (never placed, or refused as InsufficientStock).',
        tags: ['orders'],
        params: z.strictObject({ orderId: orderIdParam }),
        response: { 200: answer, ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      const rows = await readOrderReservation(db, orderId);
      if (rows.length === 0) throw new ApiProblem(404, 'ORDER_NOT_FOUND', `no reservation for order ${orderId}`);
      const byProduct = new Map<number, OrderReservationLine[]>();
      for (const r of rows) byProduct.set(r.productId, [...(byProduct.get(r.productId) ?? []), r]);
      return {
        orderId,
        status: orderStatus(rows),
        // Holds are not in the schema yet: every reservation is firm.
        holdUntil: null,
        warehouseIds: [...new Set(rows.map((r) => r.warehouseId))].sort((a, b) => a - b),
        reservedAt: new Date(Math.min(...rows.map((r) => r.reservedAt.getTime()))).toISOString(),
        updatedAt: new Date(Math.max(...rows.map((r) => r.updatedAt.getTime()))).toISOString(),
        lines: [...byProduct.values()].map((lines) => ({
          productId: lines[0]!.productId,
          sku: lines[0]!.sku,
          quantity: sum(lines, (r) => r.quantity),
          reserved: sum(lines, (r) => r.quantity - r.shipped - r.released),
          shipped: sum(lines, (r) => r.shipped),
          released: sum(lines, (r) => r.released),
          // No backorders in the schema yet.
          backordered: 0,
          allocations: lines.map((r) => ({ warehouseId: r.warehouseId, locationId: r.locationId, location: r.location, quantity: r.quantity, reserved: r.quantity - r.shipped - r.released, shipped: r.shipped, released: r.released })),
        })),
      };
    },
  );
};
