import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_PATH, renderOpenApi } from '../../../src/api/openapi';

const root = join(__dirname, '..', '..', '..');

type Operation = { responses: Record<string, { content?: Record<string, unknown> }>; parameters?: { in: string; name: string }[] };

describe('OpenAPI document of the query API', () => {
  let rendered: string;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; security: unknown[] };
  beforeAll(async () => {
    rendered = await renderOpenApi();
    doc = JSON.parse(rendered);
  });

  test('the committed docs/contract/openapi.json is up to date', () => {
    let committed = '';
    try {
      committed = readFileSync(join(root, OPENAPI_PATH), 'utf8');
    } catch {
      // missing: reported below
    }
    if (committed !== rendered) throw new Error(`${OPENAPI_PATH} is stale; run \`npm run contract:docs\` and commit the result`);
  });

  test('is OpenAPI 3.1 with every endpoint of the contract, bearer auth by default', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ bearer: [] }]);
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        'GET /v1/availability',
        'GET /v1/promise',
        'GET /v1/products/{sku}/stock',
        'GET /v1/orders/{orderId}',
        'GET /v1/ledger',
        'GET /v1/purchase-orders',
        'GET /v1/purchase-orders/{poId}',
        'GET /v1/dead-letters',
        'POST /v1/dead-letters/{id}/redrive',
        // Added for the operator console (src/api/routes/console-reads.ts).
        'GET /v1/session',
        'GET /v1/products',
        'GET /v1/warehouses',
        'GET /v1/products/{sku}/incoming',
        'GET /v1/purchase-orders/{poId}/receipts',
        'GET /v1/overview',
        'GET /v1/stock-alerts',
      ].sort(),
    );
  });

  test('every operation documents 400, 401 and 429 as application/problem+json', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const status of ['400', '401', '429']) {
          expect({ op: `${method} ${path}`, status, types: Object.keys(op.responses[status]?.content ?? {}) }).toEqual({
            op: `${method} ${path}`,
            status,
            types: ['application/problem+json'],
          });
        }
      }
    }
    expect(Object.keys(doc.paths['/v1/dead-letters/{id}/redrive']!.post!.responses).sort()).toEqual(['202', '400', '401', '403', '404', '409', '429', '503']);
  });

  test('lists page with cursor and limit', () => {
    for (const path of ['/v1/ledger', '/v1/purchase-orders', '/v1/dead-letters', '/v1/products/{sku}/stock']) {
      const names = doc.paths[path]!.get!.parameters!.filter((p) => p.in === 'query').map((p) => p.name);
      expect({ path, names: names.filter((n) => n === 'cursor' || n === 'limit').sort() }).toEqual({ path, names: ['cursor', 'limit'] });
    }
  });
});
