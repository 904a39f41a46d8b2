import { Writable } from 'node:stream';
import { loadConfig, parseApiTokens } from '../../../src/config';
import { tokenMatcher } from '../../../src/api/auth';
import { buildApiServer, listenApiServer } from '../../../src/api/server';
import { createLogger } from '../../../src/logger';
import type { Db } from '../../../src/db/client';
import { ConfigError } from '../../../src/errors';

const base = { DATABASE_URL: 'postgresql://inventory@localhost:5432/inventory' };
const READ = 'reader-secret-token-aaaaaaaa';
const WRITE = 'writer-secret-token-bbbbbbbb';

describe('API_TOKENS', () => {
  test('name:token:scope entries, read or write', () => {
    expect(parseApiTokens(`shop:${READ}:read, ops:${WRITE}:write`)).toEqual([
      { name: 'shop', token: READ, scope: 'read' },
      { name: 'ops', token: WRITE, scope: 'write' },
    ]);
    expect(parseApiTokens('')).toEqual([]);
    expect(loadConfig(base)).toMatchObject({ API_TOKENS: '', API_AUTH: 'tokens', API_PORT: 8081, API_HOST: '0.0.0.0', API_RATE_LIMIT_PER_MINUTE: 6000 });
  });

  test.each([
    ['two parts', `shop:${READ}`, /must be name:token:scope/],
    ['four parts', `shop:${READ}:read:x`, /must be name:token:scope/],
    ['an unknown scope', `shop:${READ}:admin`, /scope must be read or write/],
    ['a short token', 'shop:short:read', /16-256 characters/],
    ['a bad name', `sh op:${READ}:read`, /the name must be/],
    ['a name twice', `shop:${READ}:read,shop:${WRITE}:write`, /used twice/],
    ['a token twice', `a:${READ}:read,b:${READ}:write`, /reuses another entry's token/],
  ])('refused at startup: %s, without echoing the token', (_, list, message) => {
    let error: unknown;
    try {
      loadConfig({ ...base, API_TOKENS: list });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(READ);
    expect((error as Error).message).not.toContain(WRITE);
  });

  test('API_AUTH is tokens or disabled', () => {
    expect(() => loadConfig({ ...base, API_AUTH: 'off' })).toThrow(/API_AUTH/);
    expect(loadConfig({ ...base, API_AUTH: 'disabled' }).API_AUTH).toBe('disabled');
  });
});

describe('token matching', () => {
  const match = tokenMatcher(parseApiTokens(`shop:${READ}:read,ops:${WRITE}:write`));
  test('the configured token, exactly', () => {
    expect(match(READ)).toEqual({ name: 'shop', scope: 'read' });
    expect(match(WRITE)).toEqual({ name: 'ops', scope: 'write' });
    expect(match(READ.slice(0, -1))).toBeNull();
    expect(match(`${READ}x`)).toBeNull();
    expect(match('')).toBeNull();
  });
});

describe('tokens never reach the logs', () => {
  test('at trace level, through 200, 401, 403, 400 and 500 answers', async () => {
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        output += chunk.toString();
        done();
      },
    });
    const logger = createLogger('trace', sink);
    // A database that fails when touched: the 500 path, logged with its error.
    const db = new Proxy({}, { get: () => () => Promise.reject(new Error('database down for this test')) }) as unknown as Db;
    const app = await buildApiServer({
      db,
      logger,
      auth: { mode: 'tokens', tokens: parseApiTokens(`shop:${READ}:read,ops:${WRITE}:write`) },
      rateLimitPerMinute: 100,
      topicPrefix: '',
      redriver: { redrive: () => Promise.reject(new Error('no')) },
    });
    const { port, close } = await listenApiServer(app, '127.0.0.1', 0);
    try {
      const call = (path: string, token?: string, method = 'GET') =>
        fetch(`http://127.0.0.1:${port}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect((await call('/v1/openapi.json')).status).toBe(200);
      expect((await call('/v1/availability?sku=A', 'wrong-token-guess-12345678')).status).toBe(401);
      expect((await call('/v1/availability', READ)).status).toBe(400);
      expect((await call('/v1/dead-letters/1/redrive', READ, 'POST')).status).toBe(403);
      expect((await call('/v1/orders/o-1', WRITE)).status).toBe(500);
      logger.info({ req: { headers: { authorization: `Bearer ${READ}` } }, config: { API_TOKENS: `shop:${READ}:read` } }, 'a careless log line');
    } finally {
      await close();
    }
    expect(output).toContain('api request');
    expect(output).toContain('"client":"ops"');
    expect(output).toContain('database down for this test');
    expect(output).not.toContain(READ);
    expect(output).not.toContain(WRITE);
    expect(output).not.toContain('wrong-token-guess-12345678');
  });
});
