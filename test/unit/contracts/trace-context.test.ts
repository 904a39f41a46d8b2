import { validTraceparent } from '../../../src/contracts';

describe('validTraceparent (W3C trace context)', () => {
  const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('passes a version-00 value on unchanged, from a string or the Buffer kafkajs gives', () => {
    expect(validTraceparent(valid)).toBe(valid);
    expect(validTraceparent(Buffer.from(valid))).toBe(valid);
  });

  it('passes a later version on in the 00 form, without its extra fields', () => {
    expect(validTraceparent('cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-adds')).toBe(valid);
    expect(validTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(valid);
  });

  it.each([
    ['absent', undefined],
    ['sent twice', [Buffer.from(valid), Buffer.from(valid)]],
    ['empty', ''],
    ['a NUL byte at the end', `${valid}\u0000`],
    ['a NUL byte inside', valid.replace('4736', '47\u00006')],
    ['garbage', 'not a trace context'],
    ['upper-case hex', valid.toUpperCase()],
    ['version ff', valid.replace(/^00/, 'ff')],
    ['version 00 with more fields', `${valid}-extra`],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['a later version with a space in its extra fields', 'cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-a b'],
    ['over 512 characters', `cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-${'x'.repeat(600)}`],
    ['bytes that are not UTF-8', Buffer.from([0x30, 0x30, 0x2d, 0xff, 0xfe])],
  ])('drops a value that is %s', (_what, header) => {
    expect(validTraceparent(header)).toBeUndefined();
  });
});
