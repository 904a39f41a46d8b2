import type { IHeaders } from 'kafkajs';

/** Kafka headers as stored with a dead letter: values are bytes (base64 here) and a name may repeat. */
export type StoredHeaders = Record<string, string[]>;

export function storeHeaders(headers: IHeaders | undefined): StoredHeaders {
  const stored: StoredHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    stored[name] = (Array.isArray(value) ? value : [value]).map((v) => Buffer.from(v).toString('base64'));
  }
  return stored;
}

/** Back to kafkajs headers, byte for byte. */
export function restoreHeaders(stored: StoredHeaders): IHeaders {
  const headers: IHeaders = {};
  for (const [name, values] of Object.entries(stored)) {
    const buffers = values.map((v) => Buffer.from(v, 'base64'));
    headers[name] = buffers.length === 1 ? buffers[0] : buffers;
  }
  return headers;
}

/** For people: each header as text (repeated names joined by ", ", as HTTP does). */
export function headersAsText(stored: StoredHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(stored).map(([name, values]) => [name, values.map((v) => Buffer.from(v, 'base64').toString('utf8')).join(', ')]));
}

/** The text of a value when it is valid UTF-8, else null (shown as base64 instead). */
export function utf8OrNull(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The dead letter a message was redriven from (header dlq-redrive-of), or null; a malformed header counts as none. */
export function redriveIdOf(headers: IHeaders | undefined, headerName: string): bigint | null {
  const raw = headers?.[headerName];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  const text = value === undefined ? '' : Buffer.from(value).toString('utf8');
  return /^[1-9]\d{0,18}$/.test(text) ? BigInt(text) : null;
}
