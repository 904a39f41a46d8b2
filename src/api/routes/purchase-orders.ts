import { z } from 'zod';
import { listPurchaseOrders, readPurchaseOrder, type PurchaseOrderView } from '../../db/purchase-order-reads';
import { cursorParam, decodeCursor, limitParam, nextCursorField, page, pageLimit } from '../pagination';
import { idParam } from '../params';
import { ApiProblem, problemResponses } from '../problems';
import type { RegisterRoutes } from '../types';

const statuses = ['DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL', 'RECEIVED', 'CANCELLED'] as const;

const purchaseOrder = z
  .object({
    poId: z.number().int(),
    supplierId: z.number().int(),
    warehouseId: z.number().int(),
    status: z.enum(statuses),
    expectedDate: z.string().nullable().describe('YYYY-MM-DD in the warehouse time zone'),
    trigger: z.string().nullable().describe('REORDER_POINT or DAILY_SCAN when this service raised it'),
    createdAt: z.string(),
    updatedAt: z.string(),
    lines: z.array(z.object({ productId: z.number().int(), sku: z.string(), ordered: z.number().int(), received: z.number().int(), unitCost: z.string() })),
  })
  .meta({ id: 'PurchaseOrder' });

const view = (po: PurchaseOrderView) => ({
  ...po,
  status: po.status as (typeof statuses)[number],
  createdAt: po.createdAt.toISOString(),
  updatedAt: po.updatedAt.toISOString(),
});

const cursorKey = z.object({ p: z.number().int().min(1) });

export const purchaseOrderRoutes: RegisterRoutes = (app, { db }) => {
  app.get(
    '/v1/purchase-orders',
    {
      schema: {
        summary: 'Purchase orders with their lines, newest first',
        tags: ['purchase-orders'],
        querystring: z.strictObject({ status: z.enum(statuses).optional(), warehouseId: idParam.optional(), cursor: cursorParam, limit: limitParam }),
        response: { 200: z.object({ items: z.array(purchaseOrder), nextCursor: nextCursorField }), ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(cursorKey, q.cursor);
      const limit = pageLimit(q.limit);
      const rows = await listPurchaseOrders(db, { status: q.status, warehouseId: q.warehouseId, before: after?.p, limit: limit + 1 });
      const { items, nextCursor } = page(rows, limit, (po) => ({ p: po.poId }));
      return { items: items.map(view), nextCursor };
    },
  );

  app.get(
    '/v1/purchase-orders/:poId',
    {
      schema: {
        summary: 'One purchase order with its lines',
        tags: ['purchase-orders'],
        params: z.strictObject({ poId: idParam }),
        response: { 200: purchaseOrder, ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const po = await readPurchaseOrder(db, request.params.poId);
      if (!po) throw new ApiProblem(404, 'PURCHASE_ORDER_NOT_FOUND', `no purchase order ${request.params.poId}`);
      return view(po);
    },
  );
};
