import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jpegSize, readJpegSize } from '../lib/jpeg.js';
import { loadFrames } from '../lib/publisher.js';

type Sharp = ReturnType<typeof sharp>;

describe('jpegSize', () => {
  const kinds: Array<[string, (s: Sharp) => Sharp, number, number]> = [
    ['baseline', (s) => s.jpeg({ quality: 80 }), 641, 359],
    ['progressive', (s) => s.jpeg({ progressive: true }), 320, 240],
    ['with EXIF (APP1 before the frame header)', (s) => s.jpeg().withMetadata({ orientation: 1 }), 16, 4000],
  ];
  it.each(kinds)('reads the size of a %s JPEG', async (_name, fmt, width, height) => {
    const jpeg = await fmt(sharp({ create: { width, height, channels: 3, background: '#336699' } })).toBuffer();
    expect(jpegSize(jpeg)).toEqual({ width, height });
  });

  it('reads the built-in frames: the sizes the scripts announce', () => {
    for (const [file, size] of [
      ['720p.jpg', { width: 1280, height: 720 }],
      ['360p.jpg', { width: 640, height: 360 }],
    ] as const) {
      expect(jpegSize(readFileSync(new URL(`../frames/${file}`, import.meta.url)))).toEqual(size);
    }
  });

  const bad: Array<[string, number[], RegExp]> = [
    ['empty', [], /no SOI/],
    ['a PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a], /no SOI/],
    ['SOI then garbage', [0xff, 0xd8, 0x00, 0x11, 0x22, 0x33], /expected a marker at byte 2/],
    ['scan before any frame header', [0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9], /no frame header/],
    ['segment length below 2', [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0x00, 0x00], /segment length 1/],
    ['zero width', [0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x00, 0x01], /zero width/],
    ['truncated frame header', [0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00], /no frame header/],
  ];
  it.each(bad)('refuses %s', (_name, input, error) => {
    const r = readJpegSize(new Uint8Array(input));
    expect('error' in r && r.error).toMatch(error);
    expect(() => jpegSize(new Uint8Array(input))).toThrow(error);
  });

  it('skips fill bytes and DHT (FFC4), which is not a frame header', () => {
    // SOI, fill, DHT (length 2), SOF0 16x8
    const b = [0xff, 0xd8, 0xff, 0xff, 0xc4, 0x00, 0x02, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x10, 0x01];
    expect(jpegSize(new Uint8Array(b))).toEqual({ width: 16, height: 8 });
  });

  it('loadFrames names the file that is not a JPEG', () => {
    expect(() => loadFrames([new ArrayBuffer(8)], ['/tmp/not-a.jpg'])).toThrow('FRAMES: /tmp/not-a.jpg: not a JPEG');
  });
});
