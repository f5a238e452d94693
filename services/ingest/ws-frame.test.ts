import * as wsModule from 'ws';
import { describe, expect, it } from 'vitest';
import { WS_HEADER_MAX_BYTES, wsHeaderLength, writeWsBinaryHeader } from './ws-frame.js';

// ws's own framing; its export is not in @types/ws.
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender;

// What ws itself puts in front of an unmasked final binary frame of `length` bytes.
function wsOwnHeader(length: number): Buffer {
  const data = { length } as unknown as Buffer; // Sender.frame reads only the length of unmasked data
  const [header] = Sender.frame(data, { fin: true, opcode: 2, mask: false, readOnly: true, rsv1: false });
  return header as Buffer;
}

describe('writeWsBinaryHeader', () => {
  it.each([0, 1, 125, 126, 127, 1000, 65535, 65536, 100_000, 0xffffffff, 0x100000000, 2 ** 40 + 3])(
    'writes the same bytes as ws for a %i-byte payload',
    (length) => {
      const out = Buffer.alloc(WS_HEADER_MAX_BYTES + 2, 0xee);
      const n = writeWsBinaryHeader(out, 1, length);
      const expected = wsOwnHeader(length);
      expect(n).toBe(expected.length);
      expect(wsHeaderLength(length)).toBe(expected.length);
      expect(out.subarray(1, 1 + n)).toEqual(expected);
      expect(out[0]).toBe(0xee); // nothing before `at`
      expect(out[1 + n]).toBe(0xee); // nothing after the header
    },
  );

  it.each([-1, 1.5, Number.NaN, 2 ** 53])('refuses the length %d', (length) => {
    expect(() => writeWsBinaryHeader(Buffer.alloc(WS_HEADER_MAX_BYTES), 0, length)).toThrow(RangeError);
  });
});
