/**
 * The k6 scripts themselves (ingest.js, viewers.js, soak.js), run in Node
 * against a real ingest with tokens, through the small k6 stand-in in
 * k6-shim.ts. k6 cannot be installed here; this runs the scripts' own code.
 */
import type { Scenario } from 'k6/options';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnIngest, type IngestProcess } from '../../services/ingest/test/helpers.js';
import { sampleValue } from '../lib/prom-text.js';
import { arrivals, iterate, recorded, resetRecorded, setEnv, total, values, vus } from './k6-shim.js';

vi.mock('k6', async () => (await import('./k6-shim.js')).k6);
vi.mock('k6/http', async () => ({ default: (await import('./k6-shim.js')).http }));
vi.mock('k6/execution', async () => ({ default: (await import('./k6-shim.js')).execution }));
vi.mock('k6/metrics', async () => (await import('./k6-shim.js')).metrics);
vi.mock('k6/timers', async () => (await import('./k6-shim.js')).timers);
vi.mock('k6/websockets', async () => (await import('./k6-shim.js')).websockets);

interface Options {
  scenarios: Record<string, Scenario>;
  thresholds: Record<string, string[]>;
  summaryTrendStats: string[];
}
interface IngestScript {
  options: Options;
  publisher(): Promise<void>;
}
interface ViewersScript {
  options: Options;
  viewer(): Promise<void>;
  publisher(): Promise<void>;
}
interface SoakScript {
  options: Options;
  publisher(): Promise<void>;
  viewer(): Promise<void>;
  api(): Promise<void>;
  setup(): { rss: number | undefined };
  teardown(data: { rss: number | undefined }): void;
}

const INGEST_TOKEN = 'k6-publisher-token';
const VIEWER_TOKEN = 'k6-viewer-token';

// A path in a variable: TypeScript does not look for declarations of the scripts (plain JS for k6).
const script = (name: string): Promise<unknown> => import(new URL(`../${name}`, import.meta.url).href);

let ingest: IngestProcess;
let env: Record<string, string>;
let ingestJs: IngestScript;
let viewersJs: ViewersScript;
let soakJs: SoakScript;

beforeAll(async () => {
  ingest = await spawnIngest({ INGEST_TOKEN, VIEWER_TOKEN, MAX_PUBLISH_FPS: '200' });
  env = {
    BASE_URL: ingest.url,
    STREAMS: 'k6a,k6b',
    FPS: '30',
    DURATION: '2s',
    WARMUP: '0s',
    SESSION: '1500ms',
    VIEWERS: '4',
    INGEST_TOKEN,
    VIEWER_TOKEN,
  };
  setEnv(env);
  ingestJs = (await script('ingest.js')) as IngestScript;
  viewersJs = (await script('viewers.js')) as ViewersScript;
  soakJs = (await script('soak.js')) as SoakScript;
});

afterAll(async () => {
  await ingest?.kill();
});

/** A sample of ingest's /metrics, 0 when absent. */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  return sampleValue(await (await fetch(`${ingest.url}/metrics`)).text(), name, labels) ?? 0;
}

/** Runs a publisher scenario of `options` the way k6's constant-arrival-rate executor would. */
function publish(fn: () => Promise<void>, options: Options, stream: string, durationMs: number) {
  const sc = options.scenarios[`publish_${stream}`];
  if (sc?.executor !== 'constant-arrival-rate') throw new Error(`no arrival-rate scenario for ${stream}`);
  return arrivals(fn, {
    name: `publish_${stream}`,
    rate: sc.rate,
    durationMs,
    maxVUs: sc.maxVUs ?? sc.preAllocatedVUs,
    env,
    scenarioEnv: sc.env ?? {},
  });
}

describe('ingest.js', () => {
  it('declares one publisher per stream with the thresholds', () => {
    const { scenarios, thresholds, summaryTrendStats } = ingestJs.options;
    expect(Object.keys(scenarios)).toEqual(['publish_k6a', 'publish_k6b']);
    expect(scenarios.publish_k6a).toMatchObject({ exec: 'publisher', rate: 30, maxVUs: 2, duration: '2000ms' });
    expect(Object.keys(thresholds)).toEqual([
      'http_req_failed{name:publish}',
      'http_req_duration{name:publish}',
      'frames_accepted',
    ]);
    expect(summaryTrendStats).toContain('p(99)');
  });

  it('publishes the built-in 1280x720 frame with the token; every frame accepted and counted', async () => {
    resetRecorded();
    const run = await publish(ingestJs.publisher, ingestJs.options, 'k6a', 1000);
    expect(run.started).toBeGreaterThanOrEqual(28);
    expect(run.maxActive).toBeLessThanOrEqual(2);
    expect(recorded.checks.get('frame accepted (204)')).toEqual({ pass: run.started, fail: 0 });
    expect(total('frames_accepted', { stream: 'k6a' })).toBe(run.started);
    expect(total('frames_refused')).toBe(0);
    expect(await metric('ingest_frames_received_total', { stream: 'k6a' })).toBe(run.started);
    expect(recorded.requests.every((r) => r.tags.name === 'publish' && r.url.endsWith('/streams/k6a/frames'))).toBe(
      true,
    );
    const info = (await (
      await fetch(`${ingest.url}/streams/k6a`, { headers: { Authorization: `Bearer ${VIEWER_TOKEN}` } })
    ).json()) as { width: number; height: number; lastSeq: number };
    expect([info.width, info.height]).toEqual([1280, 720]);
    // seq is the scenario's iteration + 1: increasing, so ingest published every frame.
    expect(info.lastSeq).toBe(run.started);
  });
});

