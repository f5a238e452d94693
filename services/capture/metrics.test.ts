import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DROP_REASONS, RESTART_REASON_CODES } from './errors.js';
import { createCaptureMetrics, prezeroCamera, type CameraGaugeSource } from './metrics.js';

describe('capture metrics', () => {
  it('pre-zeroes every drop and restart reason per camera, and reads gauges at scrape time', async () => {
    const registry = new Registry();
    let cameras: CameraGaugeSource[] = [
      { id: 'door', state: 'live', reason: null, lastFrameAgeSeconds: 0.04, ffmpegUp: true, ingestUp: true, fps: 9.5 },
    ];
    const metrics = createCaptureMetrics(registry, { cameras: () => cameras });
    prezeroCamera(metrics, 'door');
    let text = await registry.metrics();
    for (const reason of DROP_REASONS) {
      expect(text).toContain(`capture_frames_dropped_total{camera="door",reason="${reason}"} 0`);
    }
    for (const reason of RESTART_REASON_CODES) {
      expect(text).toContain(`capture_restarts_total{camera="door",reason="${reason}"} 0`);
    }
    expect(text).toContain('capture_camera_state{camera="door",state="live"} 1');
    expect(text).toContain('capture_camera_state{camera="door",state="stalled"} 0');
    expect(text).toContain('capture_last_frame_age_seconds{camera="door"} 0.04');
    expect(text).toContain('capture_ffmpeg_up{camera="door"} 1');
    expect(text).toContain('capture_camera_fps{camera="door"} 9.5');

    expect(text).not.toContain('capture_camera_reason{');
    cameras = [
      {
        id: 'door',
        state: 'auth_failed',
        reason: 'auth_failed',
        lastFrameAgeSeconds: null,
        ffmpegUp: false,
        ingestUp: false,
        fps: 0,
      },
    ];
    text = await registry.metrics();
    expect(text).toContain('capture_camera_state{camera="door",state="auth_failed"} 1');
    expect(text).toContain('capture_camera_reason{camera="door",reason="auth_failed"} 1');
    expect(text).toContain('capture_camera_state{camera="door",state="live"} 0');
    expect(text).toContain('capture_ffmpeg_up{camera="door"} 0');
    expect(text).toContain('capture_ingest_up{camera="door"} 0');
    expect(text).not.toContain('capture_last_frame_age_seconds{camera="door"}');
  });
});
