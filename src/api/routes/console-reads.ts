import { z } from 'zod';
import { readInventoryLevels } from '../../db/inventory-levels';
import { lookupProducts } from '../../db/product-lookup';
import {
  deadLetterCountsSince,
  incomingOfProduct,
  listWarehouses,
  openPurchaseOrderCounts,
  receiptsOfPurchaseOrder,
  searchProducts,
  stockAlertKeys,
} from '../../db/console-reads';
import { stockStatuses } from '../../domain/stock-status';
import { inboundTopics } from '../../contracts';
import { text } from '../../contracts/primitives';
import { cursorParam, decodeCursor, limitParam, nextCursorField, page, pageLimit } from '../pagination';
import { idParam, skuParam } from '../params';
import { ApiProblem, problemResponses } from '../problems';
import type { RegisterRoutes } from '../types';

/**
 * Reads the operator console needs that the contract's endpoints do not give:
 * who a token is, product search by SKU or name, warehouse codes, a product's
 * incoming purchase orders, and the overview's counts. Additive /v1 routes,
 * token-checked like the others, so any team can read what the console shows.
 */

const pageQuery = { cursor: cursorParam, limit: limitParam };
const listAnswer = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: nextCursorField });

const sessionAnswer = z.object({ name: z.string(), scope: z.enum(['read', 'write']) }).meta({ id: 'Session' });

const productSummary = z.object({ productId: z.number().int(), sku: z.string(), name: z.string(), isActive: z.boolean() }).meta({ id: 'ProductSummary' });
const warehouseSummary = z.object({ warehouseId: z.number().int(), code: z.string(), name: z.string(), timezone: z.string() }).meta({ id: 'Warehouse' });
const incomingLine = z
  .object({
    poId: z.number().int(),
    warehouseId: z.number().int(),
    status: z.string(),
    expectedDate: z.string().nullable().describe('YYYY-MM-DD'),
    quantityOrdered: z.number().int(),
    quantityReceived: z.number().int(),
    quantityOpen: z.number().int().describe('ordered minus received: what the PO still brings'),
  })
  .meta({ id: 'IncomingPurchaseOrderLine' });

const overviewAnswer = z
  .object({
    consumerGroup: z.string(),
    consumerLagAt: z.string().nullable().describe('when the broker was asked; null when it could not be'),
    consumerLag: z
      .array(z.object({ topic: z.enum(inboundTopics), lag: z.number().int(), partitions: z.number().int() }))
      .describe('per inbound topic: messages the group has not committed yet, all instances together'),
    consumerLagProblem: z.string().nullable().describe('why the lag is missing, when it is'),
    deadLettersLast24h: z.array(z.object({ code: z.string(), count: z.number().int() })),
    openPurchaseOrders: z.array(z.object({ status: z.string(), count: z.number().int(), earliestExpectedDate: z.string().nullable() })),
  })
  .meta({ id: 'Overview' });

const stockAlert = z
  .object({
    productId: z.number().int(),
    sku: z.string(),
    name: z.string(),
    warehouseId: z.number().int(),
    available: z.number().int(),
    backordered: z.number().int(),
    incoming: z.number().int(),
    reorderPoint: z.number().int(),
    status: z.enum(stockStatuses),
  })
  .meta({ id: 'StockAlert' });

const receipt = z
  .object({
    receiptId: z.string(),
    receivedBy: z.string().nullable(),
    receivedAt: z.string(),
    lines: z
      .array(z.object({ sku: z.string(), locationId: z.number().int(), location: z.string(), quantity: z.number().int() }))
      .describe('where the receipt put its units away'),
  })
  .meta({ id: 'GoodsReceipt' });

const productCursor = z.object({ sku: z.string() });
const warehouseCursor = z.object({ id: z.number().int() });
const incomingCursor = z.object({ day: z.string(), poId: z.number().int() });
const alertCursor = z.object({ sku: z.string(), warehouseId: z.number().int() });
const receiptCursor = z.object({ at: z.iso.datetime(), id: z.string() });

