import { z } from 'zod';
import { lookupProducts } from '../../db/product-lookup';
import { readPromiseSupply } from '../../db/promise-supply';
import { availableToPromise, earliestPromise, type WarehousePromise } from '../../domain/available-to-promise';
import { localDate, startOfLocalDay } from '../../domain/calendar';
import { idParam, quantityParam, skuParam } from '../params';
import { ApiProblem, problemResponses } from '../problems';
import type { RegisterRoutes } from '../types';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe('YYYY-MM-DD, a day in the warehouse time zone');

const answer = z
  .object({
    sku: z.string(),
    productId: z.number().int(),
    quantity: z.number().int(),
    warehouseId: z.number().int().nullable().describe('the warehouse promised from; null when the product is in no warehouse'),
    date: day.nullable().describe('earliest day the whole quantity can be promised; null when stock and open purchase orders cannot cover it'),
    sources: z.array(
      z.object({
        type: z.enum(['ON_HAND', 'PURCHASE_ORDER']),
        poId: z.number().int().optional(),
        quantity: z.number().int(),
        date: day,
      }),
    ),
  })
  .meta({ id: 'Promise' });

const query = z.strictObject({ sku: skuParam, quantity: quantityParam, warehouseId: idParam.optional() });

export const promiseRoutes: RegisterRoutes = (app, { db, clock }) => {
  app.get(
    '/v1/promise',
    {
      schema: {
        summary: 'Available-to-promise: the earliest day a quantity can be promised',
        description:
          'From stock available now plus purchase orders in SENT, CONFIRMED or PARTIAL by expected date, after what is already reserved and backordered. Without warehouseId, the warehouse that can promise earliest (days compared as the instants they start; lowest id on a tie).',
        tags: ['availability'],
        querystring: query,
        response: { 200: answer, ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const { sku, quantity, warehouseId } = request.query;
      const [product] = await lookupProducts(db, { skus: [sku] });
      if (!product) throw new ApiProblem(404, 'PRODUCT_NOT_FOUND', `no product with sku ${sku}`);
      const now = clock?.() ?? new Date();
      const { levels, incoming, zones } = await readPromiseSupply(db, product.productId, warehouseId);
      if (warehouseId !== undefined && !zones.has(warehouseId)) throw new ApiProblem(404, 'WAREHOUSE_NOT_FOUND', `no warehouse ${warehouseId}`);

      const candidates: WarehousePromise[] = [...zones].map(([id, zone]) => {
        const level = levels.find((l) => l.warehouseId === id);
        const today = localDate(now, zone);
        const result = availableToPromise({
          quantity,
          today,
          available: level?.available ?? 0,
          backordered: level?.backordered ?? 0,
          incoming: incoming.filter((po) => po.warehouseId === id),
        });
        return { ...result, warehouseId: id, startsAt: result.date ? startOfLocalDay(result.date, zone) : null };
      });
      const best = earliestPromise(candidates);
      return {
        sku: product.sku,
        productId: product.productId,
        quantity,
        warehouseId: best?.warehouseId ?? null,
        date: best?.date ?? null,
        sources: best?.sources ?? [],
      };
    },
  );
};
