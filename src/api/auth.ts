import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiScope, ApiToken } from '../config';
import { ApiProblem } from './problems';

/** Who is calling, once the token checked out (a token's name, never the token). */
export interface ApiClient {
  name: string;
  scope: ApiScope;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiClient?: ApiClient;
  }
  interface FastifyContextConfig {
    /** The route needs a write token (a write token can also read). */
    scope?: ApiScope;
    /** No token needed (the OpenAPI document). */
    public?: boolean;
  }
}

export interface AuthSettings {
  mode: 'tokens' | 'disabled';
  tokens: readonly ApiToken[];
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Finds the configured token a request presents, in constant time: the
 * presented token and every configured one are hashed to 32 bytes (equal
 * lengths, so timingSafeEqual never short-cuts on length) and compared with
 * every entry, without stopping at the first match, so the answer time does
 * not tell how much of a guess was right, nor which entry matched.
 */
export function tokenMatcher(tokens: readonly ApiToken[]): (presented: string) => ApiClient | null {
  const hashed = tokens.map((t) => ({ hash: sha256(t.token), client: { name: t.name, scope: t.scope } }));
  return (presented) => {
    const hash = sha256(presented);
    let found: ApiClient | null = null;
    for (const entry of hashed) if (timingSafeEqual(entry.hash, hash)) found = entry.client;
    return found;
  };
}

const BEARER = /^Bearer ([^\s]+)$/i;

/** True for the paths the token check guards: the /v1 API. The console's own shell and other paths are not. */
export function isApiPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
}

/**
 * The token check, first of all hooks on /v1 (before rate limiting, which is
 * per token, and before validation, so a caller without a token learns
 * nothing about parameters). 401 without a valid token, 403 when a read token
 * calls a write route. API_AUTH=disabled: everyone may do everything.
 */
export function registerAuth(app: FastifyInstance, settings: AuthSettings): void {
  const match = tokenMatcher(settings.tokens);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    if (!isApiPath(request.url) || request.routeOptions.config?.public) return;
    if (settings.mode === 'disabled') {
      request.apiClient = { name: 'anonymous', scope: 'write' };
      return;
    }
    const header = request.headers.authorization;
    const presented = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    const client = presented ? match(presented) : null;
    if (!client) {
      void reply.header('www-authenticate', 'Bearer realm="inventory-service"');
      throw new ApiProblem(401, 'UNAUTHORIZED', presented ? 'the bearer token is not known' : 'an Authorization: Bearer <token> header is required');
    }
    request.apiClient = client;
    if (request.routeOptions.config?.scope === 'write' && client.scope !== 'write') {
      throw new ApiProblem(403, 'FORBIDDEN', 'this request needs a token with scope write');
    }
  });
}
