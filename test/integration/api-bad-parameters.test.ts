import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { buildApiServer, listenApiServer } from '../../src/api/server';
import { createDb, type Db } from '../../src/db/client';
import { createLogger } from '../../src/logger';
import { kafkaRedriver } from '../../src/dead-letters/redrive';
import type { Producer } from 'kafkajs';
import { importMasterData } from '../../src/master-data/import';
import { createTestDatabase } from '../support/database';
import { smallCatalog } from '../fixtures/catalog';

/**
 * Fuzz-style: many malformed query strings and paths against every route,
 * on a real database. Each must be answered 4xx as an RFC 9457 problem with a
 * code, never 500, and every malformed parameter value is a 400.
 */
describe('query API: malformed parameters', () => {
  let db: Db;
  let app: FastifyInstance;
  let drop: () => Promise<void>;
  let port: number;
  const token = 'fuzz-reader-token-0123456789';

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    db = createDb(database.url, 3);
    await importMasterData(db, smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 5 }]));
    app = await buildApiServer({
      db,
      logger: createLogger('silent'),
      auth: { mode: 'tokens', tokens: [{ name: 'fuzz', token, scope: 'write' }] },
      rateLimitPerMinute: 1_000_000,
      topicPrefix: '',
      // The real redriver: a well-formed id names no dead letter here (404), so nothing is ever sent.
      redriver: kafkaRedriver({ db, producer: { send: () => Promise.reject(new Error('nothing is sent in this test')) } as unknown as Producer }),
    });
    port = (await listenApiServer(app, '127.0.0.1', 0)).port;
  });

  afterAll(async () => {
    await app?.close();
    await db?.$disconnect();
    await drop?.();
  });

  /** The raw request line as written here (fetch would normalise it), over a real socket. */
  const call = (method: 'GET' | 'POST', path: string) =>
    new Promise<{ statusCode: number; headers: Record<string, unknown>; body: string; json: () => { code?: unknown; status?: unknown } }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
      });
      req.on('error', reject);
      req.end();
    });

  const badNumbers = [
    '',
    ' ',
    'abc',
    '-1',
    '0',
    '1.5',
    '1e3',
    '0x10',
    '+5',
    '07',
    ' 7',
    '7 ',
    '99999999999999999999',
    '2147483648',
    'NaN',
    'Infinity',
    '%00',
    '%ZZ',
    '1%2C2',
    'null',
    '[]',
    '{}',
  ];
  const badTexts = ['', '%00', 'a%00b', 'x'.repeat(65), '%ED%A0%80'];
  const badInstants = ['yesterday', '2026-12-01', '2026-12-01T10:00:00', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '1', '%00', 'T'];
  const badCursors = ['%00', '!!!', 'bm9wZQ', 'e30', 'x'.repeat(201), '', 'eyJ0IjoiLTEifQ', 'eyJwIjowfQ', 'eyJkIjoiMCJ9'];
  const badLimits = [...badNumbers, '501', '100000'];

  const cases: { method: 'GET' | 'POST'; url: string }[] = [];
  // Spaces as %20: a raw space cannot be on the request line.
  const get = (url: string) => cases.push({ method: 'GET', url: url.replace(/ /g, '%20') });
  for (const v of badNumbers) {
    get(`/v1/availability?productId=${v}`);
    get(`/v1/availability?sku=HAMMER&warehouseId=${v}`);
    get(`/v1/promise?sku=HAMMER&quantity=${v}`);
    get(`/v1/promise?sku=HAMMER&quantity=1&warehouseId=${v}`);
    get(`/v1/ledger?locationId=${v}`);
    get(`/v1/purchase-orders?warehouseId=${v}`);
    if (v !== '') get(`/v1/purchase-orders/${v}`);
    if (v !== '') cases.push({ method: 'POST', url: `/v1/dead-letters/${v}/redrive`.replace(/ /g, '%20') });
  }
  for (const v of badTexts) {
    get(`/v1/availability?sku=${v}`);
    get(`/v1/promise?sku=${v}&quantity=1`);
    get(`/v1/ledger?sku=${v}`);
    get(`/v1/ledger?referenceId=${v}`);
    get(`/v1/dead-letters?code=${v}`);
    if (v !== '') get(`/v1/products/${v}/stock`);
    if (v !== '') get(`/v1/orders/${v}`);
  }
  for (const v of badInstants) {
    get(`/v1/ledger?from=${v}`);
    get(`/v1/ledger?to=${v}`);
  }
  for (const v of badCursors)
    for (const path of ['/v1/ledger', '/v1/purchase-orders', '/v1/dead-letters', '/v1/products/HAMMER/stock']) get(`${path}?cursor=${v}`);
  for (const v of badLimits)
    for (const path of ['/v1/ledger', '/v1/purchase-orders', '/v1/dead-letters', '/v1/products/HAMMER/stock']) get(`${path}?limit=${v}`);
  // Repeated single-valued parameters, unknown parameters, wrong enums, missing required ones.
  get('/v1/availability?sku=HAMMER&warehouseId=1&warehouseId=2');
  get('/v1/availability?sku=HAMMER&skuu=HAMMER');
  get('/v1/promise?sku=HAMMER');
  get('/v1/promise?quantity=1');
  get('/v1/promise?sku=HAMMER&sku=SAW&quantity=1');
  get('/v1/promise?sku=HAMMER&quantity=1000001');
  get('/v1/ledger?limit=10&limit=20');
  get('/v1/purchase-orders?status=OPEN');
  get('/v1/purchase-orders?status=sent');
  get('/v1/dead-letters?topic=inventory-dlq');
  get('/v1/dead-letters?topic=');
  get('/v1/ledger?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z');
  get('/v1/ledger?from=2026-12-01T00:00:00Z&to=2026-12-01T00:00:00Z');

  // Seeded random query strings: random bytes, percent-escapes and separators on every route's parameters.
  let seed = 20261201;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = ['%', '&', '=', '[', ']', '%00', '%FF', '%C3%28', '+', ' ', '"', "'", '\\', '9', '-', '.', 'e', 'Z', ':', '/', '?', '#'];
  const junk = () =>
    Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)])
      .join('')
      .replace(/#/g, '%23')
      .replace(/ /g, '%20');
  const paramsOf: Record<string, string[]> = {
    '/v1/availability': ['productId', 'warehouseId'],
    '/v1/promise?sku=HAMMER': ['quantity', 'warehouseId'],
    '/v1/ledger': ['locationId', 'from', 'to', 'cursor', 'limit'],
    '/v1/purchase-orders': ['status', 'warehouseId', 'cursor', 'limit'],
    '/v1/dead-letters': ['topic', 'cursor', 'limit'],
  };
  const deterministic = cases.length;
  for (let i = 0; i < 300; i++) {
    const paths = Object.keys(paramsOf);
    const path = paths[i % paths.length]!;
    const names = paramsOf[path]!;
    const name = names[Math.floor(random() * names.length)]!;
    get(`${path}${path.includes('?') ? '&' : '?'}${name}=${junk()}`);
  }

  test(`${cases.length} malformed requests: none is a 500; hand-written ones are 4xx problems with a code, random ones too unless they happen to be valid`, async () => {
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await call(c.method, c.url);
      let body: { code?: unknown; status?: unknown } = {};
      try {
        body = res.json();
      } catch {
        // reported below
      }
      const problem =
        res.statusCode >= 400 &&
        res.statusCode < 500 &&
        String(res.headers['content-type']).startsWith('application/problem+json') &&
        typeof body.code === 'string' &&
        body.status === res.statusCode;
      const ok = problem || (cases.indexOf(c) >= deterministic && res.statusCode === 200);
      if (!ok) wrong.push(`${c.method} ${c.url} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });

  test('malformed parameter values are 400 (not 404, not 200)', async () => {
    const wrong: string[] = [];
    // The random ones may happen to be valid ('9'); the hand-written ones never are.
    const valueCases = cases.slice(0, deterministic).filter((c) => c.url.includes('?'));
    for (const c of valueCases) {
      const res = await call(c.method, c.url);
      if (res.statusCode !== 400) wrong.push(`${c.method} ${c.url} -> ${res.statusCode} ${res.body.slice(0, 160)}`);
    }
    expect(wrong).toEqual([]);
  });
});
