import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config-source.js';
import { captureConfig, loadCaptureConfig } from './config.js';

/** Runs `fn` and returns the ConfigError it throws (fails the test on anything else). */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

let dir: string;
let video: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-config-test-'));
  video = path.join(dir, 'loop.mp4');
  fs.writeFileSync(video, 'not really a video; the config only checks that it exists');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

describe('defaults', () => {
  it('without cameras runs the test pattern as stream "default"', () => {
    const config = loadCaptureConfig({});
    expect(config).toMatchObject({
      port: 3001,
      host: '127.0.0.1',
      ingestUrl: 'http://127.0.0.1:3000',
      ingestToken: undefined,
      ffmpegPath: undefined,
      readTimeoutMs: 5000,
      backoffInitialMs: 500,
      backoffMaxMs: 4000,
      probeIntervalMs: 500,
      slowRetryMs: 60_000,
      killGraceMs: 2000,
      maxFrameBytes: 4 * 1024 * 1024,
      postTimeoutMs: 5000,
      logLevel: 'info',
    });
    expect(config.cameras).toEqual([
      {
        id: 'default',
        url: 'testsrc:',
        displayUrl: 'testsrc:',
        kind: 'testsrc',
        pattern: { width: 1280, height: 720, rate: 15 },
        fps: 15,
        maxWidth: 0,
        quality: 5,
        transport: 'tcp',
        passthrough: 'auto',
        watchdogMs: 5000,
      },
    ]);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.cameras[0])).toBe(true);
  });

  it('CAMERA_URL and CAMERA_ID make one camera, WATCHDOG_MS its watchdog', () => {
    const config = loadCaptureConfig({
      CAMERA_URL: 'rtsp://admin:s3cret@10.0.0.5:554/stream1',
      CAMERA_ID: 'door',
      WATCHDOG_MS: '8000',
      INGEST_URL: 'http://ingest:3000/',
    });
    expect(config.ingestUrl).toBe('http://ingest:3000');
    expect(config.cameras).toHaveLength(1);
    expect(config.cameras[0]).toMatchObject({
      id: 'door',
      kind: 'rtsp',
      url: 'rtsp://admin:s3cret@10.0.0.5:554/stream1',
      displayUrl: 'rtsp://***@10.0.0.5:554/stream1',
      watchdogMs: 8000,
    });
  });
});

describe('CAMERAS_FILE', () => {
  it('reads YAML, every key, each source kind', () => {
    const file = write(
      'cams.yaml',
      [
        'cameras:',
        '  - id: door',
        '    url: rtsp://admin:s3cret@10.0.0.5:554/stream1',
        '    fps: 10',
        '    maxWidth: 1280',
        '    quality: 4',
        '    transport: udp',
        '    passthrough: never',
        '    watchdogMs: 3000',
        '  - id: yard',
        '    url: http://cam2/video.mjpg',
        '  - id: loop',
        '    url: loop.mp4',
        '  - id: pattern',
        '    url: testsrc:?size=640x360&rate=25',
      ].join('\n'),
    );
    const cams = loadCaptureConfig({ CAMERAS_FILE: file }).cameras;
    expect(cams.map((c) => [c.id, c.kind])).toEqual([
      ['door', 'rtsp'],
      ['yard', 'http'],
      ['loop', 'file'],
      ['pattern', 'testsrc'],
    ]);
    expect(cams[0]).toMatchObject({
      fps: 10,
      maxWidth: 1280,
      quality: 4,
      transport: 'udp',
      passthrough: 'never',
      watchdogMs: 3000,
    });
    expect(cams[1]).toMatchObject({ fps: 15, maxWidth: 0, transport: 'tcp', passthrough: 'auto' });
    expect(cams[2]?.filePath).toBe(video); // relative to the cameras file
    expect(cams[3]?.pattern).toEqual({ width: 640, height: 360, rate: 25 });
  });

  it('reads a JSON list', () => {
    const file = write('cams.json', JSON.stringify([{ id: 'a', url: `file://${video}` }]));
    expect(loadCaptureConfig({ CAMERAS_FILE: file }).cameras[0]).toMatchObject({ kind: 'file', filePath: video });
  });
});

