// The console's only way to the service: the token-checked /v1 query API.
// The token lives in sessionStorage (this tab only, gone when it closes) and
// is sent in the Authorization header, never in a URL.

const TOKEN_KEY = 'inventory-console-token';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  /** { name, scope } of the signed-in token, from GET /v1/session. */
  identity: null,
  forget() {
    this.token = null;
    this.identity = null;
  },
};

/** An API answer other than 2xx, with the RFC 9457 problem the service sent. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(describeProblem(status, problem, retryAfter));
    this.status = status;
    this.problem = problem ?? {};
    this.code = problem?.code ?? null;
  }
}

function describeProblem(status, problem, retryAfter) {
  if (status === 0) return 'The service did not answer (network error). Is it running, and is this page served by it?';
  if (status === 429) return `Too many requests for this token; try again in ${retryAfter ?? 'a few'} seconds.`;
  const title = problem?.title ?? `HTTP ${status}`;
  const detail = problem?.detail && problem.detail !== title ? `: ${problem.detail}` : '';
  const code = problem?.code ? ` (${problem.code})` : '';
  return `${title}${detail}${code}`;
}

let onUnauthorized = () => undefined;
/** Called when the API refuses the token (401): the app signs out. */
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

function urlOf(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null && one !== '') url.searchParams.append(name, String(one));
    }
  }
  return url;
}

async function request(method, path, params, token = session.token) {
  let response;
  try {
    response = await fetch(urlOf(path, params), {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json, application/problem+json' },
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, body, response.headers.get('retry-after'));
    if (response.status === 401 && token === session.token) onUnauthorized(error);
    throw error;
  }
  return body;
}

export const api = {
  get: (path, params) => request('GET', path, params),
  post: (path, params) => request('POST', path, params),
  /** Checks a token before keeping it: who it is and its scope. */
  identify: (token) => request('GET', '/v1/session', {}, token),
};

/** Path segment, encoded (SKUs and order ids are free text). */
export const seg = (value) => encodeURIComponent(String(value));
