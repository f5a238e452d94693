import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config-source.js';
import { loadIngestConfig } from './config.js';

type Env = Record<string, string | undefined>;

/** The key named by the ConfigError that loading `env` throws. */
function failingKey(env: Env): string {
  try {
    loadIngestConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const key = (err as ConfigError).key;
    expect((err as ConfigError).message.startsWith(`${key}: `)).toBe(true);
    return key;
  }
  throw new Error(`expected loadIngestConfig(${JSON.stringify(env)}) to throw`);
}

describe('loadIngestConfig defaults', () => {
  it('matches the documented defaults for an empty env', () => {
    expect(loadIngestConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      ingestToken: undefined,
      viewerToken: undefined,
      defaultStream: 'default',
      maxFrameBytes: 4 * 1024 * 1024,
      maxStreams: 64,
      maxPublishFps: 60,
      bufferFrames: 4,
      stallAfterMs: 2000,
      offlineAfterMs: 10_000,
      maxViewers: 4000,
      maxViewersPerStream: 2500,
      viewerWindow: 2,
      fanoutSliceMs: 10,
      viewerMaxBufferedBytes: 0,
      viewerStallTimeoutMs: 30_000,
      pingIntervalMs: 15_000,
      statsIntervalMs: 2000,
      snapshotConcurrency: 2,
      snapshotMaxWidth: 3840,
      requestTimeoutMs: 30_000,
      shutdownTimeoutMs: 5000,
      corsOrigins: [],
      webRoot: fileURLToPath(new URL('../../web/dist', import.meta.url)),
      logLevel: 'info',
    });
  });

  it('treats empty env values as unset', () => {
    const config = loadIngestConfig({ PORT: '', HOST: '', INGEST_TOKEN: '', LOG_LEVEL: '' });
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', ingestToken: undefined, logLevel: 'info' });
  });

  it('is frozen, and so is its list', () => {
    const config = loadIngestConfig({ CORS_ORIGINS: 'https://a.example' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('loadIngestConfig reads the env', () => {
  it('parses every kind of value', () => {
    const config = loadIngestConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      INGEST_TOKEN: 'publish-secret',
      VIEWER_TOKEN: '12345678',
      DEFAULT_STREAM: 'lobby.cam-1',
      MAX_STREAMS: '5',
      STALL_AFTER_MS: '500',
      OFFLINE_AFTER_MS: '501',
      MAX_VIEWERS: '10',
      MAX_VIEWERS_PER_STREAM: '10',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      LOG_LEVEL: 'silent',
      PATH: '/usr/bin',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      ingestToken: 'publish-secret',
      viewerToken: '12345678',
      defaultStream: 'lobby.cam-1',
      maxStreams: 5,
      stallAfterMs: 500,
      offlineAfterMs: 501,
      maxViewers: 10,
      maxViewersPerStream: 10,
      corsOrigins: ['https://a.example', 'https://b.example'],
      logLevel: 'silent',
    });
  });
});

describe('loadIngestConfig errors name the key', () => {
  it.each<{ name: string; env: Env; key: string }>([
    { name: 'PORT=abc', env: { PORT: 'abc' }, key: 'PORT' },
    { name: 'PORT=70000', env: { PORT: '70000' }, key: 'PORT' },
    { name: 'PORT=-1', env: { PORT: '-1' }, key: 'PORT' },
    { name: 'PORT=80.5', env: { PORT: '80.5' }, key: 'PORT' },
    { name: 'MAX_STREAMS=0', env: { MAX_STREAMS: '0' }, key: 'MAX_STREAMS' },
    { name: 'MAX_FRAME_BYTES=1023', env: { MAX_FRAME_BYTES: '1023' }, key: 'MAX_FRAME_BYTES' },
    { name: 'BUFFER_FRAMES=0', env: { BUFFER_FRAMES: '0' }, key: 'BUFFER_FRAMES' },
    { name: 'VIEWER_WINDOW=65', env: { VIEWER_WINDOW: '65' }, key: 'VIEWER_WINDOW' },
    {
      name: 'OFFLINE_AFTER_MS equal to STALL_AFTER_MS',
      env: { STALL_AFTER_MS: '3000', OFFLINE_AFTER_MS: '3000' },
      key: 'OFFLINE_AFTER_MS',
    },
    {
      name: 'OFFLINE_AFTER_MS below STALL_AFTER_MS',
      env: { STALL_AFTER_MS: '5000', OFFLINE_AFTER_MS: '4000' },
      key: 'OFFLINE_AFTER_MS',
    },
    {
      name: 'MAX_VIEWERS_PER_STREAM > MAX_VIEWERS',
      env: { MAX_VIEWERS: '100', MAX_VIEWERS_PER_STREAM: '101' },
      key: 'MAX_VIEWERS_PER_STREAM',
    },
    { name: 'INGEST_TOKEN shorter than 8', env: { INGEST_TOKEN: '1234567' }, key: 'INGEST_TOKEN' },
    { name: 'VIEWER_TOKEN shorter than 8', env: { VIEWER_TOKEN: 'short' }, key: 'VIEWER_TOKEN' },
    { name: 'DEFAULT_STREAM with a slash', env: { DEFAULT_STREAM: 'a/b' }, key: 'DEFAULT_STREAM' },
    { name: 'DEFAULT_STREAM starting with a dash', env: { DEFAULT_STREAM: '-cam' }, key: 'DEFAULT_STREAM' },
    { name: 'DEFAULT_STREAM of 65 chars', env: { DEFAULT_STREAM: 'c'.repeat(65) }, key: 'DEFAULT_STREAM' },
    { name: 'LOG_LEVEL=verbose', env: { LOG_LEVEL: 'verbose' }, key: 'LOG_LEVEL' },
    { name: 'LOG_LEVEL=INFO (case matters)', env: { LOG_LEVEL: 'INFO' }, key: 'LOG_LEVEL' },
  ])('$name -> $key', ({ env, key }) => {
    expect(failingKey(env)).toBe(key);
  });

  it('accepts an 8-character token and OFFLINE_AFTER_MS one above STALL_AFTER_MS', () => {
    const config = loadIngestConfig({ INGEST_TOKEN: '12345678', STALL_AFTER_MS: '2000', OFFLINE_AFTER_MS: '2001' });
    expect(config).toMatchObject({ ingestToken: '12345678', stallAfterMs: 2000, offlineAfterMs: 2001 });
  });
});

describe('INGEST_CONFIG_FILE', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-config-test-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeJson = (value: unknown): string => {
    const file = path.join(dir, 'ingest.json');
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it('reads settings from JSON, with env winning', () => {
    const file = writeJson({
      PORT: 8080,
      HOST: '0.0.0.0',
      MAX_STREAMS: 3,
      CORS_ORIGINS: ['https://a.example'],
      LOG_LEVEL: 'debug',
      INGEST_TOKEN: 'file-token-123',
    });
    const config = loadIngestConfig({ INGEST_CONFIG_FILE: file, PORT: '9090' });
    expect(config).toMatchObject({
      port: 9090,
      host: '0.0.0.0',
      maxStreams: 3,
      corsOrigins: ['https://a.example'],
      logLevel: 'debug',
      ingestToken: 'file-token-123',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each<{ name: string; json: unknown; key: string }>([
    { name: 'an unknown key', json: { PORT: 1, MAX_STREAM: 3 }, key: 'MAX_STREAM' },
    { name: 'an out-of-range number', json: { MAX_STREAMS: 0 }, key: 'MAX_STREAMS' },
    { name: 'a non-integer number', json: { PORT: 80.5 }, key: 'PORT' },
    { name: 'a number where a string belongs', json: { HOST: 127 }, key: 'HOST' },
  ])('rejects $name, naming $key', ({ json, key }) => {
    expect(failingKey({ INGEST_CONFIG_FILE: writeJson(json) })).toBe(key);
  });

  it('rejects a file that is not JSON, naming INGEST_CONFIG_FILE', () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, 'PORT=8080\n');
    expect(failingKey({ INGEST_CONFIG_FILE: file })).toBe('INGEST_CONFIG_FILE');
  });

  it('rejects a missing file, naming INGEST_CONFIG_FILE', () => {
    expect(failingKey({ INGEST_CONFIG_FILE: path.join(dir, 'missing.json') })).toBe('INGEST_CONFIG_FILE');
  });
});
