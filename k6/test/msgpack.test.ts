import { readFileSync } from 'node:fs';
import { decode as refDecode, encode as refEncode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { encodeFrameEnvelope, encodeViewerFrame } from '../../shared/index.js';
import { postFrame, solidJpeg, startTestIngest } from '../../services/ingest/test/helpers.js';
import { decode, encodeMap } from '../lib/msgpack.js';
import { envelopeBody, loadFrames } from '../lib/publisher.js';

const bytes = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill);
const frame720 = readFileSync(new URL('../frames/720p.jpg', import.meta.url));
/** The file as k6's open(path, 'b') returns it: an ArrayBuffer of its own. */
const arrayBuffer = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;

describe('k6 msgpack encoder', () => {
  // Every integer width, both signs, floats, every string and binary length class.
  const values: Array<[string, unknown]> = [
    ['fixint', 5],
    ['uint8', 200],
    ['uint16', 1280],
    ['uint32', 70_000],
    ['uint64 (a timestamp in ms)', 1_763_779_200_123],
    ['max safe integer', Number.MAX_SAFE_INTEGER],
    ['negative fixint', -3],
    ['int8', -100],
    ['int16', -30_000],
    ['int32', -2_000_000_000],
    ['int64', -1_763_779_200_123],
    ['float', 29.97],
    ['unsafe integer as float', 2 ** 60],
    ['empty string', ''],
    ['fixstr 31', 'a'.repeat(31)],
    ['str8 32', 'b'.repeat(32)],
    ['str8 255', 'c'.repeat(255)],
    ['str16 256', 'd'.repeat(256)],
    ['str32 65536', 'e'.repeat(65_536)],
    ['utf-8 2, 3 and 4 bytes', 'café ☕ 🎥 cam'],
    ['true', true],
    ['false', false],
    ['null', null],
    ['bin8', bytes(10)],
    ['bin16', bytes(300)],
    ['bin32', bytes(70_000)],
  ];
  it.each(values)('encodes %s byte for byte as @msgpack/msgpack does', (_name, v) => {
    const map = { k: v as string };
    expect(Buffer.from(encodeMap(map))).toEqual(Buffer.from(refEncode(map)));
  });

  it('leaves undefined values out, as ignoreUndefined does', () => {
    const map = { a: 1, b: undefined, c: 'x' };
    expect(Buffer.from(encodeMap(map))).toEqual(Buffer.from(refEncode(map, { ignoreUndefined: true })));
  });

  it('uses map16 from 16 keys', () => {
    const map = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]));
    expect(Buffer.from(encodeMap(map))).toEqual(Buffer.from(refEncode(map)));
  });

  it('accepts an ArrayBuffer as binary (what k6 open(path, "b") returns)', () => {
    const b = bytes(40, 9);
    expect(refDecode(encodeMap({ data: arrayBuffer(b) }))).toEqual({ data: b });
  });

  it('refuses what it cannot encode', () => {
    expect(() => encodeMap({ a: {} as unknown as string })).toThrow(/cannot encode object/);
  });
});