describe('errors name the key and the camera', () => {
  it.each([
    {
      name: 'fps too high',
      cams: [{ id: 'door', url: 'rtsp://h/x', fps: 100 }],
      key: 'cameras[0].fps',
      message: /between 1 and 60.*camera "door"/,
    },
    {
      name: 'fps not a number',
      cams: [{ id: 'door', url: 'rtsp://h/x', fps: 'fast' }],
      key: 'cameras[0].fps',
      message: /integer.*camera "door"/,
    },
    {
      name: 'quality out of range',
      cams: [{ id: 'c', url: 'rtsp://h/x', quality: 1 }],
      key: 'cameras[0].quality',
      message: /between 2 and 31/,
    },
    {
      name: 'maxWidth too small',
      cams: [{ id: 'c', url: 'rtsp://h/x', maxWidth: 8 }],
      key: 'cameras[0].maxWidth',
      message: /at least 16/,
    },
    {
      name: 'bad transport',
      cams: [{ id: 'c', url: 'rtsp://h/x', transport: 'sctp' }],
      key: 'cameras[0].transport',
      message: /tcp, udp/,
    },
    {
      name: 'transport on an http camera',
      cams: [{ id: 'c', url: 'http://h/x', transport: 'udp' }],
      key: 'cameras[0].transport',
      message: /rtsp cameras only/,
    },
    {
      name: 'passthrough always with a resize',
      cams: [{ id: 'c', url: 'http://h/x', passthrough: 'always', maxWidth: 640 }],
      key: 'cameras[0].passthrough',
      message: /cannot resize/,
    },
    {
      name: 'passthrough always on the test pattern',
      cams: [{ id: 'c', url: 'testsrc:', passthrough: 'always' }],
      key: 'cameras[0].passthrough',
      message: /raw video/,
    },
    {
      name: 'unknown camera key',
      cams: [{ id: 'c', url: 'rtsp://h/x', fsp: 10 }],
      key: 'cameras[0].fsp',
      message: /unknown camera key.*camera "c"/,
    },
    { name: 'missing url', cams: [{ id: 'c' }], key: 'cameras[0].url', message: /required.*camera "c"/ },
    {
      name: 'invalid id',
      cams: [{ id: 'front door', url: 'rtsp://h/x' }],
      key: 'cameras[0].id',
      message: /must match/,
    },
    {
      name: 'duplicate id',
      cams: [
        { id: 'a', url: 'rtsp://h/x' },
        { id: 'a', url: 'rtsp://h/y' },
      ],
      key: 'cameras[1].id',
      message: /duplicate camera id "a"/,
    },
    {
      name: 'unsupported scheme',
      cams: [{ id: 'c', url: 'ftp://h/x' }],
      key: 'cameras[0].url',
      message: /scheme "ftp:" is not supported/,
    },
    { name: 'rtsp without host', cams: [{ id: 'c', url: 'rtsp:///x' }], key: 'cameras[0].url', message: /no host/ },
    {
      name: 'missing video file',
      cams: [{ id: 'c', url: '/nonexistent/video.mp4' }],
      key: 'cameras[0].url',
      message: /does not exist/,
    },
    {
      name: 'bad test pattern size',
      cams: [{ id: 'c', url: 'testsrc:?size=big' }],
      key: 'cameras[0].url',
      message: /WIDTHxHEIGHT/,
    },
    {
      name: 'unknown test pattern parameter',
      cams: [{ id: 'c', url: 'testsrc:?color=red' }],
      key: 'cameras[0].url',
      message: /unknown testsrc parameter "color"/,
    },
    { name: 'a camera that is not an object', cams: ['rtsp://h/x'], key: 'cameras[0]', message: /must be an object/ },
    { name: 'no camera', cams: [], key: 'cameras', message: /no camera/ },
  ])('$name -> $key', ({ cams, key, message }) => {
    const err = configErrorOf(() => captureConfig({}, cams));
    expect(err.key).toBe(key);
    expect(err.message).toMatch(message);
  });

  it.each([
    {
      name: 'CAMERAS_FILE and CAMERA_URL together',
      env: { CAMERAS_FILE: 'x.yaml', CAMERA_URL: 'rtsp://h/x' },
      key: 'CAMERA_URL',
    },
    { name: 'a bad CAMERA_URL scheme', env: { CAMERA_URL: 'gopher://h/x' }, key: 'CAMERA_URL' },
    { name: 'a bad CAMERA_ID', env: { CAMERA_URL: 'rtsp://h/x', CAMERA_ID: 'a/b' }, key: 'CAMERA_ID' },
    { name: 'INGEST_URL not http', env: { INGEST_URL: 'ws://ingest' }, key: 'INGEST_URL' },
    { name: 'INGEST_TOKEN too short', env: { INGEST_TOKEN: 'short' }, key: 'INGEST_TOKEN' },
    {
      name: 'BACKOFF_MAX_MS under BACKOFF_INITIAL_MS',
      env: { BACKOFF_INITIAL_MS: '2000', BACKOFF_MAX_MS: '1000' },
      key: 'BACKOFF_MAX_MS',
    },
    { name: 'WATCHDOG_MS too small', env: { WATCHDOG_MS: '10' }, key: 'WATCHDOG_MS' },
    { name: 'CAPTURE_PORT out of range', env: { CAPTURE_PORT: '70000' }, key: 'CAPTURE_PORT' },
    { name: 'LOG_LEVEL unknown', env: { LOG_LEVEL: 'loud' }, key: 'LOG_LEVEL' },
    { name: 'a missing CAMERAS_FILE', env: { CAMERAS_FILE: '/nonexistent/cams.yaml' }, key: 'CAMERAS_FILE' },
  ])('$name -> $key', ({ env, key }) => {
    expect(configErrorOf(() => loadCaptureConfig(env)).key).toBe(key);
  });

  it.each([
    { name: 'invalid YAML', file: 'bad.yaml', text: 'cameras: [\n  - {id: a', message: /not valid YAML/ },
    { name: 'invalid JSON', file: 'bad.json', text: '[{"id": "a",', message: /not valid JSON/ },
    { name: 'another extension', file: 'cams.txt', text: '[]', message: /must end in \.json, \.yaml or \.yml/ },
    { name: 'a scalar', file: 'scalar.yaml', text: 'just text', message: /list of cameras/ },
    {
      name: 'an unknown top-level key',
      file: 'top.yaml',
      text: 'cameras: []\ndefaults: {}',
      message: /unknown key "defaults"/,
    },
  ])('a cameras file with $name names CAMERAS_FILE', ({ file, text, message }) => {
    const err = configErrorOf(() => loadCaptureConfig({ CAMERAS_FILE: write(file, text) }));
    expect(err.key).toBe('CAMERAS_FILE');
    expect(err.message).toMatch(message);
  });

  it('names the camera and the file for an error inside the file', () => {
    const file = write('one-bad.yaml', '- id: ok\n  url: rtsp://h/a\n- id: door\n  url: rtsp://h/b\n  fps: 0\n');
    const err = configErrorOf(() => loadCaptureConfig({ CAMERAS_FILE: file }));
    expect(err.key).toBe('cameras[1].fps');
    expect(err.message).toContain('camera "door"');
    expect(err.message).toContain(file);
  });

  it.each([
    { name: 'an unparseable URL', url: 'rtsp://admin:hunter22@[::1/x' },
    { name: 'an unsupported scheme', url: 'rtmp://admin:hunter22@cam/live' },
    { name: 'a URL without host', url: 'rtsp://admin:hunter22@/live' },
  ])('never echoes the password of $name', ({ url }) => {
    const err = configErrorOf(() => captureConfig({}, [{ id: 'c', url }]));
    expect(err.message).not.toContain('hunter22');
  });
});
