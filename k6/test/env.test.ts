import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bearer, DEFAULTS, ENV_KEYS, parseDuration, parseEnv } from '../lib/env.js';

describe('parseDuration', () => {
  const ok: Array<[string, number]> = [
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2m30s500ms', 150_500],
    [' 3s ', 3000],
    ['0s', 0],
  ];
  it.each(ok)('%s is %d ms', (text, ms) => expect(parseDuration(text, 'DURATION')).toBe(ms));

  it.each(['', '30', 's', '5 m', '1d', '1h-5m', '3s!'])('refuses %j naming the key', (text) => {
    expect(() => parseDuration(text, 'WARMUP')).toThrow(/^WARMUP: must be a duration/);
  });
});

describe('parseEnv', () => {
  it("defaults to the benchmark's load: 30 fps, 3 s warmup, viewers ack, stream load0 on loopback", () => {
    const s = parseEnv({});
    expect(s).toMatchObject({
      baseUrl: 'http://127.0.0.1:3000',
      wsBase: 'ws://127.0.0.1:3000',
      streams: ['load0'],
      fps: 30,
      frames: [],
      durationMs: 30_000,
      warmupMs: 3000,
      viewers: 100,
      ack: true,
      publish: false,
      sessionMs: 300_000,
      ingestToken: undefined,
      viewerToken: undefined,
      metricsUrl: 'http://127.0.0.1:3000/metrics',
      limits: { p95LatencyMs: 200, p95PostMs: 200, errorRate: 0.01, dropRate: 0.05, fpsRatio: 0.9, rssGrowthMb: 200 },
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it("takes the script's own defaults under the user's values", () => {
    expect(parseEnv({}, { DURATION: '1h', VIEWERS: '50' })).toMatchObject({ durationMs: 3_600_000, viewers: 50 });
    expect(parseEnv({ DURATION: '2m', VIEWERS: '' }, { DURATION: '1h', VIEWERS: '50' })).toMatchObject({
      durationMs: 120_000,
      viewers: 50,
    });
  });

  it('reads every key', () => {
    const s = parseEnv({
      BASE_URL: 'https://cams.example.com/',
      STREAMS: 'cam1, cam.2 ,cam_3',
      FPS: '12.5',
      FRAMES: '/data/a.jpg,/data/b.jpg',
      DURATION: '1m',
      WARMUP: '5s',
      VIEWERS: '7',
      ACK: '0',
      PUBLISH: 'true',
      SESSION: '30s',
      INGEST_TOKEN: 'publisher-secret',
      VIEWER_TOKEN: 'viewer-secret',
      METRICS_URL: 'off',
      MAX_P95_LATENCY_MS: '150',
      MAX_P95_POST_MS: '80',
      MAX_ERROR_RATE: '0',
      MAX_DROP_RATE: '0.2',
      MIN_FPS_RATIO: '0.5',
      MAX_RSS_GROWTH_MB: '64',
    });
    expect(s).toEqual({
      baseUrl: 'https://cams.example.com',
      wsBase: 'wss://cams.example.com',
      streams: ['cam1', 'cam.2', 'cam_3'],
      fps: 12.5,
      frames: ['/data/a.jpg', '/data/b.jpg'],
      durationMs: 60_000,
      warmupMs: 5000,
      viewers: 7,
      ack: false,
      publish: true,
      sessionMs: 30_000,
      ingestToken: 'publisher-secret',
      viewerToken: 'viewer-secret',
      metricsUrl: undefined,
      limits: { p95LatencyMs: 150, p95PostMs: 80, errorRate: 0, dropRate: 0.2, fpsRatio: 0.5, rssGrowthMb: 64 },
    });
  });

  it('documents every key it reads in k6/README.md', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const key of ENV_KEYS) expect(readme, key).toContain(`\`${key}\``);
    for (const key of Object.keys(DEFAULTS)) expect(ENV_KEYS).toContain(key);
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['a base URL without a scheme', { BASE_URL: 'cams.example.com' }, /^BASE_URL: must be an http/],
    ['a ws base URL', { BASE_URL: 'ws://x' }, /^BASE_URL:/],
    ['no stream', { STREAMS: ' , ' }, /^STREAMS: must name at least one/],
    ['a bad stream id', { STREAMS: 'ok,-bad' }, /^STREAMS: "-bad" is not a stream id/],
    ['a stream named twice', { STREAMS: 'a,b,a' }, /^STREAMS: a stream is named twice/],
    ['a negative fps', { FPS: '-1' }, /^FPS: must be a number from 0 to 1000/],
    ['fps that is not a number', { FPS: '30fps' }, /^FPS:/],
    ['fractional viewers', { VIEWERS: '1.5' }, /^VIEWERS: must be an integer/],
    ['ack that is not a flag', { ACK: 'maybe' }, /^ACK: must be 1 or 0/],
    ['a short ingest token', { INGEST_TOKEN: 'short' }, /^INGEST_TOKEN: must be at least 8/],
    ['a short viewer token', { VIEWER_TOKEN: 'short' }, /^VIEWER_TOKEN: must be at least 8/],
    ['a duration under a second', { DURATION: '500ms' }, /^DURATION: must be at least 1s/],
    ['a warmup as long as the run', { DURATION: '5s', WARMUP: '5s' }, /^WARMUP: must be shorter than DURATION/],
    ['a session within the warmup', { SESSION: '2s' }, /^SESSION: must be longer than WARMUP/],
    ['an error rate over 1', { MAX_ERROR_RATE: '2' }, /^MAX_ERROR_RATE: must be a number from 0 to 1/],
    ['a zero latency limit', { MAX_P95_LATENCY_MS: '0' }, /^MAX_P95_LATENCY_MS:/],
  ];
  it.each(bad)('refuses %s, naming the key', (_name, env, error) => {
    expect(() => parseEnv(env)).toThrow(error);
  });
});

describe('bearer', () => {
  it('sends a token as Authorization: Bearer, and nothing without one', () => {
    expect(bearer('abcdefgh12')).toEqual({ Authorization: 'Bearer abcdefgh12' });
    expect(bearer(undefined)).toEqual({});
  });
});
