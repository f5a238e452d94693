import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cacheFileName, makePayload, payloadArgs, type PayloadKind } from './payload.js';

const cases: { kind: PayloadKind; width: number; height: number; minBytes: number; maxBytes: number }[] = [
  { kind: '720p', width: 1280, height: 720, minBytes: 90_000, maxBytes: 110_000 },
  { kind: '360p', width: 640, height: 360, minBytes: 27_000, maxBytes: 33_000 },
];

describe('payloadArgs', () => {
  it('builds the exact FFmpeg argv for 720p', () => {
    expect(payloadArgs('720p', '/c/x.tmp')).toEqual([
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30',
      '-vf',
      'noise=alls=15:allf=t',
      '-frames:v',
      '1',
      '-q:v',
      '8',
      '-f',
      'image2',
      '-update',
      '1',
      '/c/x.tmp',
    ]);
  });

  it('names the cache file after the kind and its parameters', () => {
    expect(cacheFileName('720p')).toMatch(/^720p-[0-9a-f]{12}\.jpg$/);
    expect(cacheFileName('360p')).toMatch(/^360p-[0-9a-f]{12}\.jpg$/);
  });
});

describe('makePayload', () => {
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'payload-cache-'));
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(cases)('makes a $kind JPEG of the right size and dimensions', async (c) => {
    const payload = await makePayload(c.kind, { cacheDir });
    expect(payload.name).toBe(`${c.width}x${c.height}`);
    expect([payload.width, payload.height]).toEqual([c.width, c.height]);
    // Without the noise filter testsrc2 encodes to about a third of these sizes
    // (34 KB and 13 KB), so the lower bound also checks the noise is there.
    expect(payload.jpeg.byteLength).toBeGreaterThanOrEqual(c.minBytes);
    expect(payload.jpeg.byteLength).toBeLessThanOrEqual(c.maxBytes);
    // A full decode, since inspectJpeg does not read the entropy-coded data.
    const { info } = await sharp(payload.jpeg).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([c.width, c.height]);
  });

  it('reads later calls from the cache without running FFmpeg', async () => {
    const first = await makePayload('720p', { cacheDir });
    const file = path.join(cacheDir, cacheFileName('720p'));
    const before = await stat(file);
    // Locating FFmpeg would fail on this path, so any attempt to run it throws.
    vi.stubEnv('FFMPEG_PATH', path.join(cacheDir, 'no-such-ffmpeg'));
    const second = await makePayload('720p', { cacheDir });
    expect(second.jpeg.equals(first.jpeg)).toBe(true);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    // Atomic writes leave no temporary files behind.
    expect((await readdir(cacheDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('makes different JPEGs for the two kinds', async () => {
    const [p720, p360] = await Promise.all([makePayload('720p', { cacheDir }), makePayload('360p', { cacheDir })]);
    expect(p720.jpeg.equals(p360.jpeg)).toBe(false);
    expect(cacheFileName('720p')).not.toBe(cacheFileName('360p'));
  });

  it('names the FFmpeg path when FFmpeg cannot run', async () => {
    const missing = path.join(cacheDir, 'no-such-ffmpeg');
    vi.stubEnv('FFMPEG_PATH', missing);
    await expect(makePayload('360p', { cacheDir: path.join(cacheDir, 'empty') })).rejects.toThrow(missing);
  });

  it('reports the FFmpeg path and its stderr tail when FFmpeg fails', async () => {
    // Passes locateFfmpeg's probe (prints a version) but fails the real run, as an FFmpeg without the noise filter would.
    const fake = path.join(cacheDir, 'fake-ffmpeg');
    await writeFile(
      fake,
      '#!/bin/sh\ncase "$*" in\n  *lavfi*) echo "No such filter: \'noise\'" >&2; exit 1 ;;\n  *) echo "ffmpeg version 0.0-fake" ;;\nesac\n',
      { mode: 0o755 },
    );
    vi.stubEnv('FFMPEG_PATH', fake);
    const failDir = path.join(cacheDir, 'fail');
    await expect(makePayload('360p', { cacheDir: failDir })).rejects.toThrow(
      `FFmpeg ${fake} exited with code 1; stderr tail:\nNo such filter: 'noise'`,
    );
    expect(await readdir(failDir)).toEqual([]);
  });
});
