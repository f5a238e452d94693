import { describe, expect, it } from 'vitest';
import { parseEnv } from '../lib/env.js';
import {
  apiScenario,
  MAX_IN_FLIGHT,
  publisherScenarios,
  scenarioName,
  soakViewerScenario,
  thresholds,
  viewerScenario,
} from '../lib/options.js';

describe('publisher scenarios', () => {
  it("are the benchmark publisher's rule: FPS arrivals per second, two in flight at most, one per stream", () => {
    const s = parseEnv({ STREAMS: 'cam1,cam.2', FPS: '30', DURATION: '20s' });
    expect(MAX_IN_FLIGHT).toBe(2);
    expect(publisherScenarios(s)).toEqual({
      publish_cam1: {
        executor: 'constant-arrival-rate',
        rate: 30,
        timeUnit: '1s',
        duration: '20000ms',
        preAllocatedVUs: 2,
        maxVUs: 2,
        exec: 'publisher',
        env: { STREAM_ID: 'cam1' },
        tags: { stream: 'cam1' },
        gracefulStop: '10s',
      },
      publish_cam_2: expect.objectContaining({ env: { STREAM_ID: 'cam.2' }, maxVUs: 2, rate: 30 }),
    });
  });

  it('keep a fractional rate exact', () => {
    const sc = publisherScenarios(parseEnv({ FPS: '12.5' })).publish_load0;
    expect(sc).toMatchObject({ rate: 12_500, timeUnit: '1000s' });
  });

  it('post back to back with two VUs when FPS=0 (the benchmark throughput scenario)', () => {
    expect(publisherScenarios(parseEnv({ FPS: '0', DURATION: '6s' })).publish_load0).toEqual({
      executor: 'constant-vus',
      vus: 2,
      duration: '6000ms',
      exec: 'publisher',
      env: { STREAM_ID: 'load0' },
      tags: { stream: 'load0' },
      gracefulStop: '10s',
    });
  });

  it('names scenarios with the characters k6 allows', () => {
    expect(scenarioName('publish', 'a.b-c_d')).toBe('publish_a_b-c_d');
  });
});

describe('viewer scenarios', () => {
  it('viewers.js: each VU one session for the whole run', () => {
    expect(viewerScenario(parseEnv({ VIEWERS: '100', DURATION: '23s' }))).toEqual({
      viewers: {
        executor: 'per-vu-iterations',
        vus: 100,
        iterations: 1,
        maxDuration: '83000ms',
        exec: 'viewer',
        env: { SESSION_MS: '23000', RUN_MS: '23000' },
        tags: {},
        gracefulStop: '10s',
      },
    });
  });

  it('soak.js: VUs reconnect every SESSION for the whole run, and the API is polled', () => {
    const s = parseEnv({ VIEWERS: '50', DURATION: '1h', SESSION: '5m' });
    expect(soakViewerScenario(s).viewers).toMatchObject({
      executor: 'constant-vus',
      vus: 50,
      duration: '3600000ms',
      env: { SESSION_MS: '300000', RUN_MS: '3600000' },
    });
    expect(apiScenario(s).api).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 1,
      timeUnit: '5s',
      exec: 'api',
    });
  });
});

describe('thresholds', () => {
  it('cover error rate, p95 latency and frames/s for each part', () => {
    const s = parseEnv({ STREAMS: 'a,b', FPS: '30' });
    expect(thresholds(s, { publishers: true, viewers: true, api: true, memory: true })).toEqual({
      'http_req_failed{name:publish}': ['rate<0.01'],
      'http_req_duration{name:publish}': ['p(95)<200'],
      frames_accepted: ['rate>=54'],
      frame_latency: ['p(95)<200'],
      viewer_failed: ['rate<0.01'],
      frame_dropped: ['rate<0.05'],
      viewer_fps: ['med>=27'],
      'checks{scenario:api}': ['rate>=0.99'],
      server_rss_growth_mb: ['max<200'],
    });
  });

  it('follow the limits in the environment', () => {
    const s = parseEnv({ FPS: '15', MAX_P95_LATENCY_MS: '80', MIN_FPS_RATIO: '0.5', MAX_ERROR_RATE: '0.1' });
    expect(thresholds(s, { viewers: true })).toEqual({
      frame_latency: ['p(95)<80'],
      viewer_failed: ['rate<0.1'],
      frame_dropped: ['rate<0.05'],
      viewer_fps: ['med>=7.5'],
    });
  });

  it('have no frames/s floor when FPS=0, and no memory limit with METRICS_URL=off', () => {
    const t = thresholds(parseEnv({ FPS: '0', METRICS_URL: 'off' }), { publishers: true, viewers: true, memory: true });
    expect(Object.keys(t)).not.toContain('frames_accepted');
    expect(Object.keys(t)).not.toContain('viewer_fps');
    expect(Object.keys(t)).not.toContain('server_rss_growth_mb');
  });
});
