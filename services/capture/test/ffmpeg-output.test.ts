import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectJpeg } from '../../../shared/index.js';
import { videoFilter } from '../ffmpeg-args.js';
import { findExecutable, npmFfmpegPath, probeFfmpeg, type FfmpegInfo } from '../ffmpeg-locate.js';
import { JpegSplitter } from '../jpeg-splitter.js';

function run(file: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr.toString()}`));
      else resolve(stdout);
    });
  });
}

function splitAll(stream: Buffer, chunkSize: (i: number) => number): Buffer[] {
  const frames: Buffer[] = [];
  const splitter = new JpegSplitter((f) => frames.push(Buffer.from(f)), 4 * 1024 * 1024);
  for (let at = 0, i = 0; at < stream.length; i++) {
    const n = Math.max(1, chunkSize(i));
    splitter.push(stream.subarray(at, at + n));
    at += n;
  }
  return frames;
}

/** Frames as digests: deep equality on megabytes of Buffers is slow in the test runner. */
const digests = (frames: Buffer[]): string[] => frames.map((f) => createHash('sha1').update(f).digest('hex'));

let dir: string;
const binaries: FfmpegInfo[] = [];
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-ffmpeg-output-'));
  const system = findExecutable('ffmpeg', process.env.PATH);
  if (system) binaries.push(await probeFfmpeg(system, 'PATH'));
  const npm = npmFfmpegPath();
  if (npm) binaries.push(await probeFfmpeg(npm, 'npm'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('JpegSplitter on real FFmpeg output', () => {
  it('has both the system FFmpeg and the npm one to test with', () => {
    expect(binaries.map((b) => b.source)).toEqual(['PATH', 'npm']);
  });

  it('cuts image2pipe output into exactly the JPEGs FFmpeg writes as files, however it is chunked', async () => {
    for (const ffmpeg of binaries) {
      const out = path.join(dir, ffmpeg.source);
      fs.mkdirSync(out);
      // One encode, two outputs: the pipe and one file per frame.
      const stdout = await run(ffmpeg.path, [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30'],
        ...['-frames:v', '40', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2pipe', 'pipe:1'],
        ...['-frames:v', '40', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', path.join(out, '%03d.jpg')],
      ]);
      const files = fs
        .readdirSync(out)
        .sort()
        .map((f) => fs.readFileSync(path.join(out, f)));
      expect(files).toHaveLength(40);
      expect(Buffer.concat(files).equals(stdout)).toBe(true);
      for (const size of [13, 1000, 4096, 65536]) {
        expect(digests(splitAll(stdout, () => size)), `${ffmpeg.source} chunk ${size}`).toEqual(digests(files));
      }
      // Byte by byte over the first five frames (slow in bulk; the synthetic tests cover it too).
      const five = files.slice(0, 5);
      expect(digests(splitAll(Buffer.concat(five), () => 1))).toEqual(digests(five));
      let x = 12345;
      const random = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) % 9000) + 1;
      expect(digests(splitAll(stdout, random))).toEqual(digests(files));
      expect(files.every((f) => inspectJpeg(f).ok)).toBe(true);
    }
  });
});

describe('fps limit on real FFmpeg: no burst of duplicates after a pause in the input', () => {
  it('select-based limiting sends ~fps over the frames that exist; the fps filter would fill the gap with copies', async () => {
    for (const ffmpeg of binaries) {
      const gap = path.join(dir, `gap-${ffmpeg.source}.mkv`);
      const mode = `-${ffmpeg.caps.fpsModeOption}`;
      // 2 s of 30 fps, a 3 s hole in the timestamps (a camera that froze), 2 s more.
      await run(ffmpeg.path, [
        ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=30'],
        ...['-frames:v', '120', '-vf', "setpts='if(gte(T,2),PTS+3/TB,PTS)'", mode, 'passthrough'],
        ...['-c:v', 'mjpeg', '-q:v', '5', gap],
      ]);
      const count = async (filter: string): Promise<number> => {
        const out = await run(ffmpeg.path, [
          ...['-hide_banner', '-loglevel', 'error', '-i', gap, '-vf', filter, mode, 'vfr'],
          ...['-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', 'pipe:1'],
        ]);
        return splitAll(out, () => 65536).length;
      };
      const limited = await count(videoFilter(10, 0));
      const fpsFilter = await count('fps=10');
      process.stdout.write(`${ffmpeg.source} ${ffmpeg.version}: select ${limited} frames, fps filter ${fpsFilter}\n`);
      expect(limited).toBeGreaterThanOrEqual(38); // 4 s of real frames at 10 fps
      expect(limited).toBeLessThanOrEqual(42);
      expect(fpsFilter).toBeGreaterThanOrEqual(65); // the 3 s hole filled with ~30 copies
    }
  });
});
