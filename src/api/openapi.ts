import { CONTRACT_DOCS_DIR, renderContractDocs } from '../contracts/docs';
import type { Db } from '../db/client';
import { createLogger } from '../logger';
import { buildApiServer } from './server';

export const OPENAPI_PATH = `${CONTRACT_DOCS_DIR}/openapi.json`;

/**
 * The OpenAPI 3.1 document as /v1/openapi.json serves it, rendered from the
 * routes' zod schemas. Rendering needs the routes but none of their
 * dependencies: the database stands in as an object that fails if a route
 * ever ran (none does: nothing is called, only described).
 */
export async function renderOpenApi(): Promise<string> {
  const unused = new Proxy(
    {},
    {
      get: () => {
        throw new Error('the OpenAPI document is rendered without a database');
      },
    },
  ) as Db;
  const app = await buildApiServer({
    db: unused,
    logger: createLogger('silent'),
    auth: { mode: 'tokens', tokens: [] },
    rateLimitPerMinute: 1,
    topicPrefix: '',
    redriver: { redrive: () => Promise.reject(new Error('not served')) },
  });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

/** Every generated file under docs/contract: the AsyncAPI side from src/contracts, plus the query API's OpenAPI document. */
export async function renderAllContractDocs(): Promise<Record<string, string>> {
  return { ...renderContractDocs(), [OPENAPI_PATH]: await renderOpenApi() };
}
