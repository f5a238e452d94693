import { describe, expect, it } from 'vitest';
import { redactor, redactText, redactUrl, secretsOf } from './redact.js';

describe('redactUrl', () => {
  it.each([
    {
      name: 'rtsp with user and password',
      url: 'rtsp://admin:s3cret@10.0.0.5:554/stream1',
      expected: 'rtsp://***@10.0.0.5:554/stream1',
    },
    { name: 'rtsp with user only', url: 'rtsp://admin@cam.local/live', expected: 'rtsp://***@cam.local/live' },
    { name: 'rtsp without credentials', url: 'rtsp://cam.local:8554/live', expected: 'rtsp://cam.local:8554/live' },
    {
      name: 'percent-encoded password with @ and :',
      url: 'rtsp://admin:p%40ss%3Aword@cam:554/h264',
      expected: 'rtsp://***@cam:554/h264',
    },
    {
      name: 'http with a password query parameter',
      url: 'http://cam/video.cgi?user=admin&pwd=hunter22&res=720',
      expected: 'http://cam/video.cgi?user=***&pwd=***&res=720',
    },
    {
      name: 'https with basic auth',
      url: 'https://u:p4ssw0rd@cam.example:8443/mjpeg',
      expected: 'https://***@cam.example:8443/mjpeg',
    },
    { name: 'the test pattern', url: 'testsrc:?size=640x360&rate=10', expected: 'testsrc:?size=640x360&rate=10' },
    { name: 'a file URL', url: 'file:///var/video/loop.mp4', expected: 'file:///var/video/loop.mp4' },
    { name: 'a plain path', url: './videos/loop.mp4', expected: './videos/loop.mp4' },
    { name: 'unparseable text with user info', url: 'rtsp://admin:s3cret@[bad', expected: 'rtsp://***@[bad' },
  ])('$name', ({ url, expected }) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('secretsOf', () => {
  it('lists user, password (raw and decoded) and secret query values, longest first', () => {
    expect(secretsOf('rtsp://admin:p%40ss@cam/x?token=abcdef&size=1')).toEqual(
      expect.arrayContaining(['admin', 'p%40ss', 'p@ss', 'abcdef']),
    );
    const secrets = secretsOf('rtsp://admin:p%40ss@cam/x?token=abcdef&size=1');
    expect(secrets).not.toContain('1');
    expect([...secrets].sort((a, b) => b.length - a.length)).toEqual(secrets);
  });

  it('is empty for a URL without credentials', () => {
    expect(secretsOf('rtsp://cam:554/live')).toEqual([]);
    expect(secretsOf('testsrc:')).toEqual([]);
  });

  it('finds user info in a string that does not parse as a URL', () => {
    expect(secretsOf('rtsp://admin:s3cret@[bad')).toEqual(expect.arrayContaining(['admin', 's3cret']));
  });
});

describe('redactText', () => {
  it.each([
    {
      name: "FFmpeg's input line",
      text: "Input #0, rtsp, from 'rtsp://admin:s3cret@127.0.0.1:8554/cam':",
      expected: "Input #0, rtsp, from 'rtsp://***@127.0.0.1:8554/cam':",
    },
    {
      name: "FFmpeg's 401 line",
      text: 'rtsp://admin:wrong@127.0.0.1:8554/cam: Server returned 401 Unauthorized (authorization failed)',
      expected: 'rtsp://***@127.0.0.1:8554/cam: Server returned 401 Unauthorized (authorization failed)',
    },
    {
      name: 'a query password in free text',
      text: 'Opening http://cam/video.cgi?user=admin&password=hunter22 for reading',
      expected: 'Opening http://cam/video.cgi?user=***&password=*** for reading',
    },
    { name: 'text without secrets', text: 'frame=  10 fps=0.0', expected: 'frame=  10 fps=0.0' },
  ])('$name', ({ text, expected }) => {
    expect(redactText(text)).toBe(expected);
  });

  it('masks a known secret wherever it appears, even outside a URL', () => {
    expect(redactText('bad password s3cret! (s3cret)', ['s3cret'])).toBe('bad password ***! (***)');
  });

  it('masks the JSON-escaped form of a secret inside a log line', () => {
    const secret = 'pa"ss\\word';
    const line = JSON.stringify({ msg: `password ${secret}` });
    expect(redactText(line, [secret])).not.toContain(JSON.stringify(secret).slice(1, -1));
  });

  it('leaves secrets shorter than 3 characters alone (they would mask unrelated text)', () => {
    expect(redactText('a1 b1', ['a1'])).toBe('a1 b1');
  });
});

describe('redactor', () => {
  it('applies every secret, the longer first so a secret inside another is not half-masked', () => {
    const redact = redactor(['abc', 'abcdef']);
    expect(redact('x abcdef y abc')).toBe('x *** y ***');
  });
});
