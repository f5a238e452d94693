import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { encodeFrameEnvelope, encodeViewerFrame } from '../../shared/index.js';
import { readFrameHead } from './frame-head.js';

const JPEG = Buffer.alloc(50_000, 0xab);

describe('readFrameHead', () => {
  it.each([
    { name: 'small seq', seq: 7, timestamp: 1_763_000_000_123, receivedAt: 1_763_000_000_130 },
    { name: 'uint16 seq', seq: 300, timestamp: 1_763_000_000_123, receivedAt: 1_763_000_000_130 },
    { name: 'uint32 seq', seq: 70_000, timestamp: 1_763_000_000_123.5, receivedAt: 1_763_000_000_130.25 },
    { name: 'huge seq', seq: 2 ** 40, timestamp: 1, receivedAt: 2 },
  ])('reads $name from the first 256 bytes of a viewer frame', ({ seq, timestamp, receivedAt }) => {
    const bytes = encodeViewerFrame({
      timestamp,
      width: 1280,
      height: 720,
      data: JPEG,
      streamId: 'cam-1',
      seq,
      receivedAt,
      format: 'jpeg',
    });
    expect(readFrameHead(bytes.subarray(0, 256))).toEqual({ seq, timestamp, receivedAt });
  });

  it("reads the bench publisher's envelope (what the naive relay forwards)", () => {
    const bytes = encodeFrameEnvelope({ streamId: 'b0', seq: 9, timestamp: 1234, width: 1, height: 1, data: JPEG });
    expect(readFrameHead(bytes.subarray(0, 256))).toEqual({ seq: 9, timestamp: 1234 });
  });

  it('skips maps, arrays, strings and booleans before the fields it wants', () => {
    const bytes = encode({ meta: { a: [1, 'x', true, null], b: -5 }, note: 'y'.repeat(40), seq: 3, data: JPEG });
    expect(readFrameHead(bytes.subarray(0, 256))).toEqual({ seq: 3 });
  });

  it('returns what precedes a cut in the middle of the fields', () => {
    const bytes = encode({ timestamp: 5, seq: 6, receivedAt: 7 });
    expect(readFrameHead(bytes.subarray(0, bytes.length - 1))).toEqual({ timestamp: 5, seq: 6 });
  });

  it('throws on bytes that are not a msgpack map', () => {
    expect(() => readFrameHead(Buffer.from([0x93, 1, 2, 3]))).toThrow('not a msgpack map');
    expect(() => readFrameHead(Buffer.from([0x81, 0xa1, 0x78, 0xc1]))).toThrow('unexpected msgpack type 0xc1');
  });
});
