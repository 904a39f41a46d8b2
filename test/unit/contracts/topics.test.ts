import { baseTopicOf, deadLetterHeaders, envelopeHeaders, topicName, topics } from '../../../src/contracts';

describe('topics', () => {
  // These strings are the contract: other teams subscribe to and parse them.
  test('default names are the contract names', () => {
    expect(Object.values(topics).sort()).toEqual(
      [
        'goods-receipts',
        'inventory-dlq',
        'inventory-events',
        'inventory-levels',
        'inventory-operations',
        'orders',
        'purchase-order-updates',
        'purchase-orders',
      ].sort(),
    );
  });

  test('topicName prepends the prefix as is', () => {
    expect(topicName('orders')).toBe('orders');
    expect(topicName('orders', '')).toBe('orders');
    expect(topicName('inventory-dlq', 'staging.')).toBe('staging.inventory-dlq');
  });

  test('baseTopicOf maps a real topic back to its default name', () => {
    expect(baseTopicOf('staging.orders', 'staging.')).toBe('orders');
    expect(baseTopicOf('orders')).toBe('orders');
    expect(baseTopicOf('orders', 'staging.')).toBeUndefined();
    expect(baseTopicOf('staging.returns', 'staging.')).toBeUndefined();
  });

  test('header names are the contract names', () => {
    expect(envelopeHeaders).toEqual({ eventType: 'event-type', eventId: 'event-id', traceparent: 'traceparent' });
    expect(Object.values(deadLetterHeaders)).toEqual([
      'dlq-original-topic',
      'dlq-original-partition',
      'dlq-original-offset',
      'dlq-error-code',
      'dlq-error-message',
      'dlq-failed-at',
      'dlq-truncated',
      'dlq-original-size',
    ]);
  });
});
