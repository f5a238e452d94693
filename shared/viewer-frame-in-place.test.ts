import { decode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { encodeViewerFrame, type ViewerFrame } from './envelope.js';
import { encodeViewerFrameHeader, encodeViewerFrameInPlace, VIEWER_HEADER_MAX_BYTES } from './viewer-frame-in-place.js';

/** `jpeg` placed after `free` bytes of room in one buffer, as ingest's body reader leaves it. */
function framed(jpeg: Uint8Array, free: number, fields: Partial<ViewerFrame> = {}): ViewerFrame {
  const buf = new Uint8Array(free + jpeg.length + 7).fill(0x55);
  buf.set(jpeg, free);
  return {
    timestamp: 1_763_800_000_123,
    width: 1280,
    height: 720,
    streamId: 'cam-1',
    seq: 1,
    receivedAt: 1_763_800_000_130,
    format: 'jpeg',
    ...fields,
    data: buf.subarray(free, free + jpeg.length),
  };
}

const jpegOf = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

describe('encodeViewerFrameInPlace', () => {
  const numbers = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
  const cases: Array<[string, Partial<ViewerFrame>, number]> = [
    ...numbers.map((seq): [string, Partial<ViewerFrame>, number] => [`seq ${seq}`, { seq }, 1000]),
    ...[-1, -32, -33, -128, -129, -32_768, -32_769, -(2 ** 31), -(2 ** 31) - 1].map(
      (t): [string, Partial<ViewerFrame>, number] => [`timestamp ${t}`, { timestamp: t }, 1000],
    ),
    ['fractional timestamps', { timestamp: 1_763_800_000_123.25, receivedAt: 0.5 }, 1000],
    ['a 64-character stream id', { streamId: 'a'.repeat(64) }, 1000],
    ['a 31-character stream id', { streamId: 'b'.repeat(31) }, 1000],
    ['a non-ASCII string (not a valid stream id, still encoded right)', { streamId: 'cämérà-ü' }, 1000],
    ['bin 8 data', {}, 200],
    ['bin 16 data', {}, 65_535],
    ['bin 32 data', {}, 65_536],
  ];

  it.each(cases)('writes the same bytes as encodeViewerFrame: %s', (_name, fields, size) => {
    const frame = framed(jpegOf(size), VIEWER_HEADER_MAX_BYTES, fields);
    const inPlace = encodeViewerFrameInPlace(frame, VIEWER_HEADER_MAX_BYTES);
    expect(inPlace).toBeDefined();
    expect(Buffer.from(inPlace as Uint8Array).equals(Buffer.from(encodeViewerFrame(frame)))).toBe(true);
  });

  it.each(cases)('header + JPEG is the same bytes as encodeViewerFrame: %s', (_name, fields, size) => {
    const frame = framed(jpegOf(size), 0, fields);
    const joined = Buffer.concat([encodeViewerFrameHeader(frame, Buffer.allocUnsafe), frame.data]);
    expect(joined.equals(Buffer.from(encodeViewerFrame(frame)))).toBe(true);
  });

  it('shares the JPEG bytes with the frame (no copy) and decodes to the frame', () => {
    const frame = framed(jpegOf(5000), 300);
    const wire = encodeViewerFrameInPlace(frame, 300) as Uint8Array;
    expect(wire.buffer).toBe(frame.data.buffer);
    expect(wire.byteOffset + wire.byteLength).toBe(frame.data.byteOffset + frame.data.byteLength);
    const decoded = decode(wire) as Record<string, unknown>;
    expect(decoded).toMatchObject({ seq: 1, streamId: 'cam-1', width: 1280, format: 'jpeg' });
    expect(Buffer.from(decoded.data as Uint8Array).equals(Buffer.from(jpegOf(5000)))).toBe(true);
  });

  it('refuses when the room before the JPEG is too small, writing nothing', () => {
    const frame = framed(jpegOf(100), 40);
    const before = Buffer.from(new Uint8Array(frame.data.buffer)).toString('hex');
    expect(encodeViewerFrameInPlace(frame, 40)).toBeUndefined();
    expect(Buffer.from(new Uint8Array(frame.data.buffer)).toString('hex')).toBe(before);
  });
});
