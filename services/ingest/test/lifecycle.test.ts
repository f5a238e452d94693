import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CloseCode, inspectJpeg } from '../../../shared/index.js';
import {
  closeOf,
  connectViewer,
  noiseJpeg,
  postFrame,
  seedBody,
  solidJpeg,
  spawnIngest,
  startTestIngest,
  type IngestProcess,
  type TestViewer,
} from './helpers.js';

const INGEST_MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const wsUrl = (base: string, path: string): string => base.replace(/^http/, 'ws') + path;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('stream status', () => {
  it('tells viewers stalled, then stopped, then started again when frames return', async () => {
    const server = await startTestIngest({ STALL_AFTER_MS: 200, OFFLINE_AFTER_MS: 600 });
    let v: TestViewer | undefined;
    try {
      v = await connectViewer(wsUrl(server.url, '/streams/cam/ws'));
      const viewer = v;
      const jpeg = await solidJpeg(64, 48, [1, 1, 1]);
      await postFrame(server.url, 'cam', seedBody(jpeg, 64, 48));
      await viewer.until(() => viewer.text.some((m) => m.type === 'stream_started'));
      await viewer.until(() => viewer.text.some((m) => m.type === 'stream_stalled'), 2000);
      const stalled = viewer.text.find((m) => m.type === 'stream_stalled') as { lastFrameAgeMs: number };
      expect(stalled).toMatchObject({ streamId: 'cam', stallPolicy: 'freeze' });
      expect(stalled.lastFrameAgeMs).toBeGreaterThanOrEqual(200);
      expect(server.hub.info('cam')?.status).toBe('stalled');
      await viewer.until(() => viewer.text.some((m) => m.type === 'stream_stopped'), 2000);
      expect(server.hub.info('cam')?.status).toBe('offline');
      await postFrame(server.url, 'cam', seedBody(jpeg, 64, 48));
      await viewer.until(() => viewer.text.filter((m) => m.type === 'stream_started').length === 2);
      expect(viewer.text.map((m) => m.type).filter((t) => String(t).startsWith('stream_'))).toEqual([
        'stream_started',
        'stream_stalled',
        'stream_stopped',
        'stream_started',
      ]);
      expect(server.hub.info('cam')?.status).toBe('live');
    } finally {
      await v?.close();
      await server.close();
    }
  });
});

describe('ingest as a process', () => {
  it('refuses a bad setting at start: exit 2, the message names the key', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', INGEST_MAIN], {
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(2);
      expect(stderr).toContain('ingest: configuration error: PORT: must be an integer');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('on SIGTERM closes viewers with 1001 and exits 0 within the shutdown bound', async () => {
    let proc: IngestProcess | undefined;
    let v: TestViewer | undefined;
    try {
      proc = await spawnIngest({ SHUTDOWN_TIMEOUT_MS: '2000' });
      v = await connectViewer(wsUrl(proc.url, '/streams/cam/ws'));
      await postFrame(proc.url, 'cam', seedBody(await solidJpeg(64, 48, [5, 5, 5]), 64, 48));
      const viewer = v;
      await viewer.until(() => viewer.binary.length === 1);
      const closed = closeOf(viewer.ws);
      const exited = once(proc.child, 'exit');
      const t0 = Date.now();
      proc.child.kill('SIGTERM');
      expect(await closed).toEqual({ code: CloseCode.GOING_AWAY, reason: 'shutting_down' });
      const [code] = await exited;
      expect(code).toBe(0);
      expect(Date.now() - t0).toBeLessThan(4000);
      expect(proc.logs.some((l) => l.includes('"shutting down"') && l.includes('SIGTERM'))).toBe(true);
    } finally {
      await v?.close();
      await proc?.kill();
    }
  });

  it('loads sharp (libvips) on the first snapshot, not at startup', async () => {
    let proc: IngestProcess | undefined;
    try {
      proc = await spawnIngest();
      const pid = proc.child.pid as number;
      const libvipsMapped = (): boolean => readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libvips');
      const jpeg = await solidJpeg(64, 48, [1, 2, 3]);
      expect((await postFrame(proc.url, 'cam', seedBody(jpeg, 64, 48))).status).toBe(204);
      expect(libvipsMapped()).toBe(false);
      const snap = await fetch(`${proc.url}/streams/cam/snapshot.jpg?width=32`);
      expect(snap.status).toBe(200);
      const resized = inspectJpeg(Buffer.from(await snap.arrayBuffer()));
      expect(resized.ok && resized.value.width).toBe(32);
      expect(libvipsMapped()).toBe(true);
    } finally {
      await proc?.kill();
    }
  });

  it('keeps server memory flat while a viewer stops reading', async () => {
    let proc: IngestProcess | undefined;
    const viewers: TestViewer[] = [];
    try {
      proc = await spawnIngest({ MAX_PUBLISH_FPS: '1000', VIEWER_STALL_TIMEOUT_MS: '600000' });
      const paused = await connectViewer(wsUrl(proc.url, '/streams/cam/ws'));
      viewers.push(paused);
      for (let i = 0; i < 3; i++) viewers.push(await connectViewer(wsUrl(proc.url, '/streams/cam/ws')));
      paused.pause();
      const jpeg = await noiseJpeg(640, 360, 80);
      const body = seedBody(jpeg, 640, 360);
      const publish = async (n: number): Promise<void> => {
        for (let i = 0; i < n; i++) {
          expect((await postFrame(proc!.url, 'cam', body)).status).toBe(204);
          await sleep(4);
        }
      };
      await publish(100); // fills the paused viewer's kernel buffers
      const baseline = proc.rss();
      await publish(500); // ~75 MB more: an unbounded relay would now hold most of it for the paused viewer
      const after = proc.rss();
      const fast = viewers.slice(1);
      for (const v of fast) await v.until(() => v.binary.length === 600, 10_000);
      expect(after - baseline).toBeLessThan(40 * 1024 * 1024);
      const stats = (await (await fetch(`${proc.url}/streams/cam`)).json()) as { drops: number; viewers: number };
      expect(stats.viewers).toBe(4);
      expect(stats.drops).toBeGreaterThan(400);
    } finally {
      await Promise.all(viewers.map((v) => v.close()));
      await proc?.kill();
    }
  });
});
