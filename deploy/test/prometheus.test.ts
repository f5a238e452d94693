/**
 * A real Prometheus (Debian's package) with the repo's deploy/prometheus/prometheus.yml,
 * its targets rewritten to this test's ports and its intervals to 1 s: it scrapes
 * a real ingest while frames flow and viewers watch, and what it stores agrees
 * with what the test did. Every dashboard and alert query then runs in it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { IngestServer } from '../../services/ingest/server.js';
import {
  connectViewer,
  postFrame,
  seedBody,
  solidJpeg,
  startTestIngest,
  type TestViewer,
} from '../../services/ingest/test/helpers.js';
import { captureMetricsText, DEPLOY, startPrometheus, type PrometheusProcess, type QueryResult } from './helpers.js';
import { grafanaToPromql } from './promql.js';

interface ScrapeConfig {
  job_name: string;
  static_configs: Array<{ targets: string[] }>;
  [k: string]: unknown;
}
interface PromConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

let dir: string;
let ingest: IngestServer;
let capture: Server;
let prometheus: PrometheusProcess;
const viewers: TestViewer[] = [];
let jpeg: Buffer;

/** Posts `n` frames (the seed producer's envelope) to `stream`, each accepted (204). */
async function publish(stream: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await postFrame(ingest.url, stream, seedBody(jpeg, 64, 48));
    expect(res.status).toBe(204);
  }
}

/** The single value of an instant query, or undefined while Prometheus has none. */
async function value(q: string): Promise<number | undefined> {
  const r = await prometheus.query(q);
  expect(r.status, r.error).toBe('success');
  const v = r.data?.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

/** Polls `q` until it equals `want` (scrapes are 1 s apart); fails with the last value after 15 s. */
async function until(q: string, want: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last: number | undefined;
  while (Date.now() < deadline) {
    last = await value(q);
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(last, q).toBe(want);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'camstream-prom-'));
  jpeg = await solidJpeg(64, 48, [200, 40, 40]);
  ingest = await startTestIngest();
  // Capture may not run here: its real metrics factory behind a plain HTTP server stands in for it.
  const captureText = await captureMetricsText();
  capture = createServer((req, res) => {
    res.writeHead(req.url === '/metrics' ? 200 : 404, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(req.url === '/metrics' ? captureText : '');
  });
  capture.listen(0, '127.0.0.1');
  await new Promise((r) => capture.once('listening', r));

  const config = YAML.parse(readFileSync(join(DEPLOY, 'prometheus/prometheus.yml'), 'utf8')) as PromConfig;
  config.global = { ...config.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  const ports: Record<string, number> = {
    ingest: ingest.port,
    capture: (capture.address() as AddressInfo).port,
  };
  for (const job of config.scrape_configs) {
    const port = ports[job.job_name];
    if (port !== undefined) job.static_configs = [{ targets: [`127.0.0.1:${port}`] }];
  }
  writeFileSync(join(dir, 'prometheus.yml'), YAML.stringify(config));
  for (const rules of config.rule_files) copyFileSync(join(DEPLOY, 'prometheus', rules), join(dir, rules));
  mkdirSync(join(dir, 'data'));
  prometheus = await startPrometheus(join(dir, 'prometheus.yml'), join(dir, 'data'));
}, 30_000);

afterAll(async () => {
  await prometheus?.stop();
  for (const v of viewers) await v.close();
  await ingest?.close();
  await new Promise<void>((resolve) => (capture ? capture.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus with the deploy scrape config', () => {
  it('scrapes both jobs of the config', async () => {
    await until('up{job="ingest"}', 1);
    await until('up{job="capture"}', 1);
    expect(await value('capture_camera_state{camera="cam", state="live"}')).toBe(1);
  });

  it("stores ingest's frame counter and viewer gauge as the test made them, and follows them", async () => {
    const url = ingest.url.replace(/^http/, 'ws');
    viewers.push(await connectViewer(`${url}/streams/prom-a/ws`), await connectViewer(`${url}/streams/prom-a/ws`));
    viewers.push(await connectViewer(`${url}/streams/prom-b/ws`));
    await publish('prom-a', 12);
    await publish('prom-b', 5);
    await until('ingest_frames_received_total{stream="prom-a"}', 12);
    await until('ingest_frames_received_total{stream="prom-b"}', 5);
    await until('fanout_viewers{stream="prom-a"}', 2);
    await until('fanout_viewers{stream="prom-b"}', 1);
    await until('sum(ingest_frames_received_total)', 17);

    // The next scrapes see what changes: a viewer gone, more frames.
    await viewers.shift()?.close();
    await until('fanout_viewers{stream="prom-a"}', 1);
    await publish('prom-a', 3);
    await until('ingest_frames_received_total{stream="prom-a"}', 15);
    // Every frame went to every viewer watching: 12 + 3 to the one that stayed, 12 to the one
    // that left, 5 to prom-b's.
    await until('sum(fanout_frames_sent_total)', 32);
  }, 60_000);

  it('runs every dashboard and alert query without an error, with data for the stream panels', async () => {
    await publish('prom-a', 1);
    await until('ingest_stream_state{stream="prom-a", state="live"}', 1);
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/dashboards/camstream.json'), 'utf8')) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    const alerts = YAML.parse(readFileSync(join(DEPLOY, 'prometheus/alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const queries = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => [p.title, t.expr] as const)),
      ...alerts.groups.flatMap((g) => g.rules.map((r) => [r.alert, r.expr] as const)),
    ];
    expect(queries.length).toBeGreaterThan(20);
    // Series each panel (or alert) got, over all its queries.
    const series = new Map<string, NonNullable<QueryResult['data']>['result']>();
    for (const [name, expr] of queries) {
      const r = await prometheus.query(grafanaToPromql(expr));
      expect(r.status, `${name}: ${r.error ?? ''}`).toBe('success');
      series.set(name, [...(series.get(name) ?? []), ...(r.data?.result ?? [])]);
    }
    for (const panel of [
      'Stream state',
      'Frames per second',
      'Bitrate',
      'Viewers',
      'Stream last frame age',
      'Camera state',
      'Camera last frame age',
      'Up',
    ]) {
      expect(series.get(panel)?.length, panel).toBeGreaterThan(0);
    }
    // The state panel's encoding: 2 live, 1 stalled, 0 offline.
    expect(series.get('Stream state')?.find((r) => r.metric.stream === 'prom-a')?.value[1]).toBe('2');
    expect(series.get('Viewers')?.find((r) => r.metric.stream === 'prom-a')?.value[1]).toBe('1');
  });
});
