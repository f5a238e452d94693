import { describe, expect, it } from 'vitest';
import { classifyStderrLine, inputVideoCodec, StderrReader } from './ffmpeg-stderr.js';
import { redactText } from './redact.js';

describe('classifyStderrLine (lines printed by FFmpeg 4.1 and 5.1 here)', () => {
  it.each([
    { line: '[rtsp @ 0x557f6737a980] method DESCRIBE failed: 401 Unauthorized', reason: 'auth_failed' },
    {
      line: 'rtsp://admin:wrong@127.0.0.1:18554/cam: Server returned 401 Unauthorized (authorization failed)',
      reason: 'auth_failed',
    },
    { line: 'http://cam/video.mjpg: Server returned 403 Forbidden (access denied)', reason: 'auth_failed' },
    { line: '[rtsp @ 0x557a0b1d1980] method DESCRIBE failed: 404 Not Found', reason: 'not_found' },
    { line: 'rtsp://admin:s3cret@127.0.0.1:18554/nope: Server returned 404 Not Found', reason: 'not_found' },
    { line: 'file:/videos/missing.mp4: No such file or directory', reason: 'not_found' },
    {
      line: '[tcp @ 0x561b99d53840] Connection to tcp://127.0.0.1:18555?timeout=3000000 failed: Connection refused',
      reason: 'unreachable',
    },
    { line: 'rtsp://cam.invalid/x: Name or service not known', reason: 'unreachable' },
    { line: 'rtsp://10.9.9.9/x: No route to host', reason: 'unreachable' },
    { line: 'http://cam/video.mjpg: Connection timed out', reason: 'timeout' },
    {
      line: 'rtsp://admin:s3cret@127.0.0.1:18554/cam: Invalid data found when processing input',
      reason: 'invalid_data',
    },
    { line: 'frame=   55 fps=4.1 q=5.0 size=     104kB time=00:00:01.76', reason: undefined },
    { line: '  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p, 640x360', reason: undefined },
  ])('$line -> $reason', ({ line, reason }) => {
    expect(classifyStderrLine(line)).toBe(reason);
  });
});

describe('inputVideoCodec', () => {
  it.each([
    { line: '  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(tv, smpte170m), 640x360', codec: 'h264' },
    {
      line: '    Stream #0:0: Video: mjpeg (Baseline), yuvj422p(pc, bt470bg/unknown/unknown), 1280x720',
      codec: 'mjpeg',
    },
    { line: '    Stream #0:0(und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv), 1920x1080', codec: 'hevc' },
    { line: '    Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv420p, 640x360', codec: 'rawvideo' },
    { line: '    Stream #0:1: Audio: aac (LC), 48000 Hz, stereo', codec: undefined },
    { line: 'Stream mapping:', codec: undefined },
  ])('$line -> $codec', ({ line, codec }) => {
    expect(inputVideoCodec(line)).toBe(codec);
  });
});

describe('StderrReader', () => {
  const redact = (text: string): string => redactText(text, ['s3cret']);

  it('joins lines split across chunks, takes the input codec, not the output one', () => {
    const reader = new StderrReader(redact);
    const text = [
      "Input #0, rtsp, from 'rtsp://admin:s3cret@127.0.0.1:8554/cam':",
      '  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p, 640x360, 30 fps',
      'Stream mapping:',
      '  Stream #0:0 -> #0:0 (h264 (native) -> mjpeg (native))',
      "Output #0, image2pipe, to 'pipe:1':",
      '  Stream #0:0: Video: mjpeg, yuvj420p(pc), 640x360, q=2-31, 200 kb/s',
      '',
    ].join('\n');
    const lines: string[] = [];
    for (let i = 0; i < text.length; i += 7) lines.push(...reader.push(text.slice(i, i + 7)));
    expect(reader.inputCodec).toBe('h264');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe("Input #0, rtsp, from 'rtsp://***@127.0.0.1:8554/cam':");
    expect(reader.lastLines().join('\n')).not.toContain('s3cret');
    expect(reader.failure).toBeUndefined();
  });

  it('keeps the strongest failure of a run: 401 then "Invalid data" stays auth_failed', () => {
    const reader = new StderrReader(redact);
    reader.push('[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized\r\n');
    reader.push('rtsp://admin:s3cret@h/cam: Invalid data found when processing input\n');
    expect(reader.failure).toBe('auth_failed');
  });

  it('upgrades a weaker failure to a stronger one', () => {
    const reader = new StderrReader(redact);
    reader.push('x: Invalid data found when processing input\n');
    reader.push('x: Connection refused\n');
    expect(reader.failure).toBe('unreachable');
  });

  it('keeps only the last lines, each cut to a bound', () => {
    const reader = new StderrReader(redact, 3, 10);
    reader.push(['one', 'two', 'three', 'four', 'x'.repeat(50), ''].join('\n'));
    expect(reader.lastLines()).toEqual(['three', 'four', 'x'.repeat(10)]);
  });
});
