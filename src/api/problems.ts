import { z } from 'zod';

/**
 * RFC 9457 problem details. `code` is the stable, machine-readable part that
 * clients branch on; `title` and `detail` are for people and may change.
 * `type` is a URN per code rather than a URL: this service publishes no
 * problem pages, and RFC 9457 allows any URI.
 */
export const problemSchema = z
  .object({
    type: z.string().describe('urn:inventory-service:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('stable code, e.g. INVALID_PARAMETER, UNAUTHORIZED, NOT_FOUND'),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('each malformed parameter'),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An expected refusal: thrown by a route or hook, answered as a problem by the server's error handler. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(detail);
  }
}

export function problemBody(status: number, code: string, detail: string, instance?: string, errors?: { path: string; message: string }[]): Problem {
  return {
    type: `urn:inventory-service:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...(errors ? { errors } : {}),
  };
}

/** The problem answers every /v1 route may give, for its OpenAPI response list. */
export function problemResponses(...statuses: number[]): Record<number, { description: string; content: Record<string, { schema: typeof problemSchema }> }> {
  return Object.fromEntries(statuses.map((s) => [s, { description: TITLES[s] ?? 'Error', content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } }]));
}
