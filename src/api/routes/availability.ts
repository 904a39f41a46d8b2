import { z } from 'zod';
import { readInventoryLevels } from '../../db/inventory-levels';
import { lookupProducts } from '../../db/product-lookup';
import { stockStatuses } from '../../domain/stock-status';
import { idParam, listOf, repeated, skuParam } from '../params';
import { ApiProblem, problemResponses } from '../problems';
import type { RegisterRoutes } from '../types';

export const MAX_AVAILABILITY_PRODUCTS = 100;

export const inventoryLevelSchema = z
  .object({
    productId: z.number().int(),
    sku: z.string(),
    warehouseId: z.number().int(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int().describe('onHand - reserved, never negative'),
    backordered: z.number().int(),
    incoming: z.number().int().describe('ordered minus received on purchase orders in SENT, CONFIRMED or PARTIAL'),
    status: z.enum(stockStatuses).describe('OUT_OF_STOCK at available 0, LOW_STOCK below the reorder point, else IN_STOCK'),
    version: z.number().int(),
  })
  .meta({ id: 'InventoryLevel' });

const query = z.strictObject({
  sku: repeated(skuParam).optional(),
  productId: repeated(idParam).optional(),
  warehouseId: idParam.optional(),
});

const answer = z.object({
  items: z.array(inventoryLevelSchema).describe('one per product and warehouse where it has an inventory row or incoming stock'),
  unknown: z.array(z.string()).describe('SKUs asked for that name no product'),
  unknownProductIds: z.array(z.number().int()).describe('productIds asked for that name no product'),
});

export const availabilityRoutes: RegisterRoutes = (app, { db }) => {
  app.get(
    '/v1/availability',
    {
      schema: {
        summary: 'Stock figures per product and warehouse',
        description: `Up to ${MAX_AVAILABILITY_PRODUCTS} products, named by repeating sku or productId.`,
        tags: ['availability'],
        querystring: query,
        response: { 200: answer, ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const skus = listOf(request.query.sku);
      const productIds = listOf(request.query.productId);
      if (skus.length + productIds.length === 0)
        throw new ApiProblem(400, 'PRODUCT_REQUIRED', 'name at least one product with sku= or productId=', [{ path: 'querystring.sku', message: 'required' }]);
      if (skus.length + productIds.length > MAX_AVAILABILITY_PRODUCTS) {
        throw new ApiProblem(400, 'TOO_MANY_PRODUCTS', `at most ${MAX_AVAILABILITY_PRODUCTS} products per request`, [
          { path: 'querystring.sku', message: `at most ${MAX_AVAILABILITY_PRODUCTS}` },
        ]);
      }
      const products = await lookupProducts(db, { skus, productIds });
      const knownSkus = new Set(products.map((p) => p.sku));
      const knownIds = new Set(products.map((p) => p.productId));
      const levels = await readInventoryLevels(db, { productIds: products.map((p) => p.productId), warehouseId: request.query.warehouseId });
      return {
        items: levels.map((l) => ({
          productId: l.productId,
          sku: l.sku,
          warehouseId: l.warehouseId,
          onHand: l.onHand,
          reserved: l.reserved,
          available: l.available,
          backordered: l.backordered,
          incoming: l.incoming,
          status: l.status,
          version: l.version,
        })),
        unknown: [...new Set(skus)].filter((s) => !knownSkus.has(s)),
        unknownProductIds: [...new Set(productIds)].filter((id) => !knownIds.has(id)),
      };
    },
  );
};
