import { parseApiTokens, type Config } from '../config';

interface Level {
  sku: string;
  warehouseId: number;
  onHand: number;
  reserved: number;
  available: number;
  backordered: number;
  incoming: number;
  status: string;
}

/**
 * The demo's last word: the availability of its SKUs, asked of the running
 * service's query API like any storefront would (a bearer token from
 * API_TOKENS, unless API_AUTH=disabled). Returns false when the API did not answer.
 */
export async function printAvailability(config: Config, skus: readonly string[], out: (line: string) => void): Promise<boolean> {
  const host = config.API_HOST === '0.0.0.0' || config.API_HOST === '::' ? '127.0.0.1' : config.API_HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.API_PORT}/v1/availability?${skus.map((s) => `sku=${encodeURIComponent(s)}`).join('&')}`;
  const [token] = parseApiTokens(config.API_TOKENS);
  const headers: Record<string, string> = config.API_AUTH === 'disabled' || !token ? {} : { authorization: `Bearer ${token.token}` };
  out(`availability through the query API (GET ${url.replace(/^http:\/\/[^/]+/, '')}):`);
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { items?: Level[]; unknown?: string[]; code?: string; detail?: string };
    if (!res.ok) {
      out(`  ${res.status} ${body.code ?? ''} ${body.detail ?? ''}`);
      return false;
    }
    for (const l of body.items ?? []) {
      out(
        `  ${l.sku.padEnd(14)} warehouse ${l.warehouseId}  on hand ${String(l.onHand).padStart(4)}  reserved ${String(l.reserved).padStart(4)}  available ${String(l.available).padStart(4)}  incoming ${String(l.incoming).padStart(4)}  ${l.status}`,
      );
    }
    if (body.unknown?.length) out(`  unknown: ${body.unknown.join(', ')}`);
    return true;
  } catch (error) {
    out(`  the query API did not answer: ${(error as Error).message}`);
    return false;
  }
}
