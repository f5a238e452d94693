import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateFfmpeg } from '../../services/capture/ffmpeg-locate.js';
import { inspectJpeg } from '../../shared/jpeg.js';

/** A benchmark payload: a real JPEG and its size. */
export interface Payload {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly jpeg: Buffer;
}

/** Which payload: 1280x720 (about 100 KB) or 640x360 (about 30 KB). */
export type PayloadKind = '720p' | '360p';

/** Options for makePayload. */
export interface PayloadOptions {
  /** Where generated JPEGs are kept between runs. Default `bench/.cache/`. */
  readonly cacheDir?: string;
}

/**
 * Noise strength (`noise=alls`, 0-100) and JPEG quantizer (`-q:v`, 2-31) per
 * kind, tuned by hand so Debian's FFmpeg 5.1 and the npm package's 2018 build
 * both land within 10% of the target size (720p: 102 KB, 360p: 30 KB with both).
 */
const SPECS = {
  '720p': { width: 1280, height: 720, noise: 15, qscale: 8 },
  '360p': { width: 640, height: 360, noise: 13, qscale: 7 },
} as const satisfies Record<PayloadKind, { width: number; height: number; noise: number; qscale: number }>;

/** Bump when the payload changes in a way the argv does not show, so old cache files are not reused. */
const CACHE_VERSION = 1;
const FFMPEG_TIMEOUT_MS = 15_000;
const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../.cache/', import.meta.url));

/** The FFmpeg argv that writes one `kind` frame to `output`: `testsrc2` plus sensor-like temporal noise. */
export function payloadArgs(kind: PayloadKind, output: string): string[] {
  const { width, height, noise, qscale } = SPECS[kind];
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=30`,
    // The noise filter's default seed is fixed, so one binary makes the same bytes every run.
    '-vf',
    `noise=alls=${noise}:allf=t`,
    '-frames:v',
    '1',
    '-q:v',
    String(qscale),
    '-f',
    'image2',
    '-update',
    '1',
    output,
  ];
}

/** The cache file name: the kind plus a hash of everything that shapes the bytes except the binary. */
export function cacheFileName(kind: PayloadKind): string {
  const key = JSON.stringify({ version: CACHE_VERSION, args: payloadArgs(kind, 'out.jpg') });
  return `${kind}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}.jpg`;
}

/** Undefined when `jpeg` is a JPEG of exactly width x height, else what is wrong with it. */
function checkJpeg(jpeg: Buffer, width: number, height: number): string | undefined {
  const info = inspectJpeg(jpeg);
  if (!info.ok) return info.message;
  if (info.value.width !== width || info.value.height !== height) {
    return `is ${info.value.width}x${info.value.height}, expected ${width}x${height}`;
  }
  return undefined;
}

async function readCached(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function stderrTail(stderr: string, lines = 10): string {
  const tail = stderr.trim().split('\n').slice(-lines).join('\n');
  return tail === '' ? '(no stderr)' : tail;
}

function runFfmpeg(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: FFMPEG_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const how = err.killed
          ? `was killed after ${FFMPEG_TIMEOUT_MS} ms`
          : err.signal
            ? `was killed by ${err.signal}`
            : typeof err.code === 'number'
              ? `exited with code ${err.code}`
              : `did not start (${err.message})`;
        reject(new Error(`FFmpeg ${file} ${how}; stderr tail:\n${stderrTail(stderr)}`));
      },
    );
  });
}

async function generate(kind: PayloadKind, file: string): Promise<Buffer> {
  const { width, height } = SPECS[kind];
  const ffmpeg = await locateFfmpeg({ ffmpegPath: process.env.FFMPEG_PATH || undefined });
  await mkdir(path.dirname(file), { recursive: true });
  // Written beside the target and renamed, so a concurrent or killed run never leaves half a JPEG in the cache.
  const tmp = `${file}.${process.pid}-${randomUUID()}.tmp`;
  try {
    await runFfmpeg(ffmpeg.path, payloadArgs(kind, tmp));
    const jpeg = await readFile(tmp);
    const problem = checkJpeg(jpeg, width, height);
    if (problem !== undefined) throw new Error(`FFmpeg ${ffmpeg.path} wrote a bad ${kind} payload: ${problem}`);
    await rename(tmp, file);
    return jpeg;
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * A JPEG that looks like a sensor image to the encoder (FFmpeg `testsrc2` plus
 * temporal noise), so its size is realistic: about 100 KB at 1280x720, about
 * 30 KB at 640x360. Made once with FFmpeg (`FFMPEG_PATH`, else PATH, else the
 * npm package's binary) and then read from `<cacheDir>/<kind>-<hash>.jpg`.
 */
export async function makePayload(kind: PayloadKind, opts: PayloadOptions = {}): Promise<Payload> {
  const { width, height } = SPECS[kind];
  const file = path.join(opts.cacheDir ?? DEFAULT_CACHE_DIR, cacheFileName(kind));
  const cached = await readCached(file);
  // A cache file that fails the check (truncated, edited) is made again rather than trusted.
  const jpeg =
    cached !== undefined && checkJpeg(cached, width, height) === undefined ? cached : await generate(kind, file);
  return { name: `${width}x${height}`, width, height, jpeg };
}
