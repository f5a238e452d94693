import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { inspectJpeg } from './jpeg.js';

const SOI = [0xff, 0xd8];
const EOI = [0xff, 0xd9];

/** A start-of-frame segment (one component) declaring `width` x `height`. */
function sof(width: number, height: number, marker = 0xc0): number[] {
  return [0xff, marker, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00];
}

/** A start-of-scan header (one component) followed by a few bytes of "entropy-coded data". */
const SOS = [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x12, 0x34, 0x56];

/** An APP0 segment with a few payload bytes. */
const APP0 = [0xff, 0xe0, 0x00, 0x06, 0x4a, 0x46, 0x49, 0x46];

const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());

const baseline = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#f00' } })
  .jpeg()
  .toBuffer();
const progressive = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#0af' } })
  .jpeg({ progressive: true })
  .toBuffer();
const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
  .png()
  .toBuffer();

describe('inspectJpeg accepts', () => {
  it.each([
    { name: 'a baseline JPEG from sharp', input: baseline, expected: { width: 64, height: 48, progressive: false } },
    {
      name: 'a progressive JPEG from sharp',
      input: progressive,
      expected: { width: 320, height: 200, progressive: true },
    },
    {
      name: 'a minimal hand-built baseline JPEG',
      input: bytes(SOI, APP0, sof(1920, 1080), SOS, EOI),
      expected: { width: 1920, height: 1080, progressive: false },
    },
    {
      name: 'SOF2 (progressive) by marker',
      input: bytes(SOI, sof(16, 9, 0xc2), SOS, EOI),
      expected: { width: 16, height: 9, progressive: true },
    },
    {
      name: 'SOF1 (extended sequential) is not progressive',
      input: bytes(SOI, sof(16, 9, 0xc1), SOS, EOI),
      expected: { width: 16, height: 9, progressive: false },
    },
    {
      name: 'fill bytes (0xFF 0xFF) before a marker',
      input: bytes(SOI, [0xff, 0xff, 0xff], APP0, [0xff, 0xff], sof(640, 480), SOS, EOI),
      expected: { width: 640, height: 480, progressive: false },
    },
    {
      name: 'a DHT segment (0xC4) is not taken for a frame header',
      input: bytes(SOI, [0xff, 0xc4, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], sof(33, 17), SOS, EOI),
      expected: { width: 33, height: 17, progressive: false },
    },
  ])('$name', ({ input, expected }) => {
    expect(inspectJpeg(input)).toEqual({ ok: true, value: expected });
  });
});

describe('inspectJpeg rejects with invalid_jpeg', () => {
  it.each([
    { name: 'empty input', input: new Uint8Array(0), expected: /no SOI/ },
    { name: '3 bytes', input: Uint8Array.of(0xff, 0xd8, 0xff), expected: /no SOI/ },
    { name: 'PNG bytes', input: new Uint8Array(png), expected: /no SOI/ },
    { name: 'no SOI (first two bytes cut off)', input: baseline.subarray(2), expected: /no SOI/ },
    { name: 'truncated in the middle', input: baseline.subarray(0, baseline.length >> 1), expected: /truncated/ },
    { name: 'truncated so EOI is missing', input: baseline.subarray(0, baseline.length - 1), expected: /truncated/ },
    {
      name: 'header cut short with an EOI appended',
      input: bytes([...baseline.subarray(0, 30)], EOI),
      expected: /segment 0xdb runs past the end/,
    },
    { name: 'EOI right after SOI', input: bytes(SOI, EOI), expected: /EOI before any scan/ },
    { name: 'EOI after a header segment, no scan', input: bytes(SOI, APP0, EOI), expected: /EOI before any scan/ },
    { name: 'SOS before SOF', input: bytes(SOI, APP0, SOS, sof(64, 48), EOI), expected: /SOS\) before any frame/ },
    {
      name: 'a segment length running past the end',
      input: bytes(SOI, [0xff, 0xe0, 0x10, 0x00, 0x00], EOI),
      expected: /runs past the end/,
    },
    { name: 'a segment length below 2', input: bytes(SOI, [0xff, 0xe0, 0x00, 0x01], EOI), expected: /runs past/ },
    { name: 'zero width in SOF', input: bytes(SOI, sof(0, 48), SOS, EOI), expected: /zero width or height/ },
    { name: 'zero height in SOF', input: bytes(SOI, sof(64, 0), SOS, EOI), expected: /zero width or height/ },
    {
      name: 'SOF segment too short to hold a size',
      input: bytes(SOI, [0xff, 0xc0, 0x00, 0x05, 0x08, 0x00, 0x10], SOS, EOI),
      expected: /SOF segment too short/,
    },
    { name: 'garbage where a marker belongs', input: bytes(SOI, [0x00, 0x11], EOI), expected: /expected a marker/ },
  ])('$name', ({ input, expected }) => {
    const result = inspectJpeg(input);
    expect(result).toMatchObject({ ok: false, code: 'invalid_jpeg', message: expect.stringMatching(expected) });
  });
});