describe('publisher envelope', () => {
  it("is byte for byte the benchmark publisher's envelope (shared encodeFrameEnvelope)", () => {
    const [f] = loadFrames([arrayBuffer(frame720)], ['720p']);
    if (!f) throw new Error('no frame');
    const timestamp = Date.now();
    const ours = new Uint8Array(envelopeBody(f, 'cam-1', 42, timestamp));
    const bench = encodeFrameEnvelope({
      streamId: 'cam-1',
      seq: 42,
      timestamp,
      width: 1280,
      height: 720,
      data: f.data,
    });
    expect(Buffer.from(ours)).toEqual(Buffer.from(bench));
    expect(refDecode(ours)).toEqual({ streamId: 'cam-1', seq: 42, timestamp, width: 1280, height: 720, data: f.data });
  });

  it('is accepted by a real ingest: 204, and the stream has the JPEG size', async () => {
    const ingest = await startTestIngest();
    try {
      const jpeg = await solidJpeg(320, 240, [10, 200, 30]);
      const [small] = loadFrames([arrayBuffer(jpeg)], ['solid']);
      const [big] = loadFrames([arrayBuffer(frame720)], ['720p']);
      if (!small || !big) throw new Error('no frame');
      const r1 = await postFrame(ingest.url, 'k6-a', new Uint8Array(envelopeBody(small, 'k6-a', 1, Date.now())));
      expect(r1.status).toBe(204);
      const r2 = await postFrame(ingest.url, 'k6-b', new Uint8Array(envelopeBody(big, 'k6-b', 1, Date.now())));
      expect(r2.status).toBe(204);
      const a = (await (await fetch(`${ingest.url}/streams/k6-a`)).json()) as { width: number; height: number };
      const b = (await (await fetch(`${ingest.url}/streams/k6-b`)).json()) as { width: number; frames: number };
      expect([a.width, a.height]).toEqual([320, 240]);
      expect([b.width, b.frames]).toEqual([1280, 1]);
      // The same frame with the wrong size is refused: the size really comes from the JPEG.
      const wrong = encodeMap({
        streamId: 'k6-a',
        seq: 2,
        timestamp: Date.now(),
        width: 321,
        height: 240,
        data: small.data,
      });
      const r3 = await postFrame(ingest.url, 'k6-a', wrong);
      expect(r3.status).toBe(400);
    } finally {
      await ingest.close();
    }
  });
});

describe('k6 msgpack decoder', () => {
  it("decodes ingest's viewer frames (shared encodeViewerFrame), data as a view without a copy", () => {
    const data = bytes(100_000, 3);
    const frame = {
      timestamp: 1_763_779_200_123,
      width: 1280,
      height: 720,
      data,
      streamId: 'cam-1',
      seq: 70_001,
      receivedAt: 1_763_779_200_150.5,
      format: 'jpeg' as const,
    };
    const encoded = encodeViewerFrame(frame);
    const decoded = decode(encoded) as Record<string, unknown>;
    expect(decoded).toEqual(frame);
    expect((decoded.data as Uint8Array).buffer).toBe(encoded.buffer);
  });

  it('decodes an ArrayBuffer (what k6 hands a binary message as)', () => {
    const encoded = refEncode({ seq: 1 });
    expect(decode(encoded.slice().buffer)).toEqual({ seq: 1 });
  });

  const docs: Array<[string, unknown]> = [
    ['nested maps and arrays', { a: [1, -1, 'x', null, true, false, { b: [] }], c: {} }],
    ['array16', Array.from({ length: 20 }, (_, i) => i)],
    ['map16', Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))],
    ['every integer width', [0, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32, -1, -33, -129, -32_769, -(2 ** 32)]],
    ['float64', [0.5, -1.25, 1e300]],
    ['strings', ['', 'a'.repeat(40), 'é'.repeat(200), '🎥'.repeat(20_000)]],
  ];
  it.each(docs)('decodes %s as @msgpack/msgpack encodes it', (_name, doc) => {
    expect(decode(refEncode(doc))).toEqual(doc);
  });

  it('decodes float32', () => {
    expect(decode(refEncode(1.5, { forceFloat32: true }))).toBe(1.5);
  });

  const bad: Array<[string, Uint8Array, RegExp]> = [
    ['truncated', refEncode({ a: 'hello' }).subarray(0, 5), /truncated/],
    ['trailing bytes', new Uint8Array([0x01, 0x02]), /trailing/],
    ['ext type', new Uint8Array([0xd4, 0x01, 0x00]), /unsupported type 0xd4/],
    ['binary map key', new Uint8Array([0x81, 0xc4, 0x01, 0x00, 0x01]), /map key/],
  ];
  it.each(bad)('refuses %s', (_name, input, error) => {
    expect(() => decode(input)).toThrow(error);
  });
});
