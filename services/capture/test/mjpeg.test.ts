import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeViewerFrame } from '../../../shared/index.js';
import { connectViewer, metricValue, startTestIngest, type TestViewer } from '../../ingest/test/helpers.js';
import type { IngestServer } from '../../ingest/server.js';
import type { CameraInfo } from '../camera.js';
import {
  everythingCaptureSays,
  ffmpegChildren,
  sleep,
  startMjpegServer,
  startRtspServer,
  startTestCapture,
  waitFor,
  type MjpegServer,
  type RtspServer,
  type TestCapture,
} from './helpers.js';

const wsUrl = (base: string, path: string): string => base.replace(/^http/, 'ws') + path;
const cameraOf = (capture: TestCapture, id: string): CameraInfo => {
  const cam = capture.server.cameras().find((c) => c.id === id);
  if (!cam) throw new Error(`no camera ${id}`);
  return cam;
};

/** Distinct JPEGs, like a camera's, each a different colour and size-stable. */
function cameraFrames(count: number, width: number, height: number): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp({ create: { width, height, channels: 3, background: { r: i * 20, g: 255 - i * 20, b: 128 } } })
        .jpeg({ quality: 85 })
        .toBuffer(),
    ),
  );
}

describe('capture with an MJPEG camera over HTTP', () => {
  it('passes JPEGs through byte for byte (no re-encode) at the configured fps; a resize re-encodes', async () => {
    let cam: MjpegServer | undefined;
    let ingest: IngestServer | undefined;
    let capture: TestCapture | undefined;
    const viewers: TestViewer[] = [];
    try {
      const frames = await cameraFrames(10, 320, 240);
      cam = await startMjpegServer(frames, 20, undefined, 15); // frames 35 and 65 ms apart
      ingest = await startTestIngest();
      capture = await startTestCapture({ INGEST_URL: ingest.url }, [
        { id: 'copy', url: cam.url, fps: 10 },
        { id: 'small', url: cam.url, fps: 10, maxWidth: 160 },
        // Re-encoded at the camera's own rate: arrival jitter must not cost frames (it cost 5 of 30 with slots).
        { id: 'full', url: cam.url, fps: 20, passthrough: 'never' },
      ]);
      for (const id of ['copy', 'small', 'full']) {
        viewers.push(await connectViewer(wsUrl(ingest.url, `/streams/${id}/ws`)));
      }
      const [copy, small, full] = viewers as [TestViewer, TestViewer, TestViewer];
      for (const v of viewers) await v.until(() => v.binary.length > 0, 10_000);
      await sleep(1000);
      const before = [copy.binary.length, full.binary.length];
      await sleep(4000);
      const fps = (copy.binary.length - (before[0] as number)) / 4;
      const fullFps = (full.binary.length - (before[1] as number)) / 4;
      process.stdout.write(
        `mjpeg: pass-through fps ${fps} (camera 20, limit 10); re-encoded fps ${fullFps} (limit 20)\n`,
      );
      expect(fps).toBeGreaterThanOrEqual(9);
      expect(fps).toBeLessThanOrEqual(11);
      expect(fullFps).toBeGreaterThanOrEqual(18);
      expect(fullFps).toBeLessThanOrEqual(22);

      const decode = (b: Buffer) => {
        const f = decodeViewerFrame(b);
        if (!f.ok) throw new Error(f.message);
        return f.value;
      };
      for (const b of copy.binary.slice(-10)) {
        const data = Buffer.from(decode(b).data);
        expect(frames.some((f) => f.equals(data))).toBe(true);
      }
      for (const b of small.binary.slice(-5)) {
        const f = decode(b);
        expect([f.width, f.height]).toEqual([160, 120]);
        expect(frames.some((x) => x.equals(Buffer.from(f.data)))).toBe(false);
        expect(Buffer.from(f.data).includes(Buffer.from('Lavc'))).toBe(true); // FFmpeg's encoder signs its JPEGs
      }
      expect(cameraOf(capture, 'copy')).toMatchObject({ passthrough: true, inputCodec: 'mjpeg', state: 'live' });
      expect(cameraOf(capture, 'small')).toMatchObject({ passthrough: false, inputCodec: 'mjpeg', state: 'live' });
      expect(ffmpegChildren()).toHaveLength(3);
    } finally {
      await Promise.all(viewers.map((v) => v.close()));
      await capture?.server.close();
      await ingest?.close();
      await cam?.close();
    }
    expect(ffmpegChildren()).toEqual([]);
  });

  it('reports wrong HTTP credentials as auth_failed without printing them', async () => {
    let cam: MjpegServer | undefined;
    let ingest: IngestServer | undefined;
    let capture: TestCapture | undefined;
    try {
      cam = await startMjpegServer(await cameraFrames(1, 64, 48), 10, { user: 'viewer', password: 'Right-Pass-42' });
      ingest = await startTestIngest();
      const url = cam.url.replace('Right-Pass-42', 'Wrong-Pass-42');
      capture = await startTestCapture({ INGEST_URL: ingest.url }, [{ id: 'cam', url }]);
      const c = capture;
      await waitFor(() => cameraOf(c, 'cam').state === 'auth_failed');
      expect(cameraOf(c, 'cam').url).toMatch(/^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/video\.mjpg$/);
      const said = await everythingCaptureSays(c);
      expect(said).not.toContain('Wrong-Pass-42');
      expect(said).not.toContain('Right-Pass-42');
    } finally {
      await capture?.server.close();
      await ingest?.close();
      await cam?.close();
    }
  });

  it('detects MJPEG over RTSP and switches to pass-through (codec_switch), frames untouched by an encoder', async () => {
    let rtsp: RtspServer | undefined;
    let ingest: IngestServer | undefined;
    let capture: TestCapture | undefined;
    try {
      rtsp = await startRtspServer({ codec: 'mjpeg', width: 320, height: 240, fps: 15 });
      ingest = await startTestIngest();
      capture = await startTestCapture({ INGEST_URL: ingest.url }, [{ id: 'cam', url: rtsp.url(), fps: 10 }]);
      const c = capture;
      await waitFor(() => cameraOf(c, 'cam').passthrough && cameraOf(c, 'cam').state === 'live', 15_000);
      expect(cameraOf(c, 'cam').inputCodec).toBe('mjpeg');
      expect(
        await metricValue(c.server.registry, 'capture_restarts_total', { camera: 'cam', reason: 'codec_switch' }),
      ).toBe(1);
      const posted = cameraOf(c, 'cam').framesPosted;
      await waitFor(() => cameraOf(c, 'cam').framesPosted > posted + 5);
      // GStreamer's jpegenc writes its own quantisation tables; FFmpeg's encoder at -q:v 5 would not give these bytes.
      const snap = Buffer.from(await (await fetch(`${ingest.url}/streams/cam/snapshot.jpg`)).arrayBuffer());
      expect(snap.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(snap.includes(Buffer.from('Lavc'))).toBe(false); // not re-encoded: no FFmpeg encoder comment
    } finally {
      await capture?.server.close();
      await ingest?.close();
      await rtsp?.kill();
    }
    expect(ffmpegChildren()).toEqual([]);
  });
});
