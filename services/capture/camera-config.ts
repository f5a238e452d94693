import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { DEFAULT_STREAM_ID, isValidStreamId } from '../../shared/index.js';
import { ConfigError, readEnum, readInt, readString, type ConfigSource } from '../common/config-source.js';
import { redactUrl } from './redact.js';

/** Where frames come from, told by the URL's scheme. */
export type SourceKind = 'rtsp' | 'http' | 'file' | 'testsrc';
/** RTSP media transport. */
export type Transport = 'tcp' | 'udp';
/** Whether JPEG sources are forwarded without re-encoding. */
export type PassthroughMode = 'auto' | 'always' | 'never';

/** The built-in test pattern's size and generated frame rate. */
export interface TestPattern {
  readonly width: number;
  readonly height: number;
  readonly rate: number;
}

/** One camera, validated. README "Configuration (capture)" documents each key. */
export interface CameraConfig {
  /** `id`: the ingest stream id, default `default` for a single camera. */
  readonly id: string;
  /** `url` as written, credentials included: only the FFmpeg argv may see it. */
  readonly url: string;
  /** The URL with credentials masked (`rtsp://***@host:554/path`): what logs and the API show. */
  readonly displayUrl: string;
  readonly kind: SourceKind;
  /** `fps`, default 15: frames per second sent at most. */
  readonly fps: number;
  /** `maxWidth`, default 0 (no limit): wider frames are scaled down keeping the aspect ratio. */
  readonly maxWidth: number;
  /** `quality`, default 5: FFmpeg MJPEG `-q:v`, 2 (best, largest) to 31. */
  readonly quality: number;
  /** `transport`, default `tcp` (RTSP only). */
  readonly transport: Transport;
  /** `passthrough`, default `auto`: copy JPEG sources when no resize is asked for. */
  readonly passthrough: PassthroughMode;
  /** `watchdogMs`, default `WATCHDOG_MS`: no frame this long restarts FFmpeg (half of it: `stalled`). */
  readonly watchdogMs: number;
  /** Absolute path of a `file` source. */
  readonly filePath?: string;
  /** Size and rate of a `testsrc` source. */
  readonly pattern?: TestPattern;
}

/** Keys of one camera in `CAMERAS_FILE`. */
export const CAMERA_KEYS = ['id', 'url', 'fps', 'maxWidth', 'quality', 'transport', 'passthrough', 'watchdogMs'];

/** The embedded default: the test pattern, when neither CAMERAS_FILE nor CAMERA_URL is set. */
export const DEFAULT_CAMERA_URL = 'testsrc:';
const MAX_CAMERAS = 64;

/** Where a camera came from, for error messages. */
interface CameraOrigin {
  /** Error key of a field, e.g. `cameras[2].fps` or `CAMERA_URL`. */
  key(field: string): string;
  /** Said after each message, e.g. `camera "door", /etc/cams.yaml`. */
  context(id: string | undefined): string;
  /** Directory relative file paths are resolved against. */
  baseDir: string;
}

function fail(key: string, message: string): never {
  throw new ConfigError(key, message);
}

/** Runs a common reader on a camera object and re-keys its ConfigError with the camera's key and context. */
function field<T>(origin: CameraOrigin, id: string | undefined, name: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const message = err.message.slice(err.key.length + 2);
    return fail(origin.key(name), `${message} (${origin.context(id)})`);
  }
}

function parsePattern(u: URL, key: string, where: string, fps: number): TestPattern {
  let width = 1280;
  let height = 720;
  let rate = Math.min(fps, 30);
  for (const [name, value] of u.searchParams) {
    if (name === 'size') {
      const m = /^(\d{2,4})x(\d{2,4})$/.exec(value);
      if (!m) fail(key, `testsrc size must be WIDTHxHEIGHT, got "${value}" (${where})`);
      width = Number(m[1]);
      height = Number(m[2]);
      if (width < 16 || width > 3840 || height < 16 || height > 2160) {
        fail(key, `testsrc size must be from 16x16 to 3840x2160, got "${value}" (${where})`);
      }
    } else if (name === 'rate') {
      rate = Number(value);
      if (!Number.isInteger(rate) || rate < 1 || rate > 60) fail(key, `testsrc rate must be 1 to 60 (${where})`);
    } else {
      fail(key, `unknown testsrc parameter "${name}": use size=WxH and rate=N (${where})`);
    }
  }
  return { width, height, rate };
}

