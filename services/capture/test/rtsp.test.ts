import { describe, expect, it } from 'vitest';
import { decodeViewerFrame } from '../../../shared/index.js';
import { connectViewer, metricValue, startTestIngest, type TestViewer } from '../../ingest/test/helpers.js';
import type { IngestServer } from '../../ingest/server.js';
import type { CameraInfo } from '../camera.js';
import {
  everythingCaptureSays,
  ffmpegChildren,
  processAlive,
  sleep,
  startRtspServer,
  startTestCapture,
  waitFor,
  type RtspServer,
  type TestCapture,
} from './helpers.js';

const wsUrl = (base: string, path: string): string => base.replace(/^http/, 'ws') + path;
const cameraOf = (capture: TestCapture, id: string): CameraInfo => {
  const cam = capture.server.cameras().find((c) => c.id === id);
  if (!cam) throw new Error(`no camera ${id}`);
  return cam;
};
const liveCount = (capture: TestCapture): number => capture.server.cameras().filter((c) => c.ffmpegPid !== null).length;

describe('capture with a real RTSP camera (GStreamer RTSP server, H.264, basic auth)', () => {
  it('delivers frames to ingest and a ws viewer at the configured fps, over TCP and UDP', async () => {
    let rtsp: RtspServer | undefined;
    let ingest: IngestServer | undefined;
    let capture: TestCapture | undefined;
    const viewers: TestViewer[] = [];
    try {
      rtsp = await startRtspServer({ width: 640, height: 360, fps: 30 });
      ingest = await startTestIngest();
      const t0 = Date.now();
      capture = await startTestCapture({ INGEST_URL: ingest.url }, [
        { id: 'tcp', url: rtsp.url(), fps: 10, maxWidth: 320 },
        { id: 'udp', url: rtsp.url(), fps: 10, transport: 'udp' },
      ]);
      for (const id of ['tcp', 'udp']) viewers.push(await connectViewer(wsUrl(ingest.url, `/streams/${id}/ws`)));
      const [tcp, udp] = viewers as [TestViewer, TestViewer];
      await tcp.until(() => tcp.binary.length > 0, 10_000);
      const firstFrameMs = Date.now() - t0;
      await udp.until(() => udp.binary.length > 0, 10_000);

      // Steady state: count what the viewers receive over 5 s, after a second to settle.
      await sleep(1000);
      const before = [tcp.binary.length, udp.binary.length];
      await sleep(5000);
      const fps = [(tcp.binary.length - (before[0] as number)) / 5, (udp.binary.length - (before[1] as number)) / 5];
      process.stdout.write(`rtsp: first frame after ${firstFrameMs} ms; viewer fps tcp ${fps[0]}, udp ${fps[1]}\n`);
      expect(fps[0]).toBeGreaterThanOrEqual(9);
      expect(fps[0]).toBeLessThanOrEqual(11);
      expect(fps[1]).toBeGreaterThanOrEqual(9);
      expect(fps[1]).toBeLessThanOrEqual(11);

      const frame = decodeViewerFrame(tcp.binary.at(-1) as Buffer);
      if (!frame.ok) throw new Error(frame.message);
      expect(frame.value).toMatchObject({ streamId: 'tcp', width: 320, height: 180 }); // scaled, aspect kept
      const udpFrame = decodeViewerFrame(udp.binary.at(-1) as Buffer);
      expect(udpFrame.ok && udpFrame.value.width).toBe(640);
      expect(Math.abs(Date.now() - frame.value.timestamp)).toBeLessThan(2000); // capture time, this machine's clock

      const cam = cameraOf(capture, 'tcp');
      expect(cam).toMatchObject({ state: 'live', reason: null, inputCodec: 'h264', passthrough: false, restarts: 0 });
      const posted = await metricValue(capture.server.registry, 'capture_frames_posted_total', { camera: 'tcp' });
      const received = await metricValue(ingest.registry, 'ingest_frames_received_total', { stream: 'tcp' });
      expect(posted).toBeGreaterThan(50);
      expect(received).toBe(posted);
      expect(ffmpegChildren()).toHaveLength(2);
      // Keep-alive: two cameras, at most two sockets each.
      expect(capture.server.ingestSockets()).toBeLessThanOrEqual(4);
    } finally {
      await Promise.all(viewers.map((v) => v.close()));
      await capture?.server.close();
      await ingest?.close();
      await rtsp?.kill();
    }
    expect(ffmpegChildren()).toEqual([]);
  });

  it('restarts after the RTSP server is killed (FFmpeg exits 0) and has frames again within 5 s of its return', async () => {
    let rtsp: RtspServer | undefined;
    let ingest: IngestServer | undefined;
    let capture: TestCapture | undefined;
    try {
      rtsp = await startRtspServer();
      const port = rtsp.port;
      ingest = await startTestIngest();
      capture = await startTestCapture({ INGEST_URL: ingest.url }, [{ id: 'cam', url: rtsp.url(), fps: 10 }]);
      const c = capture;
      await waitFor(() => cameraOf(c, 'cam').state === 'live');
      await rtsp.kill();
      await waitFor(() => cameraOf(c, 'cam').state === 'backoff', 8000);
      const restartsWhileDown = cameraOf(c, 'cam').restarts;
      expect(restartsWhileDown).toBeGreaterThanOrEqual(1);
      await sleep(3000); // a few failed attempts: the backoff grows
      expect(cameraOf(c, 'cam').restarts).toBeGreaterThan(restartsWhileDown);
      expect(ffmpegChildren().length).toBeLessThanOrEqual(1);

      rtsp = await startRtspServer({ port });
      const back = Date.now();
      const postedBefore = cameraOf(c, 'cam').framesPosted;
      await waitFor(() => cameraOf(c, 'cam').framesPosted > postedBefore, 5000);
      const recoveryMs = Date.now() - back;
      process.stdout.write(`rtsp: frames again ${recoveryMs} ms after the server returned\n`);
      expect(recoveryMs).toBeLessThan(5000);
      expect(cameraOf(c, 'cam').state).toBe('live');
      const byReason = await Promise.all(
        ['exit', 'unreachable'].map((reason) =>
          metricValue(c.server.registry, 'capture_restarts_total', { camera: 'cam', reason }),
        ),
      );
      expect(byReason[0]).toBeGreaterThanOrEqual(1); // the first exit, status 0, when the server vanished
      expect(byReason[1]).toBeGreaterThanOrEqual(1); // connection refused while it was gone
      expect(ffmpegChildren()).toHaveLength(liveCount(c));
    } finally {
      await capture?.server.close();
      await ingest?.close();
      await rtsp?.kill();
    }
    expect(ffmpegChildren()).toEqual([]);
  });

  it('restarts FFmpeg by watchdog when the server freezes (SIGSTOP), and recovers when it thaws', async () => {
    let rtsp: RtspServer | undefined;
    let ingest: IngestServer | undefined;
    let capture: TestCapture | undefined;
    try {
      rtsp = await startRtspServer();
      ingest = await startTestIngest();
      // The read timeout is longer than the watchdog: FFmpeg alone would sit there (it did for 12 s here).
      capture = await startTestCapture({ INGEST_URL: ingest.url, READ_TIMEOUT_MS: 20_000 }, [
        { id: 'cam', url: rtsp.url(), fps: 10, watchdogMs: 2000 },
      ]);
      const c = capture;
      await waitFor(() => cameraOf(c, 'cam').state === 'live');
      const firstPid = cameraOf(c, 'cam').ffmpegPid as number;
      const states = new Set<string>();
      const watch = setInterval(() => states.add(cameraOf(c, 'cam').state), 20);
      try {
        rtsp.child.kill('SIGSTOP');
        await waitFor(
          async () =>
            (await metricValue(c.server.registry, 'capture_restarts_total', { camera: 'cam', reason: 'watchdog' })) >=
            1,
          8000,
        );
        expect(states.has('stalled')).toBe(true);
        await waitFor(() => !processAlive(firstPid), 5000); // the frozen run is gone, not orphaned
        rtsp.child.kill('SIGCONT');
        await waitFor(() => cameraOf(c, 'cam').state === 'live', 15_000);
      } finally {
        clearInterval(watch);
        rtsp.child.kill('SIGCONT');
      }
      expect(cameraOf(c, 'cam').ffmpegPid).not.toBe(firstPid);
      expect(ffmpegChildren()).toHaveLength(liveCount(c));
    } finally {
      await capture?.server.close();
      await ingest?.close();
      await rtsp?.kill();
    }
    expect(ffmpegChildren()).toEqual([]);
  });

  it('reports a wrong password as auth_failed and a wrong path as not_found, retries slowly, never prints the password', async () => {
    const password = 'cam-Corr3ct-Pw';
    const wrong = 'Wr0ng-Passw0rd-7q';
    let rtsp: RtspServer | undefined;
    let ingest: IngestServer | undefined;
    let capture: TestCapture | undefined;
    try {
      rtsp = await startRtspServer({ password });
      ingest = await startTestIngest();
      capture = await startTestCapture({ INGEST_URL: ingest.url }, [
        { id: 'good', url: rtsp.url('admin', password), fps: 5 },
        { id: 'badpw', url: rtsp.url('admin', wrong), fps: 5 },
        { id: 'badpath', url: rtsp.url('admin', password, '/nope'), fps: 5 },
      ]);
      const c = capture;
      await waitFor(() => cameraOf(c, 'badpw').state === 'auth_failed');
      await waitFor(() => cameraOf(c, 'badpath').reason === 'not_found');
      await waitFor(() => cameraOf(c, 'good').state === 'live');
      expect(cameraOf(c, 'badpw')).toMatchObject({ reason: 'auth_failed', ffmpegPid: null, restarts: 1 });
      expect(cameraOf(c, 'badpath')).toMatchObject({ state: 'backoff', reason: 'not_found', restarts: 1 });
      expect(cameraOf(c, 'badpw').retryInMs).toBeGreaterThan(30_000); // SLOW_RETRY_MS, not the backoff
      await sleep(2000);
      expect(cameraOf(c, 'badpw').restarts).toBe(1); // no hot loop
      expect(cameraOf(c, 'badpath').restarts).toBe(1);

      const said = await everythingCaptureSays(c);
      expect(said).toContain('authentication failed');
      expect(said).toContain('capture_camera_state{camera="badpw",state="auth_failed"} 1');
      expect(said).toContain('capture_camera_reason{camera="badpath",reason="not_found"} 1');
      expect(said).toContain('rtsp://***@127.0.0.1');
      for (const secret of [wrong, password]) expect(said).not.toContain(secret);
      expect(ffmpegChildren()).toHaveLength(1); // only the good camera runs FFmpeg
    } finally {
      await capture?.server.close();
      await ingest?.close();
      await rtsp?.kill();
    }
    expect(ffmpegChildren()).toEqual([]);
  });
});
