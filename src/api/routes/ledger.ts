import { z } from 'zod';
import { readLedger } from '../../db/ledger-reads';
import { lookupProducts } from '../../db/product-lookup';
import { cursorParam, decodeCursor, limitParam, nextCursorField, page, pageLimit } from '../pagination';
import { idParam, instantParam, referenceIdParam, skuParam } from '../params';
import { ApiProblem, problemResponses } from '../problems';
import type { RegisterRoutes } from '../types';

const ledgerRow = z
  .object({
    txnId: z.number().int(),
    productId: z.number().int(),
    sku: z.string(),
    warehouseId: z.number().int(),
    locationId: z.number().int(),
    type: z.string().describe('RECEIVE, SHIP, ADJUST, TRANSFER (move on hand), RESERVE, RELEASE (move reserved)'),
    quantity: z.number().int().describe('signed: the change of on hand (or of reserved for RESERVE and RELEASE)'),
    referenceType: z.string().nullable(),
    referenceId: z.string().nullable(),
    performedBy: z.string().nullable(),
    eventId: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'LedgerRow' });

const query = z.strictObject({
  sku: skuParam.optional(),
  locationId: idParam.optional(),
  referenceId: referenceIdParam.optional(),
  from: instantParam.optional().describe('ISO-8601 instant, inclusive'),
  to: instantParam.optional().describe('ISO-8601 instant, exclusive'),
  cursor: cursorParam,
  limit: limitParam,
});

const cursorKey = z.object({ t: z.string().regex(/^\d{1,19}$/) });

export const ledgerRoutes: RegisterRoutes = (app, { db }) => {
  app.get(
    '/v1/ledger',
    {
      schema: {
        summary: 'Ledger rows, newest first',
        tags: ['ledger'],
        querystring: query,
        response: { 200: z.object({ items: z.array(ledgerRow), nextCursor: nextCursorField }), ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(cursorKey, q.cursor);
      if (q.from && q.to && q.from >= q.to)
        throw new ApiProblem(400, 'INVALID_PARAMETER', 'from must be before to', [{ path: 'querystring.from', message: 'must be before to' }]);
      let productId: number | undefined;
      if (q.sku !== undefined) {
        const [product] = await lookupProducts(db, { skus: [q.sku] });
        if (!product) throw new ApiProblem(404, 'PRODUCT_NOT_FOUND', `no product with sku ${q.sku}`);
        productId = product.productId;
      }
      const limit = pageLimit(q.limit);
      const rows = await readLedger(db, {
        productId,
        locationId: q.locationId,
        referenceId: q.referenceId,
        from: q.from,
        to: q.to,
        before: after ? BigInt(after.t) : undefined,
        limit: limit + 1,
      });
      const { items, nextCursor } = page(rows, limit, (r) => ({ t: r.txnId.toString() }));
      return { items: items.map((r) => ({ ...r, txnId: Number(r.txnId), createdAt: r.createdAt.toISOString() })), nextCursor };
    },
  );
};