function parseSource(
  url: string,
  key: string,
  where: string,
  baseDir: string,
  fps: number,
): Pick<CameraConfig, 'kind' | 'filePath' | 'pattern'> {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return { kind: 'file', filePath: existingFile(path.resolve(baseDir, url)) };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // The URL is not echoed: it may hold a password.
    return fail(key, `is not a valid URL (${where})`);
  }
  switch (u.protocol) {
    case 'rtsp:':
    case 'rtsps:':
    case 'http:':
    case 'https:':
      if (u.hostname === '') fail(key, `${redactUrl(url)} has no host (${where})`);
      return { kind: u.protocol.startsWith('rtsp') ? 'rtsp' : 'http' };
    case 'file:':
      return { kind: 'file', filePath: existingFile(fileURLToPath(u)) };
    case 'testsrc:':
      return { kind: 'testsrc', pattern: parsePattern(u, key, where, fps) };
    default:
      return fail(
        key,
        `scheme "${u.protocol}" is not supported: use rtsp, rtsps, http, https, file or testsrc (${where})`,
      );
  }

  function existingFile(file: string): string {
    let ok: boolean;
    try {
      ok = statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) fail(key, `video file ${file} does not exist or is not a file (${where})`);
    return file;
  }
}

function parseCamera(raw: unknown, origin: CameraOrigin, defaults: { watchdogMs: number }): CameraConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail(origin.key(''), `must be an object with at least "url" (${origin.context(undefined)})`);
  }
  const src = raw as ConfigSource;
  const rawId = src.id;
  const id = field(origin, undefined, 'id', () => readString(src, 'id', DEFAULT_STREAM_ID));
  if (!isValidStreamId(id)) {
    fail(origin.key('id'), `must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63} (${origin.context(String(rawId))})`);
  }
  for (const k of Object.keys(src)) {
    if (!CAMERA_KEYS.includes(k)) fail(origin.key(k), `unknown camera key (${origin.context(id)})`);
  }
  const url = field(origin, id, 'url', () => readString(src, 'url'));
  if (url === undefined || url.trim() === '') return fail(origin.key('url'), `is required (${origin.context(id)})`);
  const fps = field(origin, id, 'fps', () => readInt(src, 'fps', 15, 1, 60));
  const source = parseSource(url.trim(), origin.key('url'), origin.context(id), origin.baseDir, fps);
  const maxWidth = field(origin, id, 'maxWidth', () => readInt(src, 'maxWidth', 0, 0, 7680));
  if (maxWidth !== 0 && maxWidth < 16)
    fail(origin.key('maxWidth'), `must be 0 (no limit) or at least 16 (${origin.context(id)})`);
  const transport = field(origin, id, 'transport', () => readEnum<Transport>(src, 'transport', 'tcp', ['tcp', 'udp']));
  if (src.transport !== undefined && source.kind !== 'rtsp') {
    fail(origin.key('transport'), `applies to rtsp cameras only (${origin.context(id)})`);
  }
  const passthrough = field(origin, id, 'passthrough', () =>
    readEnum<PassthroughMode>(src, 'passthrough', 'auto', ['auto', 'always', 'never']),
  );
  if (passthrough === 'always' && maxWidth !== 0) {
    fail(origin.key('passthrough'), `"always" cannot resize: remove maxWidth or use "auto" (${origin.context(id)})`);
  }
  if (passthrough === 'always' && source.kind === 'testsrc') {
    fail(origin.key('passthrough'), `the test pattern is raw video and must be encoded (${origin.context(id)})`);
  }
  return Object.freeze({
    id,
    url: url.trim(),
    displayUrl: redactUrl(url.trim()),
    ...source,
    fps,
    maxWidth,
    quality: field(origin, id, 'quality', () => readInt(src, 'quality', 5, 2, 31)),
    transport,
    passthrough,
    watchdogMs: field(origin, id, 'watchdogMs', () => readInt(src, 'watchdogMs', defaults.watchdogMs, 500, 600_000)),
  });
}

