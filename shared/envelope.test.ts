import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import {
  decodeFrameEnvelope,
  decodeViewerFrame,
  encodeFrameEnvelope,
  encodeViewerFrame,
  type DecodeLimits,
  type ViewerFrame,
} from './envelope.js';
import { MAX_ENVELOPE_KEYS } from './limits.js';

// decodeFrameEnvelope does not look inside `data`; any bytes will do.
const DATA = Uint8Array.from([0xff, 0xd8, 0x01, 0x02, 0x03, 0xff, 0xd9]);

/** The seed producer's exact form. */
const seed = { timestamp: 1_700_000_000_123, width: 640, height: 480, data: DATA };

function withoutKey(key: keyof typeof seed): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...seed };
  delete copy[key];
  return copy;
}

function withKeys(count: number): Record<string, unknown> {
  const m: Record<string, unknown> = { ...seed };
  for (let i = 0; Object.keys(m).length < count; i++) m[`extra${i}`] = i;
  return m;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

describe('decodeFrameEnvelope rejects', () => {
  it.each<{ name: string; input: Uint8Array; code: string; limits?: DecodeLimits }>([
    { name: 'bytes that are not msgpack', input: Uint8Array.from([0xc1]), code: 'invalid_envelope' },
    { name: 'empty input', input: new Uint8Array(0), code: 'invalid_envelope' },
    { name: 'a msgpack array', input: encode([1, 2, 3]), code: 'invalid_envelope' },
    { name: 'a msgpack string', input: encode('frame'), code: 'invalid_envelope' },
    { name: 'msgpack nil', input: encode(null), code: 'invalid_envelope' },
    { name: 'msgpack binary', input: encode(DATA), code: 'invalid_envelope' },
    { name: 'missing timestamp', input: encode(withoutKey('timestamp')), code: 'invalid_envelope' },
    { name: 'missing width', input: encode(withoutKey('width')), code: 'invalid_envelope' },
    { name: 'missing height', input: encode(withoutKey('height')), code: 'invalid_envelope' },
    { name: 'missing data', input: encode(withoutKey('data')), code: 'invalid_envelope' },
    { name: 'negative timestamp', input: encode({ ...seed, timestamp: -1 }), code: 'invalid_envelope' },
    { name: 'NaN timestamp', input: encode({ ...seed, timestamp: NaN }), code: 'invalid_envelope' },
    { name: 'infinite timestamp', input: encode({ ...seed, timestamp: Infinity }), code: 'invalid_envelope' },
    { name: 'timestamp as string', input: encode({ ...seed, timestamp: '1700000000000' }), code: 'invalid_envelope' },
    { name: 'width 0', input: encode({ ...seed, width: 0 }), code: 'invalid_envelope' },
    { name: 'width 16385', input: encode({ ...seed, width: 16385 }), code: 'invalid_envelope' },
    { name: 'width 1.5', input: encode({ ...seed, width: 1.5 }), code: 'invalid_envelope' },
    { name: 'width as string', input: encode({ ...seed, width: '640' }), code: 'invalid_envelope' },
    { name: 'height 0', input: encode({ ...seed, height: 0 }), code: 'invalid_envelope' },
    { name: 'height 16385', input: encode({ ...seed, height: 16385 }), code: 'invalid_envelope' },
    { name: 'data as string', input: encode({ ...seed, data: 'ffd8ffd9' }), code: 'invalid_envelope' },
    { name: 'empty data', input: encode({ ...seed, data: new Uint8Array(0) }), code: 'invalid_envelope' },
    { name: 'format "png"', input: encode({ ...seed, format: 'png' }), code: 'invalid_envelope' },
    { name: 'seq -1', input: encode({ ...seed, seq: -1 }), code: 'invalid_envelope' },
    { name: 'seq 1.5', input: encode({ ...seed, seq: 1.5 }), code: 'invalid_envelope' },
    { name: 'streamId with a slash', input: encode({ ...seed, streamId: 'cam/1' }), code: 'invalid_stream_id' },
    { name: 'streamId of 65 chars', input: encode({ ...seed, streamId: 'a'.repeat(65) }), code: 'invalid_stream_id' },
    { name: 'empty streamId', input: encode({ ...seed, streamId: '' }), code: 'invalid_stream_id' },
    { name: 'streamId as number', input: encode({ ...seed, streamId: 7 }), code: 'invalid_stream_id' },
    { name: 'meta as array', input: encode({ ...seed, meta: ['a', 'b'] }), code: 'invalid_envelope' },
    { name: 'meta as nil', input: encode({ ...seed, meta: null }), code: 'invalid_envelope' },
    { name: 'meta as string', input: encode({ ...seed, meta: 'x' }), code: 'invalid_envelope' },
    {
      name: `a map with ${MAX_ENVELOPE_KEYS + 1} keys`,
      input: encode(withKeys(MAX_ENVELOPE_KEYS + 1)),
      code: 'invalid_envelope',
    },
    { name: 'a string over 1024 chars', input: encode({ ...seed, note: 'x'.repeat(1025) }), code: 'invalid_envelope' },
    {
      name: 'extra trailing bytes after the map',
      input: concat(encode(seed), Uint8Array.from([0xc0])),
      code: 'invalid_envelope',
    },
  ])('$name -> $code', ({ input, code, limits }) => {
    expect(decodeFrameEnvelope(input, limits)).toMatchObject({ ok: false, code, message: expect.any(String) });
  });

  // Guards a fixed bug: the decoder's own maxBinLength threw first, so this came back as invalid_envelope.
  it('data over maxFrameBytes -> payload_too_large', () => {
    const result = decodeFrameEnvelope(encode({ ...seed, data: new Uint8Array(9) }), { maxFrameBytes: 8 });
    expect(result).toMatchObject({ ok: false, code: 'payload_too_large' });
  });
});

describe('decodeFrameEnvelope accepts', () => {
  it("the seed producer's four-field form", () => {
    const result = decodeFrameEnvelope(encode(seed));
    expect(result).toEqual({ ok: true, value: seed });
    if (!result.ok) return;
    const { streamId, seq, format, meta } = result.value;
    expect({ streamId, seq, format, meta }).toEqual({});
    expect(Object.keys(result.value).sort()).toEqual([
      'data',
      'format',
      'height',
      'meta',
      'seq',
      'streamId',
      'timestamp',
      'width',
    ]);
  });

  it('data exactly at maxFrameBytes', () => {
    const result = decodeFrameEnvelope(encode({ ...seed, data: new Uint8Array(8).fill(7) }), { maxFrameBytes: 8 });
    expect(result.ok).toBe(true);
  });

  it.each([
    { name: 'streamId', extra: { streamId: 'cam-1.front_door' }, expected: { streamId: 'cam-1.front_door' } },
    { name: 'seq 0', extra: { seq: 0 }, expected: { seq: 0 } },
    { name: 'seq', extra: { seq: 12345 }, expected: { seq: 12345 } },
    { name: 'format', extra: { format: 'jpeg' }, expected: { format: 'jpeg' } },
    {
      name: 'meta',
      extra: { meta: { camera: 'lobby', exposure: 12 } },
      expected: { meta: { camera: 'lobby', exposure: 12 } },
    },
    {
      name: 'all optional fields',
      extra: { streamId: 's1', seq: 9, format: 'jpeg', meta: { a: 1 } },
      expected: { streamId: 's1', seq: 9, format: 'jpeg', meta: { a: 1 } },
    },
    { name: 'a 64-char streamId', extra: { streamId: 'a'.repeat(64) }, expected: { streamId: 'a'.repeat(64) } },
  ])('with optional $name', ({ extra, expected }) => {
    expect(decodeFrameEnvelope(encode({ ...seed, ...extra }))).toEqual({ ok: true, value: { ...seed, ...expected } });
  });

  it('ignores unknown extra keys', () => {
    expect(decodeFrameEnvelope(encode({ ...seed, camera: 'x', fps: 30, nested: { a: [1, 2] } }))).toEqual({
      ok: true,
      value: seed,
    });
  });

  it(`accepts a map of exactly ${MAX_ENVELOPE_KEYS} keys`, () => {
    expect(decodeFrameEnvelope(encode(withKeys(MAX_ENVELOPE_KEYS)))).toEqual({ ok: true, value: seed });
  });

  it('round-trips encodeFrameEnvelope, leaving undefined optional fields out', () => {
    const bytes = encodeFrameEnvelope({ ...seed, streamId: 'cam1', seq: 3, format: 'jpeg', meta: undefined });
    expect(decode(bytes)).not.toHaveProperty('meta');
    expect(decodeFrameEnvelope(bytes)).toEqual({
      ok: true,
      value: { ...seed, streamId: 'cam1', seq: 3, format: 'jpeg' },
    });
  });

  it('decodes the same bytes correctly after a failed decode with the same limits', () => {
    expect(decodeFrameEnvelope(encode([1]), { maxFrameBytes: 100 }).ok).toBe(false);
    expect(decodeFrameEnvelope(encode(seed), { maxFrameBytes: 100 })).toEqual({ ok: true, value: seed });
  });
});

describe('viewer frames', () => {
  const frame: ViewerFrame = {
    timestamp: 1_700_000_000_000.5,
    width: 1280,
    height: 720,
    data: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff)),
    streamId: 'cam-7',
    seq: 42,
    receivedAt: 1_700_000_000_050,
    format: 'jpeg',
  };

  it('round-trips through encodeViewerFrame and decodeViewerFrame', () => {
    const result = decodeViewerFrame(encodeViewerFrame(frame));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { data, ...fields } = result.value;
    const { data: original, ...expectedFields } = frame;
    expect(fields).toEqual(expectedFields);
    expect(Buffer.compare(Buffer.from(data), Buffer.from(original))).toBe(0);
  });

  it('decodes as a seed-style object with plain msgpack decode', () => {
    const seedView = decode(encodeViewerFrame(frame)) as Record<string, unknown>;
    expect(seedView).toMatchObject({ timestamp: frame.timestamp, width: 1280, height: 720 });
    expect(seedView.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(seedView.data as Uint8Array).equals(Buffer.from(frame.data))).toBe(true);
  });

  it('puts data last, so a streaming reader has every other field before the JPEG', () => {
    const bytes = Buffer.from(encodeViewerFrame(frame));
    expect(bytes.subarray(bytes.length - frame.data.byteLength).equals(Buffer.from(frame.data))).toBe(true);
    expect(bytes[bytes.length - frame.data.byteLength - 3]).toBe(0xc5); // bin 16 header of data
  });

  it.each([
    { name: 'missing streamId', patch: { streamId: undefined }, code: 'invalid_stream_id' },
    { name: 'invalid streamId', patch: { streamId: 'a b' }, code: 'invalid_stream_id' },
    { name: 'missing seq', patch: { seq: undefined }, code: 'invalid_envelope' },
    { name: 'missing receivedAt', patch: { receivedAt: undefined }, code: 'invalid_envelope' },
    { name: 'width 0', patch: { width: 0 }, code: 'invalid_envelope' },
  ])('decodeViewerFrame rejects $name -> $code', ({ patch, code }) => {
    const bytes = encode({ ...frame, ...patch }, { ignoreUndefined: true });
    expect(decodeViewerFrame(bytes)).toMatchObject({ ok: false, code });
  });

  it('decodeViewerFrame rejects a publisher envelope that lacks the viewer fields', () => {
    expect(decodeViewerFrame(encode(seed))).toMatchObject({ ok: false, code: 'invalid_stream_id' });
  });
});
