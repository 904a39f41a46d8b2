import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The operator console's files (src/console/assets; `npm run build` copies them
 * next to this file in dist). Static HTML, CSS and ES modules with no build
 * step: the pages are a client of the /v1 API and of nothing else.
 */
export const consoleAssetsDir = join(__dirname, 'assets');

/**
 * Strict by default: only this service's own scripts, styles and API, no
 * inline script, no framing, no form posts, no referrer. Nothing may come from
 * elsewhere (many warehouse networks have no internet).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the console at /console/ on the query API's server. The shell needs
 * no token (the API's token check covers /v1 only); every figure on the pages
 * comes from token-checked /v1 requests made by the browser.
 */
export async function registerConsole(app: FastifyInstance, options: { assetsDir?: string } = {}): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('referrer-policy', 'no-referrer');
      void reply.header('x-frame-options', 'DENY');
      // Small files, served from the same process: always revalidate (ETag), so a deploy is seen at once.
      void reply.header('cache-control', 'no-cache');
      return payload;
    });
    await scope.register(fastifyStatic, {
      root: options.assetsDir ?? consoleAssetsDir,
      prefix: '/console/',
      index: ['index.html'],
      // GET /console (no slash) serves the shell too (the server ignores trailing slashes): its asset URLs are absolute.
      redirect: false,
      wildcard: false,
      decorateReply: false,
      cacheControl: false,
      dotfiles: 'deny',
    });
  });
}
