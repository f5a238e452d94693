import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { collectDefaultMetrics, Registry } from 'prom-client';
import YAML from 'yaml';
import { createCaptureMetrics, prezeroCamera } from '../../services/capture/metrics.js';

/** The repository root and deploy/, with a trailing slash. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY = join(REPO, 'deploy');

/** Debian's Prometheus (package `prometheus`, installed by .ci/setup-system). */
export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

/** Parses a YAML file under deploy/ (with `<<` merge keys, as compose reads them). */
export function readYaml<T = Record<string, unknown>>(rel: string): T {
  return YAML.parse(readFileSync(join(DEPLOY, rel), 'utf8'), { merge: true }) as T;
}

/** Every document of a multi-document YAML file under deploy/. */
export function readYamlDocs(rel: string): Array<Record<string, unknown>> {
  return YAML.parseAllDocuments(readFileSync(join(DEPLOY, rel), 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${rel}: ${d.errors[0]?.message}`);
    return d.toJS() as Record<string, unknown>;
  });
}

/** A TCP port free on 127.0.0.1 right now: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Compose's variable interpolation: `${X}`, `${X:-default}`, `${X:?error}` from `vars`
 * (a required variable that is missing throws, as compose does).
 */
export function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const v = vars[name];
    if (v !== undefined && v !== '') return v;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

/** Capture's /metrics text: its metrics factory on a fresh registry, one camera, plus process metrics. */
export async function captureMetricsText(): Promise<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createCaptureMetrics(registry, {
    cameras: () => [
      { id: 'cam', state: 'live', reason: null, lastFrameAgeSeconds: 0.05, ffmpegUp: true, ingestUp: true, fps: 15 },
    ],
  });
  prezeroCamera(metrics, 'cam');
  metrics.postSeconds.observe({ camera: 'cam' }, 0.004);
  metrics.ffmpegInfo.set({ source: 'path', version: 'test' }, 1);
  return registry.metrics();
}

/** A Prometheus query answer. */
export interface QueryResult {
  readonly status: string;
  readonly error?: string;
  readonly data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

/** A Prometheus server this test started. */
export interface PrometheusProcess {
  readonly url: string;
  readonly logs: string[];
  query(q: string): Promise<QueryResult>;
  /** Ends the process by its handle: SIGTERM, SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** Starts Debian's Prometheus on 127.0.0.1 with `configFile`, data in `dataDir`; resolves once /-/ready answers. */
export async function startPrometheus(configFile: string, dataDir: string): Promise<PrometheusProcess> {
  if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} missing: apt-get install prometheus (.ci/setup-system)`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  child.stdout.on('data', (c: Buffer) => logs.push(c.toString()));
  child.stderr.on('data', (c: Buffer) => logs.push(c.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(force);
  };
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${logs.join('')}`);
      const ready = await fetch(`${url}/-/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`prometheus not ready in 20 s: ${logs.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    logs,
    query: async (q) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
      return (await res.json()) as QueryResult;
    },
    stop,
  };
}
