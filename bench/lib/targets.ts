import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { spawnIngest, spawnService, type ServiceProcess } from '../../services/ingest/test/helpers.js';
import { processTree } from './proc-tree.js';

/** A server under load, running. */
export interface RunningTarget {
  readonly name: string;
  /** Where publishers POST `/streams/:id/frames`; undefined when the server has its own source. */
  readonly postBase: string | undefined;
  wsUrl(streamId: string): string;
  /** The processes whose CPU and memory count as the server's (a relay and its FFmpeg, say). */
  pids(): number[];
  /** The process whose RSS is reported. */
  readonly mainPid: number;
  stop(): Promise<void>;
}

/** How to start a server under load. */
export interface Target {
  readonly name: string;
  /** `envelope`: viewers get timed msgpack frames; `bytes`: an opaque stream, counted. */
  readonly mode: 'envelope' | 'bytes';
  start(): Promise<RunningTarget>;
}

function fromProcess(name: string, proc: ServiceProcess, wsPath: (id: string) => string): RunningTarget {
  const pid = proc.child.pid as number;
  return {
    name,
    postBase: proc.url,
    wsUrl: (id) => proc.url.replace(/^http/, 'ws') + wsPath(id),
    pids: () => processTree(pid),
    mainPid: pid,
    stop: () => proc.kill(),
  };
}

/** Our ingest as deployed, every feature on (metrics, validation, flow control, stats). */
export function oursTarget(env: Record<string, string> = {}): Target {
  return {
    name: 'ours',
    mode: 'envelope',
    start: async () =>
      fromProcess(
        'ours',
        await spawnIngest({ MAX_PUBLISH_FPS: '1000', VIEWER_STALL_TIMEOUT_MS: '600000', ...env }),
        (id) => `/streams/${id}/ws`,
      ),
  };
}

const NAIVE = fileURLToPath(new URL('../naive-relay.ts', import.meta.url));

/** The naive relay in bench/naive-relay.ts: the same bytes to every client, no bounds. */
export function naiveTarget(): Target {
  return {
    name: 'naive',
    mode: 'envelope',
    start: async () =>
      fromProcess('naive', await spawnService(NAIVE, {}, 'naive relay listening'), (id) => `/streams/${id}/ws`),
  };
}

const NODE_RTSP_STREAM = fileURLToPath(new URL('../node-rtsp-stream-server.cjs', import.meta.url));
const RTSP_SERVER = fileURLToPath(new URL('../../services/capture/test/rtsp-server.py', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A live 1280x720 30 fps H.264 test camera: Debian's GStreamer RTSP server (the capture tests' script). */
async function startRtspCamera(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    '/usr/bin/python3',
    [RTSP_SERVER, '--port', String(port), '--user', 'bench', '--password', 'bench-pass', '--codec', 'h264'].concat([
      '--width',
      '1280',
      '--height',
      '720',
      '--fps',
      '30',
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('RTSP camera did not start')), 15_000);
      child.stdout.on('data', (c: Buffer) => {
        if (c.toString().includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`RTSP camera exited with ${code}`)));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `rtsp://bench:bench-pass@127.0.0.1:${port}/cam`, stop };
}

/**
 * node-rtsp-stream relaying a live 720p30 H.264 RTSP camera as MPEG-1 to every
 * viewer. Its process tree (node and its FFmpeg) counts as the server; the
 * camera does not. It has no frame timestamps, so only bytes are counted.
 */
export function nodeRtspStreamTarget(): Target {
  return {
    name: 'node-rtsp-stream',
    mode: 'bytes',
    start: async () => {
      const camera = await startRtspCamera();
      try {
        const proc = await spawnService(NODE_RTSP_STREAM, {}, 'node-rtsp-stream listening', [camera.url, '0']);
        const pid = proc.child.pid as number;
        return {
          name: 'node-rtsp-stream',
          postBase: undefined,
          wsUrl: () => proc.url.replace(/^http/, 'ws'),
          pids: () => processTree(pid),
          mainPid: pid,
          stop: async () => {
            await proc.kill();
            await camera.stop();
          },
        };
      } catch (err) {
        await camera.stop();
        throw err;
      }
    },
  };
}