/** Reads CAMERAS_FILE: JSON (`.json`) or YAML (`.yaml`, `.yml`), a list of cameras or `{ cameras: [...] }`. */
function readCamerasFile(file: string): unknown[] {
  const key = 'CAMERAS_FILE';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return fail(key, `cannot read ${file}: ${(err as Error).message}`);
  }
  const ext = path.extname(file).toLowerCase();
  let doc: unknown;
  try {
    if (ext === '.json') doc = JSON.parse(text);
    else if (ext === '.yaml' || ext === '.yml') doc = YAML.parse(text);
    else return fail(key, `${file} must end in .json, .yaml or .yml`);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return fail(key, `${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  if (Array.isArray(doc)) return doc;
  if (doc !== null && typeof doc === 'object') {
    const extra = Object.keys(doc).filter((k) => k !== 'cameras');
    if (extra.length > 0) fail(key, `unknown key "${extra[0]}" in ${file}: only "cameras" is allowed`);
    const cameras = (doc as { cameras?: unknown }).cameras;
    if (Array.isArray(cameras)) return cameras;
  }
  return fail(key, `${file} must hold a list of cameras or { cameras: [...] }`);
}

/** Where the cameras come from: CAMERAS_FILE, CAMERA_URL (+ CAMERA_ID), or given inline. */
export interface CameraSources {
  readonly file: string | undefined;
  readonly single: string | undefined;
  readonly singleId: string | undefined;
  readonly inline: readonly unknown[] | undefined;
  /** WATCHDOG_MS: each camera's default `watchdogMs`. */
  readonly watchdogMs: number;
}

/**
 * Parses and validates the camera list. Throws ConfigError naming the key
 * (`cameras[1].fps`, `CAMERA_URL`) and the camera; never echoes a URL's credentials.
 */
export function parseCameras({ file, single, singleId, inline, watchdogMs }: CameraSources): CameraConfig[] {
  if (file !== undefined && single !== undefined) fail('CAMERA_URL', 'set CAMERAS_FILE or CAMERA_URL, not both');
  if (file !== undefined && singleId !== undefined) fail('CAMERA_ID', 'applies to CAMERA_URL, not to CAMERAS_FILE');
  let list: readonly unknown[];
  let origin: (i: number) => CameraOrigin;
  if (file !== undefined || inline !== undefined) {
    const where = file ?? 'cameras';
    list = inline ?? readCamerasFile(file as string);
    const baseDir = file !== undefined ? path.dirname(path.resolve(file)) : process.cwd();
    origin = (i) => ({
      key: (f) => `cameras[${i}]${f ? `.${f}` : ''}`,
      context: (id) => (id !== undefined ? `camera "${id}", ${where}` : where),
      baseDir,
    });
  } else {
    list = [{ url: single ?? DEFAULT_CAMERA_URL, ...(singleId !== undefined && { id: singleId }) }];
    origin = () => ({
      key: (f) => (f === 'id' ? 'CAMERA_ID' : 'CAMERA_URL'),
      context: (id) => `camera "${id ?? DEFAULT_STREAM_ID}"`,
      baseDir: process.cwd(),
    });
  }
  if (list.length === 0) fail(file !== undefined ? 'CAMERAS_FILE' : 'cameras', 'lists no camera');
  if (list.length > MAX_CAMERAS) fail('CAMERAS_FILE', `lists ${list.length} cameras, at most ${MAX_CAMERAS}`);
  const cameras = list.map((raw, i) => parseCamera(raw, origin(i), { watchdogMs }));
  const seen = new Set<string>();
  cameras.forEach((c, i) => {
    if (seen.has(c.id)) fail(origin(i).key('id'), `duplicate camera id "${c.id}"`);
    seen.add(c.id);
  });
  return cameras;
}