export const consoleReadRoutes: RegisterRoutes = (app, deps) => {
  const { db } = deps;
  const now = () => deps.clock?.() ?? new Date();

  app.get(
    '/v1/session',
    {
      schema: {
        summary: 'Who the presented token is: its name and scope (never the token)',
        tags: ['console'],
        querystring: z.strictObject({}),
        response: { 200: sessionAnswer, ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => ({ name: request.apiClient?.name ?? 'anonymous', scope: request.apiClient?.scope ?? 'read' }),
  );

  app.get(
    '/v1/products',
    {
      schema: {
        summary: 'Products whose SKU starts with, or whose name contains, q (case-insensitive), by SKU',
        tags: ['console'],
        querystring: z.strictObject({ q: text(1, 200), ...pageQuery }),
        response: { 200: listAnswer(productSummary), ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(productCursor, request.query.cursor);
      const rows = await searchProducts(db, request.query.q, after?.sku ?? null, limit + 1);
      return page(rows, limit, (p) => ({ sku: p.sku }));
    },
  );

  app.get(
    '/v1/warehouses',
    {
      schema: {
        summary: 'Warehouses, by id',
        tags: ['console'],
        querystring: z.strictObject(pageQuery),
        response: { 200: listAnswer(warehouseSummary), ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(warehouseCursor, request.query.cursor);
      const rows = await listWarehouses(db, after?.id ?? null, limit + 1);
      return page(rows, limit, (w) => ({ id: w.warehouseId }));
    },
  );

  app.get(
    '/v1/products/:sku/incoming',
    {
      schema: {
        summary: "A product's purchase orders in DRAFT, SENT, CONFIRMED or PARTIAL that still bring something, soonest expected first",
        description: "A DRAFT is listed but is not counted in availability's incoming (it is no promise yet).",
        tags: ['console'],
        params: z.strictObject({ sku: skuParam }),
        querystring: z.strictObject(pageQuery),
        response: { 200: listAnswer(incomingLine), ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const [product] = await lookupProducts(db, { skus: [request.params.sku] });
      if (!product) throw new ApiProblem(404, 'UNKNOWN_PRODUCT', `no product with sku ${request.params.sku}`);
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(incomingCursor, request.query.cursor);
      const rows = await incomingOfProduct(db, product.productId, after, limit + 1);
      return page(rows, limit, (l) => ({ day: l.expectedDate ?? 'infinity', poId: l.poId }));
    },
  );

  app.get(
    '/v1/purchase-orders/:poId/receipts',
    {
      schema: {
        summary: "A purchase order's goods receipts, oldest first, with their put-away",
        tags: ['console'],
        params: z.strictObject({ poId: idParam }),
        querystring: z.strictObject(pageQuery),
        response: { 200: listAnswer(receipt), ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(receiptCursor, request.query.cursor);
      const rows = await receiptsOfPurchaseOrder(db, request.params.poId, after && { at: new Date(after.at), receiptId: after.id }, limit + 1);
      const { items, nextCursor } = page(rows, limit, (r) => ({ at: r.receivedAt.toISOString(), id: r.receiptId }));
      return { items: items.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })), nextCursor };
    },
  );

  app.get(
    '/v1/overview',
    {
      schema: {
        summary: 'Consumer lag per inbound topic, dead letters of the last 24 hours by code, open purchase orders by status',
        tags: ['console'],
        querystring: z.strictObject({}),
        response: { 200: overviewAnswer, ...problemResponses(400, 401, 429) },
      },
    },
    async () => {
      const since = new Date(now().getTime() - 24 * 3600_000);
      const [lag, deadLetters, openPurchaseOrders] = await Promise.all([
        deps.consumerLag
          ? deps.consumerLag.read().then(
              (r) => ({ report: r, problem: null }),
              (e: Error) => ({ report: null, problem: `the broker did not answer: ${e.message}` }),
            )
          : Promise.resolve({ report: null, problem: 'this instance does not measure consumer lag' }),
        deadLetterCountsSince(db, since),
        openPurchaseOrderCounts(db),
      ]);
      return {
        consumerGroup: lag.report?.groupId ?? deps.consumerLag?.groupId ?? '',
        consumerLagAt: lag.report ? lag.report.measuredAt.toISOString() : null,
        consumerLag: lag.report?.topics ?? [],
        consumerLagProblem: lag.problem,
        deadLettersLast24h: deadLetters,
        openPurchaseOrders,
      };
    },
  );

  app.get(
    '/v1/stock-alerts',
    {
      schema: {
        summary: 'Active products out of stock or below their reorder point, per warehouse, by SKU',
        tags: ['console'],
        querystring: z.strictObject(pageQuery),
        response: { 200: listAnswer(stockAlert), ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(alertCursor, request.query.cursor);
      const keys = await stockAlertKeys(db, after, limit + 1);
      const levels = await readInventoryLevels(db, { productIds: keys.map((k) => k.productId) });
      const levelOf = new Map(levels.map((l) => [`${l.productId}:${l.warehouseId}`, l]));
      const alerts = keys.flatMap((k) => {
        const level = levelOf.get(`${k.productId}:${k.warehouseId}`);
        return level
          ? [
              {
                productId: k.productId,
                sku: k.sku,
                name: k.name,
                warehouseId: k.warehouseId,
                available: level.available,
                backordered: level.backordered,
                incoming: level.incoming,
                reorderPoint: level.reorderPoint,
                status: level.status,
              },
            ]
          : [];
      });
      return page(alerts, limit, (a) => ({ sku: a.sku, warehouseId: a.warehouseId }));
    },
  );
};
