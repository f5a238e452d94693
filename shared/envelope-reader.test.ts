import { Decoder, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { readEnvelopeFields } from './envelope-reader.js';
import { encodeFrameEnvelope, encodeViewerFrame } from './envelope.js';
import { MAX_ENVELOPE_KEYS, MAX_ENVELOPE_STRING } from './limits.js';
import { prng } from '../test/prng.js';

// The full decoder as envelope.ts configures it: what the reader must agree with.
const full = new Decoder({
  maxStrLength: MAX_ENVELOPE_STRING,
  maxArrayLength: MAX_ENVELOPE_KEYS,
  maxMapLength: MAX_ENVELOPE_KEYS,
  maxExtLength: 0,
});

function fullDecode(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: full.decode(bytes) };
  } catch {
    return { ok: false };
  }
}

function defined(fields: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xff, 0xd9]);

const KEYS = ['timestamp', 'width', 'height', 'data', 'streamId', 'seq', 'format', 'receivedAt', 'meta', 'other'];

function randomValue(r: () => number): unknown {
  const pick = Math.floor(r() * 16);
  const int = (max: number) => Math.floor(r() * max);
  switch (pick) {
    case 0:
      return int(128);
    case 1:
      return -int(2 ** (5 + int(27))); // negative fixint, int8, int16, int32
    case 2:
      return int(2 ** (8 + int(24))); // uint8, uint16, uint32
    case 3:
      return -int(2 ** 31) - 1;
    case 4:
      return 1_700_000_000_000 + int(1e9);
    case 5:
      return -int(2 ** 40);
    case 6:
      return r() * 1e6;
    case 7:
      return null;
    case 8:
      return r() < 0.5;
    case 9:
      return 'cam-' + int(1000);
    case 10:
      return 'kamera-ü';
    case 11:
      return 'x'.repeat(int(300));
    case 12:
      return JPEG.subarray(0, 1 + int(JPEG.length));
    case 13:
      return new Uint8Array(200 + int(200)); // bin16 (bin32 is in the test above)
    case 14:
      return { site: 'north', n: int(10) };
    default:
      return [1, 2];
  }
}

function randomEnvelope(r: () => number): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const n = Math.floor(r() * 10);
  for (let i = 0; i < n; i++) m[KEYS[Math.floor(r() * KEYS.length)] as string] = randomValue(r);
  return m;
}

describe('readEnvelopeFields', () => {
  it('reads what capture and the load tools send, without the full decoder', () => {
    const sent = {
      timestamp: 1_764_590_000_123,
      width: 1280,
      height: 720,
      data: JPEG,
      streamId: 'cam-1',
      seq: 41,
      format: 'jpeg' as const,
    };
    expect(defined(readEnvelopeFields(encodeFrameEnvelope(sent)) ?? {})).toEqual(sent);
    const viewer = encodeViewerFrame({
      timestamp: 1.5,
      width: 640,
      height: 360,
      data: JPEG,
      streamId: 'default',
      seq: 2 ** 40,
      receivedAt: 1_764_590_000_200,
      format: 'jpeg',
    });
    expect(readEnvelopeFields(viewer)).toMatchObject({ timestamp: 1.5, seq: 2 ** 40, receivedAt: 1_764_590_000_200 });
    // The seed producer's four fields.
    const seed = encode({ timestamp: 1_700_000_000_123, width: 640, height: 480, data: JPEG });
    expect(readEnvelopeFields(seed)).toMatchObject({ width: 640, height: 480, streamId: undefined, meta: undefined });
  });

  // Forms our encoder never picks but other msgpack libraries may.
  const key = (k: string) => [0xa0 + k.length, ...Buffer.from(k)];
  it.each([
    ['float32', [0x81, ...key('timestamp'), 0xca, 0x3f, 0xc0, 0x00, 0x00], 1.5],
    ['str8', [0x81, ...key('streamId'), 0xd9, 0x02, 0x61, 0x62], 'ab'],
    ['str16', [0x81, ...key('format'), 0xda, 0x00, 0x01, 0x6a], 'j'],
    ['uint8', [0x81, ...key('width'), 0xcc, 0x05], 5],
    ['int64', [0x81, ...key('seq'), 0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], -2],
    ['map16', [0xde, 0x00, 0x01, ...key('height'), 0x07], 7],
  ])('reads a %s as the full decoder does', (_form, bytes, expected) => {
    const input = Uint8Array.from(bytes);
    const fields = defined(readEnvelopeFields(input) ?? {});
    expect(Object.values(fields)).toEqual([expected]);
    expect(fullDecode(input)).toEqual({ ok: true, value: fields });
  });

  it.each([
    ['bin8', JPEG],
    ['bin32', new Uint8Array(70_000).fill(7)],
  ])('gives %s values as views into the input, as the full decoder does', (_name, jpeg) => {
    const body = Buffer.from(encodeFrameEnvelope({ timestamp: 1, width: 2, height: 2, data: jpeg }));
    const data = readEnvelopeFields(body)?.data as Buffer;
    expect(Buffer.isBuffer(data)).toBe(true);
    expect(data.buffer).toBe(body.buffer);
    expect(Buffer.compare(data, jpeg)).toBe(0);
  });

  it.each([
    ['a nested meta map', encode({ timestamp: 1, meta: { a: 1 } })],
    ['an unknown key', encode({ timestamp: 1, camera: 'north' })],
    ['a non-ASCII string', encode({ streamId: 'kamera-ü' })],
    ['a string over the limit', encode({ format: 'x'.repeat(MAX_ENVELOPE_STRING + 1) })],
    ['more keys than allowed', Uint8Array.from([0xde, 0x00, MAX_ENVELOPE_KEYS + 1])],
    ['bytes after the map', Uint8Array.from([...encode({ width: 1 }), 0x00])],
    ['a truncated body', encode({ data: JPEG }).subarray(0, 8)],
    ['a top-level array', encode([1, 2])],
    ['an empty body', new Uint8Array(0)],
  ])('leaves %s to the full decoder', (_name, bytes) => {
    expect(readEnvelopeFields(bytes)).toBeUndefined();
  });

  it('agrees with the full decoder on 5000 random envelopes and their corruptions', () => {
    const r = prng(6);
    let read = 0;
    for (let i = 0; i < 5000; i++) {
      const clean = encode(randomEnvelope(r));
      const variants = [clean, clean.subarray(0, Math.floor(r() * clean.length))];
      const mutated = Uint8Array.from(clean);
      for (let k = 0; k < 3 && mutated.length > 0; k++)
        mutated[Math.floor(r() * mutated.length)] = Math.floor(r() * 256);
      variants.push(mutated);
      for (const bytes of variants) {
        const fields = readEnvelopeFields(bytes);
        if (!fields) continue;
        read++;
        const reference = fullDecode(bytes);
        expect(reference.ok, `full decoder refused what the reader read: ${Buffer.from(bytes).toString('hex')}`).toBe(
          true,
        );
        if (reference.ok) expect(defined(fields)).toEqual(reference.value);
      }
    }
    // Most random envelopes are in the reader's shape; if it gave up on all of them this test would prove nothing.
    expect(read).toBeGreaterThan(2000);
  });
});
