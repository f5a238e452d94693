import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectJpeg } from '../../shared/index.js';
import { prng } from '../../test/prng.js';
import { JpegSplitter, type SplitterDrop } from './jpeg-splitter.js';

function segment(marker: number, payload: Buffer | number[]): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([head, body]);
}

/** A structurally valid JPEG (markers only; the pixels are nonsense) with the given scan bytes. */
function syntheticJpeg(entropy: number[], extraSegments: Buffer[] = []): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    ...extraSegments,
    segment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    segment(0xc0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0]),
    segment(0xda, [1, 1, 0, 0, 63, 0]),
    Buffer.from(entropy),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** Splits `stream` into chunks of the given sizes (the last takes the rest). */
function chunk(stream: Buffer, sizes: () => number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length;) {
    const n = Math.max(1, Math.min(sizes(), stream.length - at));
    out.push(stream.subarray(at, at + n));
    at += n;
  }
  return out;
}

function split(
  chunks: Buffer[],
  maxFrameBytes = 1 << 20,
): { frames: Buffer[]; drops: SplitterDrop[]; s: JpegSplitter } {
  const frames: Buffer[] = [];
  const drops: SplitterDrop[] = [];
  const s = new JpegSplitter(
    (f) => frames.push(Buffer.from(f)),
    maxFrameBytes,
    (r) => drops.push(r),
  );
  for (const c of chunks) s.push(c);
  return { frames, drops, s };
}

let baseline: Buffer;
let progressive: Buffer;
let small: Buffer;
beforeAll(async () => {
  const raw = Buffer.alloc(96 * 64 * 3);
  const rnd = prng(7);
  for (let i = 0; i < raw.length; i++) raw[i] = (rnd() * 256) | 0;
  const image = sharp(raw, { raw: { width: 96, height: 64, channels: 3 } });
  baseline = await image.clone().jpeg({ quality: 90 }).toBuffer();
  progressive = await image.clone().jpeg({ quality: 90, progressive: true }).toBuffer();
  small = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 9, g: 9, b: 9 } } })
    .jpeg()
    .toBuffer();
});

describe('JpegSplitter', () => {
  it('splits at every chunk size from 1 to 97 bytes, with garbage between frames', () => {
    const garbage = Buffer.from([0x00, 0xff, 0xd9, 0xff, 0xff, 0x12, 0xff, 0x00, 0xd8, 0xff]);
    const stream = Buffer.concat([garbage, baseline, progressive, garbage, small, baseline]);
    for (let size = 1; size <= 97; size++) {
      const { frames, drops, s } = split(chunk(stream, () => size));
      expect(frames, `chunk size ${size}`).toEqual([baseline, progressive, small, baseline]);
      expect(drops).toEqual([]);
      expect(s.stats.garbageBytes).toBe(2 * garbage.length);
    }
  });

  it('splits at random points (500 seeded chunkings)', () => {
    const stream = Buffer.concat([small, baseline, Buffer.from('garbage'), progressive, small]);
    for (let seed = 1; seed <= 500; seed++) {
      const rnd = prng(seed);
      const { frames } = split(chunk(stream, () => 1 + Math.floor(rnd() * 700)));
      expect(frames, `seed ${seed}`).toEqual([small, baseline, progressive, small]);
    }
  });

  it('emits several frames from one chunk, in order', () => {
    const { frames, s } = split([Buffer.concat([small, small, baseline, small])]);
    expect(frames).toEqual([small, small, baseline, small]);
    expect(s.stats.frames).toBe(4);
  });

  it('does not end a frame at the EOI of a thumbnail inside APP1', () => {
    const exif = segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0'), small]));
    const withThumb = syntheticJpeg([1, 2, 3], [exif]);
    expect(inspectJpeg(withThumb).ok).toBe(true);
    for (const size of [1, 2, 3, 5, 64, 4096]) {
      expect(split(chunk(withThumb, () => size)).frames).toEqual([withThumb]);
    }
  });

  it('reads through stuffed bytes, restart markers and fill bytes in the scan', () => {
    const jpeg = syntheticJpeg([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xd7, 0xff, 0xff, 0xff, 0x00, 0x78]);
    expect(inspectJpeg(jpeg).ok).toBe(true);
    for (const size of [1, 2, 3, 7]) {
      expect(split(chunk(Buffer.concat([jpeg, jpeg]), () => size)).frames).toEqual([jpeg, jpeg]);
    }
  });

  it('drops a frame larger than maxFrameBytes and carries on with the next', () => {
    const limit = small.length + 10;
    expect(baseline.length).toBeGreaterThan(limit);
    for (const size of [1, 100, 100_000]) {
      const { frames, drops, s } = split(
        chunk(Buffer.concat([small, baseline, small]), () => size),
        limit,
      );
      expect(frames).toEqual([small, small]);
      expect(drops).toEqual(['oversize']);
      expect(s.stats.oversize).toBe(1);
    }
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    expect(split([small], small.length).frames).toEqual([small]);
    expect(split([small], small.length - 1).frames).toEqual([]);
  });

  it('drops a frame cut short by the next SOI (FFmpeg died mid-write) and keeps the next whole', () => {
    const cut = baseline.subarray(0, Math.floor(baseline.length / 2));
    for (const size of [1, 2, 333, 100_000]) {
      const { frames, drops } = split(chunk(Buffer.concat([cut, small, baseline]), () => size));
      expect(frames, `chunk size ${size}`).toEqual([small, baseline]);
      expect(drops).toEqual(['corrupt']);
    }
  });

  it('drops a frame whose headers are not markers and resynchronises', () => {
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0x12, 0x34]), small]);
    const { frames, drops } = split([broken]);
    expect(frames).toEqual([small]);
    expect(drops).toEqual(['corrupt']);
  });

  it('reset() forgets a partial frame without counting a drop', () => {
    const frames: Buffer[] = [];
    const s = new JpegSplitter((f) => frames.push(f), 1 << 20);
    s.push(baseline.subarray(0, 500));
    s.reset();
    s.push(small);
    expect(frames).toEqual([small]);
    expect(s.stats).toMatchObject({ frames: 1, corrupt: 0, oversize: 0 });
  });

  it('skips a stream of pure garbage', () => {
    const rnd = prng(99);
    const noise = Buffer.from(
      Array.from({ length: 50_000 }, () => (rnd() < 0.1 ? 0xff : (rnd() * 256) | 0)).map((b) =>
        b === 0xd8 ? 0xd7 : b,
      ),
    );
    const { frames, s } = split(chunk(noise, () => 4096));
    expect(frames).toEqual([]);
    expect(s.stats.garbageBytes).toBe(noise.length);
  });
});