describe('viewers.js', () => {
  it('declares the viewers, and publishers only with PUBLISH=1', () => {
    const { scenarios, thresholds } = viewersJs.options;
    expect(Object.keys(scenarios)).toEqual(['viewers']);
    expect(scenarios.viewers).toMatchObject({ executor: 'per-vu-iterations', vus: 4, iterations: 1, exec: 'viewer' });
    expect(Object.keys(thresholds)).toEqual(['frame_latency', 'viewer_failed', 'frame_dropped', 'viewer_fps']);
  });

  it('watches with the token, acks, counts what ingest sent and times it from the envelope', async () => {
    resetRecorded();
    const sentBefore = {
      k6a: await metric('fanout_frames_sent_total', { stream: 'k6a' }),
      k6b: await metric('fanout_frames_sent_total', { stream: 'k6b' }),
    };
    const scenarioEnv = viewersJs.options.scenarios.viewers?.env ?? {};
    const viewing = vus(viewersJs.viewer, { name: 'viewers', vus: 4, env, scenarioEnv });
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all([
      publish(viewersJs.publisher, ingestJs.options, 'k6a', 1800),
      publish(viewersJs.publisher, ingestJs.options, 'k6b', 1800),
    ]);
    await viewing;

    expect(values('viewer_failed')).toEqual([0, 0, 0, 0]);
    const fps = values('viewer_fps');
    expect(fps).toHaveLength(4);
    for (const f of fps) expect(f).toBeGreaterThan(20);
    for (const f of fps) expect(f).toBeLessThan(40);
    const latencies = values('frame_latency');
    expect(latencies.length).toBe(total('frames_received'));
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(values('ingest_latency').length).toBe(latencies.length);
    expect(values('time_to_first_frame')).toHaveLength(4);
    expect(total('frame_gaps')).toBe(0);
    expect(values('frame_dropped').every((v) => v === 0)).toBe(true);
    // What the viewers counted is what ingest wrote to them, less at most a frame or two
    // in flight when each viewer closed; acked, so ingest never had to skip one.
    for (const stream of ['k6a', 'k6b'] as const) {
      const sent = (await metric('fanout_frames_sent_total', { stream })) - sentBefore[stream];
      const received = total('frames_received', { stream });
      expect(received).toBeLessThanOrEqual(sent);
      expect(received).toBeGreaterThanOrEqual(sent - 2 * 2);
      expect(await metric('fanout_frames_dropped_total', { stream, reason: 'window_full' })).toBe(0);
    }
  });
});

describe('soak.js', () => {
  it('declares publishers, reconnecting viewers and the API poller, with every threshold', () => {
    const { scenarios, thresholds } = soakJs.options;
    expect(Object.keys(scenarios)).toEqual(['publish_k6a', 'publish_k6b', 'viewers', 'api']);
    expect(scenarios.viewers).toMatchObject({ executor: 'constant-vus', env: { SESSION_MS: '1500' } });
    expect(Object.keys(thresholds)).toEqual([
      'http_req_failed{name:publish}',
      'http_req_duration{name:publish}',
      'frames_accepted',
      'frame_latency',
      'viewer_failed',
      'frame_dropped',
      'viewer_fps',
      'checks{scenario:api}',
      'server_rss_growth_mb',
    ]);
  });

  it("reads ingest's memory at setup and teardown, and checks the API while frames flow", async () => {
    resetRecorded();
    const data = soakJs.setup();
    expect(data.rss).toBeGreaterThan(10 * 1024 * 1024);
    await publish(soakJs.publisher, soakJs.options, 'k6b', 300);
    for (let i = 0; i < 2; i++) await iterate(soakJs.api, { name: 'api', env, scenarioEnv: {} });
    expect(recorded.checks.get('GET /streams 200')).toEqual({ pass: 2, fail: 0 });
    expect(recorded.checks.get('stream is live')).toEqual({ pass: 2, fail: 0 });
    expect(recorded.checks.get('snapshot 200')).toEqual({ pass: 2, fail: 0 });
    expect(recorded.requests.filter((r) => r.url.includes('snapshot.jpg?width=320'))).toHaveLength(2);
    soakJs.teardown(data);
    const growth = values('server_rss_growth_mb');
    expect(growth).toHaveLength(1);
    expect(Math.abs(growth[0] ?? Infinity)).toBeLessThan(500);
  });
});
