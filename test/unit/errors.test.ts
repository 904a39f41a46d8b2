import {
  KafkaJSConnectionError,
  KafkaJSLockTimeout,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
// kafkajs's own table of broker error codes: the errors a broker really answers with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error };
import { isTransientError } from '../../src/errors';

/** Issue 16, item 14: a broker outage while dead-lettering or committing is a transient fault, not a bug. */
describe('isTransientError with kafkajs errors', () => {
  const protocol = (code: number) => new KafkaJSProtocolError(createErrorFromCode(code));

  it('retries what the broker or the network says will pass', () => {
    expect(isTransientError(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: '127.0.0.1:9092' }))).toBe(true);
    expect(isTransientError(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'))).toBe(true);
    expect(isTransientError(new (KafkaJSLockTimeout as unknown as new (message: string) => Error)('Timeout while acquiring lock (1 waiting locks)'))).toBe(
      true,
    );
    expect(isTransientError(protocol(6))).toBe(true); // NOT_LEADER_FOR_PARTITION: a broker restarting
    expect(isTransientError(protocol(15))).toBe(true); // COORDINATOR_NOT_AVAILABLE
  });

  it('looks through KafkaJSNumberOfRetriesExceeded at the error kafkajs gave up on', () => {
    const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(isTransientError(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 3000 }))).toBe(true);
    expect(isTransientError(new KafkaJSNumberOfRetriesExceeded(protocol(10), { retryCount: 0, retryTime: 0 }))).toBe(false);
  });

  it('does not retry what the broker refuses for good', () => {
    expect(isTransientError(protocol(10))).toBe(false); // MESSAGE_TOO_LARGE
    expect(isTransientError(protocol(29))).toBe(false); // TOPIC_AUTHORIZATION_FAILED
    expect(isTransientError(new KafkaJSNonRetriableError('some bug'))).toBe(false);
  });
});
