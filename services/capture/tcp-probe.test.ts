import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { probeTarget, tcpReachable } from './tcp-probe.js';

describe('probeTarget', () => {
  it.each([
    { url: 'rtsp://admin:pw@10.0.0.5/stream1', kind: 'rtsp', expected: { host: '10.0.0.5', port: 554 } },
    { url: 'rtsp://cam.local:8554/live', kind: 'rtsp', expected: { host: 'cam.local', port: 8554 } },
    { url: 'rtsps://cam/live', kind: 'rtsp', expected: { host: 'cam', port: 322 } },
    { url: 'rtsp://[::1]:8554/live', kind: 'rtsp', expected: { host: '::1', port: 8554 } },
    { url: 'http://cam/video.mjpg', kind: 'http', expected: { host: 'cam', port: 80 } },
    { url: 'https://cam/video.mjpg', kind: 'http', expected: { host: 'cam', port: 443 } },
    { url: 'file:///v.mp4', kind: 'file', expected: undefined },
    { url: 'testsrc:', kind: 'testsrc', expected: undefined },
  ] as const)('$url', ({ url, kind, expected }) => {
    expect(probeTarget({ url, kind })).toEqual(expected);
  });
});

describe('tcpReachable', () => {
  it('is true for a listening port and false once it is closed', async () => {
    const server = net.createServer((s) => s.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      expect(await tcpReachable('127.0.0.1', port, 1000)).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(await tcpReachable('127.0.0.1', port, 1000)).toBe(false);
  });
});
