import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { encode } from '@msgpack/msgpack';
import type { Registry } from 'prom-client';
import sharp from 'sharp';
import WebSocket from 'ws';
import { createLogger } from '../../common/logger.js';
import { ingestConfig, type INGEST_CONFIG_KEYS } from '../config.js';
import { startIngest, type IngestServer } from '../server.js';

export type ConfigOverrides = Partial<Record<(typeof INGEST_CONFIG_KEYS)[number], string | number>>;

/** An ingest on 127.0.0.1, port 0, silent, fresh registry. Close it in `finally`. */
export function startTestIngest(overrides: ConfigOverrides = {}): Promise<IngestServer> {
  return startIngest(ingestConfig({ PORT: 0, HOST: '127.0.0.1', ...overrides }), {
    log: createLogger({ level: 'silent' }),
    processMetrics: false,
  });
}

/** A real JPEG of one colour. */
export function solidJpeg(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** A real JPEG of random noise: large for its size, like a sensor image. */
export function noiseJpeg(width: number, height: number, quality = 90): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (Math.random() * 256) | 0;
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** The seed producer's body: msgpack {timestamp, width, height, data}. */
export function seedBody(jpeg: Buffer, width: number, height: number, timestamp = Date.now()): Uint8Array {
  return encode({ timestamp, width, height, data: jpeg });
}

/** POSTs a frame envelope to `/streams/:id/frames`. */
export function postFrame(
  baseUrl: string,
  streamId: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${baseUrl}/streams/${streamId}/frames`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
    body: body as Uint8Array<ArrayBuffer>,
  });
}

/** Current value of a metric sample, 0 when absent. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const match = values.find((v) =>
    Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  );
  return match?.value ?? 0;
}

/** A ws client that records every message. */
export interface TestViewer {
  readonly ws: WebSocket;
  readonly binary: Buffer[];
  readonly text: Array<Record<string, unknown>>;
  /** Resolves when `pred` holds (checked on each message), rejects after `ms`. */
  until(pred: () => boolean, ms?: number): Promise<void>;
  /** Stops reading from the socket, as a stuck viewer would. */
  pause(): void;
  close(): Promise<void>;
}

/** Connects a viewer; resolves once open. */
export async function connectViewer(url: string): Promise<TestViewer> {
  const ws = new WebSocket(url);
  const binary: Buffer[] = [];
  const text: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) binary.push(data as Buffer);
    else text.push(JSON.parse(String(data)) as Record<string, unknown>);
    for (const w of waiters) w();
  });
  ws.on('close', () => {
    for (const w of waiters) w();
  });
  ws.on('error', () => undefined);
  await once(ws, 'open');
  return {
    ws,
    binary,
    text,
    until: (pred, ms = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (pred()) return resolve();
        const check = (): void => {
          if (!pred()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`condition not met within ${ms} ms`));
        }, ms);
        waiters.add(check);
      }),
    pause: () => (ws as unknown as { _socket: Socket })._socket.pause(),
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      const closed = once(ws, 'close');
      ws.terminate();
      await closed;
    },
  };
}

/** Resolves with the close code and reason of a socket. */
export function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('already closed'));
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

/** Polls `fn` until it returns true or `ms` passes. */
export async function waitFor(fn: () => boolean | Promise<boolean>, ms = 5000, stepMs = 20): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/** A Node service in its own process (ingest's `main.ts`, a benchmark relay), run under tsx. */
export interface ServiceProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly url: string;
  readonly logs: string[];
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  /** Ends the process by its handle (SIGKILL) if still running. */
  kill(): Promise<void>;
}

/** Ingest as its own process, as `npm run ingest` starts it. */
export type IngestProcess = ServiceProcess;

/**
 * Spawns `entry` (a .ts file) under tsx and waits for its first stdout JSON
 * line whose `msg` is `readyMsg`; that line's `url` is the service's URL.
 */
export async function spawnService(
  entry: string,
  env: Record<string, string>,
  readyMsg: string,
  args: readonly string[] = [],
): Promise<ServiceProcess> {
  // BENCH_CPU_PROF_DIR: write a V8 CPU profile of the service there (ended with SIGTERM so it is written).
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const profile = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry, ...args], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let buffered = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not start: ${logs.join('\n')}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        if (line.includes(`"${readyMsg}"`)) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code}: ${logs.join('\n')}`));
    });
  });
  return {
    child,
    url,
    logs,
    rss: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      return Number(kb) * 1024;
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(profDir ? 'SIGTERM' : 'SIGKILL');
      await exited;
    },
  };
}

/** Spawns ingest (`main.ts`) with PORT=0 and waits for its "ingest listening" line. */
export function spawnIngest(env: Record<string, string> = {}): Promise<IngestProcess> {
  return spawnService(MAIN, env, 'ingest listening');
}
