import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError } from '../common/config-source.js';

/** Where the FFmpeg binary was found, in the order looked at. */
export type FfmpegSource = 'FFMPEG_PATH' | 'PATH' | 'npm';

/** What the argv builder needs to know about the binary: options differ between FFmpeg 4.x and 5+. */
export interface FfmpegCaps {
  /**
   * RTSP socket read timeout option, in microseconds. FFmpeg 5+ calls it
   * `-timeout`; 4.x calls it `-stimeout`, and its `-timeout` means "listen for
   * incoming connections", which would turn the client into a server.
   */
  readonly rtspTimeoutOption: 'timeout' | 'stimeout';
  /** `-fps_mode` (5.1+) or its older name `-vsync`. */
  readonly fpsModeOption: 'fps_mode' | 'vsync';
  /** A font file for the test pattern's clock (drawtext), or undefined when drawtext or a font is missing. */
  readonly drawtextFont: string | undefined;
}

/** The binary capture runs, reported at start. */
export interface FfmpegInfo {
  readonly path: string;
  readonly source: FfmpegSource;
  /** As FFmpeg prints it, e.g. `5.1.9-0+deb12u1` or `N-47683-g0e8eb07980-static`. */
  readonly version: string;
  readonly caps: FfmpegCaps;
}

/** Fonts tried for the test pattern's burned-in clock (Debian/Ubuntu, Fedora, Arch, macOS). */
export const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
];

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable `name` in the directories of a PATH string, as a shell would find it (no shell is run). */
export function findExecutable(
  name: string,
  pathEnv: string | undefined,
  isExecutable: (file: string) => boolean = isExecutableFile,
): string | undefined {
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

/** The binary shipped by `@ffmpeg-installer/ffmpeg`, when that package has one for this platform. */
export function npmFfmpegPath(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const file = (require('@ffmpeg-installer/ffmpeg') as { path?: unknown }).path;
    return typeof file === 'string' && isExecutableFile(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** The version word of `ffmpeg -version`'s first line, e.g. `5.1.9-0+deb12u1`. */
export function parseFfmpegVersion(text: string): string | undefined {
  return /^ffmpeg version (\S+)/m.exec(text)?.[1];
}

/**
 * Capabilities from FFmpeg's own help: `-h demuxer=rtsp` (RTSP options),
 * `-h long` (global options) and `-filters`. Read from the binary rather than
 * guessed from its version, which git builds print as `N-47683-g...`.
 */
export function parseCaps(rtspHelp: string, longHelp: string, filters: string, font: string | undefined): FfmpegCaps {
  return {
    rtspTimeoutOption: /^\s*-stimeout\s/m.test(rtspHelp) ? 'stimeout' : 'timeout',
    fpsModeOption: /^-fps_mode\s/m.test(longHelp) ? 'fps_mode' : 'vsync',
    drawtextFont: /^\s*\S+\s+drawtext\s/m.test(filters) ? font : undefined,
  };
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 15_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(err);
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/** Runs the binary to read its version and capabilities; rejects if it is not a working FFmpeg. */
export async function probeFfmpeg(file: string, source: FfmpegSource): Promise<FfmpegInfo> {
  const versionText = await run(file, ['-hide_banner', '-version']);
  const version = parseFfmpegVersion(versionText);
  if (version === undefined) throw new Error(`${file} does not print an FFmpeg version`);
  const [rtspHelp, longHelp, filters] = await Promise.all([
    run(file, ['-hide_banner', '-h', 'demuxer=rtsp']),
    run(file, ['-hide_banner', '-h', 'long']),
    run(file, ['-hide_banner', '-filters']),
  ]);
  const font = FONT_CANDIDATES.find((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
  return { path: file, source, version, caps: parseCaps(rtspHelp, longHelp, filters, font) };
}

/** Where to look; each defaults to the real thing. */
export interface LocateOptions {
  /** `FFMPEG_PATH` from the config. */
  readonly ffmpegPath?: string | undefined;
  /** The PATH to search. Default `process.env.PATH`. */
  readonly pathEnv?: string | undefined;
  /** The npm package's binary. Default `npmFfmpegPath()`. */
  readonly npmPath?: () => string | undefined;
}

/**
 * Finds FFmpeg: `FFMPEG_PATH`, else `ffmpeg` on PATH, else the binary inside
 * the `@ffmpeg-installer/ffmpeg` package (so `npm install` alone is enough).
 * Throws ConfigError naming FFMPEG_PATH when that one is set but does not run.
 */
export async function locateFfmpeg(options: LocateOptions = {}): Promise<FfmpegInfo> {
  if (options.ffmpegPath !== undefined) {
    try {
      return await probeFfmpeg(options.ffmpegPath, 'FFMPEG_PATH');
    } catch (err) {
      throw new ConfigError('FFMPEG_PATH', `${options.ffmpegPath} is not a working FFmpeg: ${(err as Error).message}`);
    }
  }
  const tried: string[] = [];
  const onPath = findExecutable('ffmpeg', 'pathEnv' in options ? options.pathEnv : process.env.PATH);
  if (onPath !== undefined) {
    try {
      return await probeFfmpeg(onPath, 'PATH');
    } catch (err) {
      tried.push(`${onPath}: ${(err as Error).message}`);
    }
  }
  const fromNpm = (options.npmPath ?? npmFfmpegPath)();
  if (fromNpm !== undefined) return probeFfmpeg(fromNpm, 'npm');
  throw new ConfigError(
    'FFMPEG_PATH',
    `no FFmpeg found: not set, none working on PATH${tried.length ? ` (${tried.join('; ')})` : ''}, ` +
      'and @ffmpeg-installer/ffmpeg has no binary for this platform. Install FFmpeg or set FFMPEG_PATH.',
  );
}

/** Debian's util-linux `setpriv`, used to give each FFmpeg a parent-death signal; undefined when absent. */
export function locateSetpriv(pathEnv: string | undefined = process.env.PATH): string | undefined {
  if (process.platform !== 'linux') return undefined;
  return findExecutable('setpriv', pathEnv);
}
