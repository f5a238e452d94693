import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { captureConfig, type CaptureOverrides } from '../config.js';
import { startCapture, type CaptureServer, type StartOptions } from '../server.js';

export const RTSP_SERVER_SCRIPT = fileURLToPath(new URL('./rtsp-server.py', import.meta.url));
/** Debian's python3, which has python3-gi (not a pyenv or venv one). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1, found by binding port 0 and closing. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Ends a child by its handle: SIGKILL, and waits for its exit. No-op if it already exited. */
export async function killChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGCONT'); // a stopped process still dies of SIGKILL, but be sure it can be reaped promptly
  child.kill('SIGKILL');
  await exited;
}

/** Options of the GStreamer RTSP test camera. */
export interface RtspServerOptions {
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly codec?: 'h264' | 'mjpeg';
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
}

/** A running GStreamer RTSP server (Debian's gst-rtsp-server via python3-gi). */
export interface RtspServer {
  readonly port: number;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly logs: string[];
  /** `rtsp://user:password@127.0.0.1:port/cam`, or with the given credentials. */
  url(user?: string, password?: string, path?: string): string;
  /** SIGKILL by handle. */
  kill(): Promise<void>;
}

/** Starts the RTSP test camera on 127.0.0.1 and waits for its READY line. End it with `kill()` in `finally`. */
export async function startRtspServer(options: RtspServerOptions = {}): Promise<RtspServer> {
  const port = options.port ?? (await freePort());
  const user = options.user ?? 'admin';
  const password = options.password ?? 'cam-s3cret';
  const child = spawn(
    SYSTEM_PYTHON,
    [
      RTSP_SERVER_SCRIPT,
      '--port',
      String(port),
      '--user',
      user,
      '--password',
      password,
      '--codec',
      options.codec ?? 'h264',
      '--width',
      String(options.width ?? 640),
      '--height',
      String(options.height ?? 360),
      '--fps',
      String(options.fps ?? 30),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  child.stderr.on('data', (c: Buffer) => logs.push(c.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`RTSP server did not start: ${logs.join('')}`)), 15_000);
      child.stdout.on('data', (c: Buffer) => {
        logs.push(c.toString());
        if (c.toString().includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`RTSP server exited with ${code}: ${logs.join('')}`));
      });
    });
  } catch (err) {
    await killChild(child);
    throw err;
  }
  return {
    port,
    child,
    logs,
    url: (u = user, p = password, path = '/cam') => `rtsp://${u}:${p}@127.0.0.1:${port}${path}`,
    kill: () => killChild(child),
  };
}

/** An MJPEG-over-HTTP camera: multipart/x-mixed-replace of the given JPEGs, in a loop, at `fps`. */
export interface MjpegServer {
  readonly url: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Starts an MJPEG HTTP camera on 127.0.0.1 port 0. With `auth`, demands that
 * basic auth (401 otherwise). With `jitterMs`, every other frame comes that
 * much early, as over a busy network; the average rate stays `fps`.
 */
export async function startMjpegServer(
  frames: readonly Buffer[],
  fps: number,
  auth?: { user: string; password: string },
  jitterMs = 0,
): Promise<MjpegServer> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    const expected = auth && `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
      return;
    }
    connections++;
    res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame', 'Cache-Control': 'no-cache' });
    let i = 0;
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const send = (): void => {
      const jpeg = frames[i % frames.length] as Buffer;
      res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      res.write(jpeg);
      res.write('\r\n');
      i++;
      const due = start + (i * 1000) / fps - (i % 2 === 1 ? jitterMs : 0);
      timer = setTimeout(send, Math.max(0, due - performance.now()));
    };
    send();
    res.on('close', () => clearTimeout(timer));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${auth ? `${auth.user}:${auth.password}@` : ''}127.0.0.1:${port}/video.mjpg`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every live process as [pid, ppid, comm], from /proc. */
function processTable(): Array<[number, number, string]> {
  const rows: Array<[number, number, string]> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') rows.push([Number(entry), Number(ppid), comm]);
    } catch {
      // exited meanwhile
    }
  }
  return rows;
}

/** Live descendants of a process (children, their children, ...) as `{ pid, comm }`. */
export function descendants(rootPid: number): Array<{ pid: number; comm: string }> {
  const table = processTable();
  const out: Array<{ pid: number; comm: string }> = [];
  const parents = [rootPid];
  while (parents.length > 0) {
    const parent = parents.pop() as number;
    for (const [pid, ppid, comm] of table) {
      if (ppid === parent) {
        out.push({ pid, comm });
        parents.push(pid);
      }
    }
  }
  return out;
}

/** Pids of the live `ffmpeg` processes whose parent is `parentPid` (from /proc). */
export function ffmpegChildren(parentPid: number = process.pid): number[] {
  return processTable()
    .filter(([, ppid, comm]) => ppid === parentPid && comm === 'ffmpeg')
    .map(([pid]) => pid);
}

/** True while a process with this pid exists (and is not a zombie). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A capture started in-process on 127.0.0.1 port 0, with its (redacted) log lines collected. */
export interface TestCapture {
  readonly server: CaptureServer;
  readonly logs: string[];
}

/** Starts capture in this process; close `server` in `finally`. */
export async function startTestCapture(
  overrides: CaptureOverrides,
  cameras: readonly unknown[],
  options: StartOptions = {},
): Promise<TestCapture> {
  const logs: string[] = [];
  const server = await startCapture(
    captureConfig({ CAPTURE_PORT: 0, CAPTURE_HOST: '127.0.0.1', LOG_LEVEL: 'debug', ...overrides }, cameras),
    { logWrite: (line) => logs.push(line), processMetrics: false, ...options },
  );
  return { server, logs };
}

/** Text of every externally visible output of a capture: its logs and its HTTP API. */
export async function everythingCaptureSays(capture: TestCapture): Promise<string> {
  const bodies = await Promise.all(
    ['/metrics', '/healthz', '/cameras'].map(async (p) => (await fetch(capture.server.url + p)).text()),
  );
  return [...capture.logs, ...bodies].join('\n');
}

/** Polls `fn` until it returns true or `ms` passes. */
export async function waitFor(fn: () => boolean | Promise<boolean>, ms = 10_000, stepMs = 25): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(stepMs);
  }
}
