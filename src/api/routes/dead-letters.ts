import { z } from 'zod';
import { inboundTopics, topicName } from '../../contracts';
import { listDeadLetters } from '../../db/dead-letters';
import { deadLetterView } from '../../dead-letters/view';
import { cursorParam, decodeCursor, limitParam, nextCursorField, page, pageLimit } from '../pagination';
import { ApiProblem, problemResponses } from '../problems';
import type { RegisterRoutes } from '../types';
import { text } from '../../contracts/primitives';

const deadLetter = z
  .object({
    id: z.number().int(),
    code: z.string().describe('e.g. INVALID_PAYLOAD, NOTHING_RESERVED, UNKNOWN_PO'),
    reason: z.string(),
    topic: z.string().describe('the topic it was refused on, by its contract name (without KAFKA_TOPIC_PREFIX)'),
    partition: z.number().int(),
    offset: z.string().describe('a Kafka offset (int64, as text)'),
    key: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    value: z.string().nullable().describe('the original value as UTF-8 text'),
    valueBase64: z.string().nullable().describe('the original value when it is not valid UTF-8'),
    eventId: z.string().nullable(),
    eventType: z.string().nullable(),
    deadLetteredAt: z.string(),
    redrivenAt: z.string().nullable(),
  })
  .meta({ id: 'DeadLetter' });

const deadLetterId = z
  .string()
  .regex(/^[1-9]\d{0,17}$/, 'must be a dead letter id')
  .transform((s) => BigInt(s));

const cursorKey = z.object({ d: z.string().regex(/^[1-9]\d{0,17}$/) });

export const deadLetterRoutes: RegisterRoutes = (app, { db, topicPrefix, redriver }) => {
  app.get(
    '/v1/dead-letters',
    {
      schema: {
        summary: 'Dead letters with their reason and original message, newest first',
        tags: ['dead-letters'],
        querystring: z.strictObject({ code: text(1, 64).optional(), topic: z.enum(inboundTopics).optional(), cursor: cursorParam, limit: limitParam }),
        response: { 200: z.object({ items: z.array(deadLetter), nextCursor: nextCursorField }), ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(cursorKey, q.cursor);
      const limit = pageLimit(q.limit);
      const rows = await listDeadLetters(db, {
        code: q.code,
        topic: q.topic && topicName(q.topic, topicPrefix),
        before: after ? BigInt(after.d) : undefined,
        limit: limit + 1,
      });
      const { items, nextCursor } = page(rows, limit, (r) => ({ d: r.id.toString() }));
      return { items: items.map((r) => deadLetterView(r, topicPrefix)), nextCursor };
    },
  );

  app.post(
    '/v1/dead-letters/:id/redrive',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Publish a dead letter again to its original topic, to be judged once more',
        description:
          'Sends the original key, value and headers with header dlq-redrive-of: <id>. The service judges the message again as if new; refused again, it becomes a new dead letter. A dead letter is redriven at most once: 409 after. Needs a write token.',
        tags: ['dead-letters'],
        params: z.strictObject({ id: deadLetterId }),
        response: { 202: z.object({ id: z.number().int(), redrivenAt: z.string() }), ...problemResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      let result;
      try {
        result = await redriver.redrive(id);
      } catch (error) {
        if (error instanceof ApiProblem || !isKafkaError(error)) throw error;
        request.log.warn({ err: error, deadLetterId: id.toString() }, 'redrive could not be sent');
        void reply.header('retry-after', '5');
        throw new ApiProblem(503, 'BROKER_UNAVAILABLE', 'the message could not be sent to Kafka; the dead letter is not redriven, try again');
      }
      switch (result.status) {
        case 'REDRIVEN':
          request.log.info({ deadLetterId: id.toString(), topic: result.topic, client: request.apiClient?.name }, 'dead letter redriven');
          return reply.code(202).send({ id: Number(id), redrivenAt: result.redrivenAt.toISOString() });
        case 'NOT_FOUND':
          throw new ApiProblem(404, 'DEAD_LETTER_NOT_FOUND', `no dead letter ${id}`);
        case 'ALREADY_REDRIVEN':
          throw new ApiProblem(
            409,
            'ALREADY_REDRIVEN',
            `dead letter ${id} was redriven at ${result.redrivenAt.toISOString()}; a redriven message refused again is a new dead letter`,
          );
        case 'NOT_REDRIVABLE':
          throw new ApiProblem(409, 'NOT_REDRIVABLE', `dead letter ${id} cannot be redriven: ${result.reason}`);
      }
    },
  );
};

function isKafkaError(error: unknown): boolean {
  return error instanceof Error && (error.name.startsWith('Kafka') || error.constructor.name.startsWith('Kafka'));
}
