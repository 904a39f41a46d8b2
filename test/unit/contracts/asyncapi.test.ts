import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import {
  CONTRACT_DOCS_DIR,
  inboundEvents,
  inboundEventTypes,
  inboundTopics,
  outboundEvents,
  outboundEventTypes,
  outboundTopics,
  renderContractDocs,
  topics,
} from '../../../src/contracts';
import { OPENAPI_PATH } from '../../../src/api/openapi';

const root = join(__dirname, '..', '..', '..');
const rendered = renderContractDocs();
const asyncApiPath = `${CONTRACT_DOCS_DIR}/asyncapi.json`;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

async function parse(text: string) {
  const { document, diagnostics } = await new Parser().parse(text);
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  return { document, errors: errors.map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`) };
}

describe('AsyncAPI document', () => {
  let parsed: Awaited<ReturnType<typeof parse>>;
  beforeAll(async () => {
    parsed = await parse(rendered[asyncApiPath]!);
  });

  test('parses with no error-level diagnostics', () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.document?.version()).toBe('3.0.0');
  });

  test('has a channel for every topic, addressed by its default name', () => {
    const channels = parsed.document!.channels().all();
    expect(channels.map((c) => [c.id(), c.address()]).sort()).toEqual(
      Object.values(topics)
        .map((topic) => [topic, topic])
        .sort(),
    );
  });

  test('every event type is a message on its topic, with the envelope headers', () => {
    const expected = [
      ...inboundEventTypes.map((t) => [inboundEvents[t].topic, t] as const),
      ...outboundEventTypes.map((t) => [outboundEvents[t].topic, t] as const),
    ];
    for (const [topic, eventType] of expected) {
      const channel = parsed.document!.channels().get(topic)!;
      const message = channel
        .messages()
        .all()
        .find((m) => m.name() === eventType);
      expect({ topic, eventType, found: message !== undefined }).toEqual({ topic, eventType, found: true });
      expect(Object.keys(message!.headers()?.properties() ?? {})).toEqual(['event-type', 'event-id', 'traceparent']);
      expect(message!.payload()!.allOf()).toHaveLength(2);
    }
    const dlq = parsed.document!.channels().get(topics.deadLetter)!;
    expect(
      dlq
        .messages()
        .all()
        .map((m) => m.name()),
    ).toEqual(['DeadLetter']);
    expect(parsed.document!.messages().all()).toHaveLength(inboundEventTypes.length + outboundEventTypes.length + 1);
  });

  test('the service receives on inbound topics and sends on outbound ones and the DLQ', () => {
    const actions = parsed
      .document!.operations()
      .all()
      .map((op) => [op.channels().all()[0]!.address(), op.action()]);
    expect(actions.sort()).toEqual([...inboundTopics.map((t) => [t, 'receive']), ...[...outboundTopics, topics.deadLetter].map((t) => [t, 'send'])].sort());
  });

  test('the check has teeth: a dangling reference is an error', async () => {
    const broken = rendered[asyncApiPath]!.replace('#/components/schemas/OrderPlacedPayload', '#/components/schemas/Nope');
    expect((await parse(broken)).errors.length).toBeGreaterThan(0);
  });
});

describe('generated contract docs', () => {
  test('rendering is deterministic, JSON, and ends with a newline', () => {
    expect(renderContractDocs()).toEqual(rendered);
    for (const [path, content] of Object.entries(rendered)) {
      expect(content.endsWith('}\n')).toBe(true);
      expect(() => JSON.parse(content)).not.toThrow();
      expect(path.startsWith(`${CONTRACT_DOCS_DIR}/`)).toBe(true);
    }
  });

  test('one schema file per payload, plus the envelope', () => {
    const schemaFiles = Object.keys(rendered).filter((p) => p.includes('/schemas/'));
    expect(schemaFiles).toHaveLength(inboundEventTypes.length + outboundEventTypes.length + 1);
  });

  test('the committed files under docs/contract are up to date', () => {
    // The query API's OpenAPI document has its own check (openapi.test.ts).
    const committed = filesUnder(join(root, CONTRACT_DOCS_DIR))
      .map((file) => relative(root, file).split('\\').join('/'))
      .filter((path) => path !== OPENAPI_PATH);
    const stale = [
      ...Object.keys(rendered)
        .filter((path) => !committed.includes(path))
        .map((path) => `missing ${path}`),
      ...committed.filter((path) => !Object.hasOwn(rendered, path)).map((path) => `unexpected ${path}`),
      ...committed
        .filter((path) => Object.hasOwn(rendered, path) && readFileSync(join(root, path), 'utf8') !== rendered[path])
        .map((path) => `outdated ${path}`),
    ];
    if (stale.length > 0) {
      throw new Error(`docs/contract is stale; run \`npm run contract:docs\` and commit the result:\n  ${stale.join('\n  ')}`);
    }
  });
});
