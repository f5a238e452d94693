import net from 'node:net';
import type { CameraConfig } from './camera-config.js';

/** Default ports of the network schemes capture reads. */
const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'rtsp:': 554, 'rtsps:': 322, 'http:': 80, 'https:': 443 };

/** Host and port a network camera listens on; undefined for files and the test pattern. */
export function probeTarget(camera: Pick<CameraConfig, 'kind' | 'url'>): { host: string; port: number } | undefined {
  if (camera.kind !== 'rtsp' && camera.kind !== 'http') return undefined;
  let u: URL;
  try {
    u = new URL(camera.url);
  } catch {
    return undefined;
  }
  const port = u.port !== '' ? Number(u.port) : DEFAULT_PORTS[u.protocol];
  if (port === undefined) return undefined;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * True when a TCP connection to host:port opens within `timeoutMs`. Sends no
 * data: a camera that is down costs a SYN, not an FFmpeg start.
 */
export function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
