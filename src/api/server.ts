import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifyRateLimit from '@fastify/rate-limit';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { isTransientError } from '../errors';
import { registerAuth, type AuthSettings } from './auth';
import { ApiProblem, PROBLEM_CONTENT_TYPE, problemBody } from './problems';
import { apiRoutes } from './routes/index';
import type { DeadLetterRedriver } from '../dead-letters/redrive';
import type { ConsumerLagReport } from '../ops/consumer-lag';

/** What the query API reads and does through: no Kafka consumer, no transaction of its own but a redrive's. */
export interface ApiDeps {
  db: Db;
  logger: Logger;
  auth: AuthSettings;
  rateLimitPerMinute: number;
  /** KAFKA_TOPIC_PREFIX: dead letters are recorded under real topic names and answered under contract names. */
  topicPrefix: string;
  /** Republishes a dead letter (POST /v1/dead-letters/{id}/redrive). */
  redriver: DeadLetterRedriver;
  /** Tests pin the clock (promise dates are days in a warehouse's time zone). */
  clock?: () => Date;
  /** The consumer group's lag from the broker (GET /v1/overview); absent: the overview says it is not measured. */
  consumerLag?: { readonly groupId: string; read(): Promise<ConsumerLagReport> };
}

export type ApiServer = FastifyInstance;

/** The version of the query API's document; it grows with additive changes like the event contract. */
export const API_VERSION = '2.0.0';

/**
 * The query API as a fastify instance, routes registered, not listening:
 * main.ts listens on it, tests use inject() or listen on port 0, and other
 * modules (the operator console) register their plugins on it before it
 * starts. Validation and the OpenAPI 3.1 document both come from the routes'
 * zod schemas (fastify-type-provider-zod), so they cannot disagree.
 */
export async function buildApiServer(deps: ApiDeps, register?: (app: FastifyInstance) => Promise<void>): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // fastify's own per-request lines would be two info lines per request at
    // thousands of requests a second; one debug line per answer instead
    // (onResponse below), which carries the token's name, never the token.
    logController: new LogController({ disableRequestLogging: true }),
    // No body is larger: the only POST (redrive) takes none.
    bodyLimit: 16 * 1024,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    // Errors of fastify's router (a path with a malformed %-escape) answered as problems like every other refusal.
    frameworkErrors: (error, request, reply) => {
      void sendProblem(reply, request, new ApiProblem(400, 'INVALID_URL', error.message));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Inventory service query API',
        version: API_VERSION,
        description:
          'Stock levels, available-to-promise, reservations, ledger, purchase orders and dead letters. Every /v1 request but this document needs Authorization: Bearer <token>; errors are RFC 9457 problems (application/problem+json) with a stable code.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  registerAuth(app, deps.auth);
  // After the token check: fastify's query parser keeps a malformed %-escape as literal text; here it is a 400.
  app.addHook('onRequest', async (request) => {
    const query = request.url.indexOf('?');
    if (query >= 0 && !isWellFormedQuery(request.url.slice(query + 1))) {
      throw new ApiProblem(400, 'INVALID_QUERY_STRING', 'the query string has a malformed %-escape (not UTF-8)', [
        { path: 'querystring', message: 'malformed %-escape' },
      ]);
    }
  });
  await app.register(fastifyRateLimit, {
    global: true,
    // After the token check (onRequest), before validation: the limit is per token, and bad requests count too.
    hook: 'preValidation',
    max: deps.rateLimitPerMinute,
    timeWindow: 60_000,
    // Per token name; per address when tokens are off. Counted per instance (in memory).
    keyGenerator: (request) => (request.apiClient && request.apiClient.name !== 'anonymous' ? `token:${request.apiClient.name}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new ApiProblem(context.statusCode, 'RATE_LIMITED', `more than ${context.max} requests a minute with this token; retry in ${context.after}`),
  });

  app.setErrorHandler((error: FastifyError, request, reply) => answerError(deps.logger, error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, new ApiProblem(404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, url: request.url, status: reply.statusCode, client: request.apiClient?.name, ms: Math.round(reply.elapsedTime) },
      'api request',
    );
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  for (const registerRoutes of apiRoutes) registerRoutes(typed, deps);
  // More plugins on the same server and port (the operator console), with the same hooks.
  if (register) await register(app);
  return app;
}

function isWellFormedQuery(query: string): boolean {
  try {
    decodeURIComponent(query.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ApiProblem): FastifyReply {
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(problem.status, problem.code, problem.detail, request.url.split('?')[0], problem.errors));
}

/** fastify's own 4xx errors, by its codes, as this API's stable codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_BODY',
};

function answerError(logger: Logger, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiProblem) return sendProblem(reply, request, error);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'request';
    const errors = error.validation.map((v) => ({ path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'), message: v.message ?? 'invalid' }));
    return sendProblem(reply, request, new ApiProblem(400, 'INVALID_PARAMETER', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors));
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = FASTIFY_CODES[error.code] ?? (status === 400 ? 'BAD_REQUEST' : 'CLIENT_ERROR');
    return sendProblem(reply, request, new ApiProblem(status, code, error.message));
  }
  if (isTransientError(error)) {
    logger.warn({ err: error, url: request.url }, 'api request failed on a transient fault');
    void reply.header('retry-after', '1');
    return sendProblem(reply, request, new ApiProblem(503, 'UNAVAILABLE', 'the database is not reachable right now; retry shortly'));
  }
  logger.error({ err: error, url: request.url }, 'api request failed');
  return sendProblem(reply, request, new ApiProblem(500, 'INTERNAL_ERROR', 'the request failed; the error is logged'));
}

export interface RunningApiServer {
  readonly app: FastifyInstance;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on exactly the configured host (never wider). close() stops accepting and lets in-flight requests finish. */
export async function listenApiServer(app: FastifyInstance, host: string, port: number): Promise<RunningApiServer> {
  await app.listen({ host, port, listenTextResolver: (address) => `query api listening on ${address}` });
  const address = app.server.address() as AddressInfo;
  return { app, host: address.address, port: address.port, close: () => app.close() };
}
