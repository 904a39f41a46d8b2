import { z } from 'zod';
import { lookupProducts } from '../../db/product-lookup';
import { readProductStock } from '../../db/stock-reads';
import { cursorParam, decodeCursor, limitParam, nextCursorField, page, pageLimit } from '../pagination';
import { skuParam } from '../params';
import { ApiProblem, problemResponses } from '../problems';
import type { RegisterRoutes } from '../types';

const locationStock = z
  .object({
    warehouseId: z.number().int(),
    locationId: z.number().int(),
    location: z.string().describe('aisle-bay-level-bin'),
    type: z.string().describe('BULK, PICK_FACE or OVERFLOW'),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    lastCountedAt: z.string().nullable(),
    lastMovedAt: z.string().nullable(),
  })
  .meta({ id: 'LocationStock' });

const cursorKey = z.object({ w: z.number().int(), l: z.number().int() });

export const productRoutes: RegisterRoutes = (app, { db }) => {
  app.get(
    '/v1/products/:sku/stock',
    {
      schema: {
        summary: "A product's stock per location",
        tags: ['stock'],
        params: z.strictObject({ sku: skuParam }),
        querystring: z.strictObject({ cursor: cursorParam, limit: limitParam }),
        response: {
          200: z.object({ sku: z.string(), productId: z.number().int(), items: z.array(locationStock), nextCursor: nextCursorField }),
          ...problemResponses(400, 401, 404, 429),
        },
      },
    },
    async (request) => {
      const { sku } = request.params;
      const after = decodeCursor(cursorKey, request.query.cursor);
      const [product] = await lookupProducts(db, { skus: [sku] });
      if (!product) throw new ApiProblem(404, 'PRODUCT_NOT_FOUND', `no product with sku ${sku}`);
      const limit = pageLimit(request.query.limit);
      const rows = await readProductStock(db, product.productId, { after: after && { warehouseId: after.w, locationId: after.l }, limit: limit + 1 });
      const { items, nextCursor } = page(rows, limit, (r) => ({ w: r.warehouseId, l: r.locationId }));
      return {
        sku: product.sku,
        productId: product.productId,
        items: items.map((r) => ({ ...r, lastCountedAt: r.lastCountedAt?.toISOString() ?? null, lastMovedAt: r.lastMovedAt?.toISOString() ?? null })),
        nextCursor,
      };
    },
  );
};
