import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DROP_REASONS, RESTART_REASON_CODES } from './errors.js';
import { CAMERA_STATES, type CameraState } from './supervisor.js';

/** What the gauges read at scrape time, per camera. */
export interface CameraGaugeSource {
  readonly id: string;
  readonly state: CameraState;
  /** Why the camera is in its state (a restart reason, or `no_frames`); null when live. */
  readonly reason: string | null;
  /** Seconds since the last frame from FFmpeg; null before the first. */
  readonly lastFrameAgeSeconds: number | null;
  readonly ffmpegUp: boolean;
  readonly ingestUp: boolean;
  /** Frames per second captured, over the last seconds. */
  readonly fps: number;
}

/** Where gauges read their values. */
export interface MetricSources {
  cameras(): readonly CameraGaugeSource[];
}

/** Every capture metric, registered on the injected registry. Names in README "Metrics (capture)". */
export function createCaptureMetrics(registry: Registry, sources: MetricSources) {
  const registers = [registry];
  return {
    framesCaptured: new Counter({
      name: 'capture_frames_captured_total',
      help: 'Whole JPEGs taken from FFmpeg (after the pass-through fps limit).',
      labelNames: ['camera'] as const,
      registers,
    }),
    framesPosted: new Counter({
      name: 'capture_frames_posted_total',
      help: 'Frames ingest accepted (2xx).',
      labelNames: ['camera'] as const,
      registers,
    }),
    bytesPosted: new Counter({
      name: 'capture_bytes_posted_total',
      help: 'JPEG bytes ingest accepted.',
      labelNames: ['camera'] as const,
      registers,
    }),
    framesDropped: new Counter({
      name: 'capture_frames_dropped_total',
      help: 'Frames that did not reach ingest, by reason (superseded, ingest_down, rejected, invalid_jpeg, oversize, stopped).',
      labelNames: ['camera', 'reason'] as const,
      registers,
    }),
    framesRejected: new Counter({
      name: 'capture_frames_rejected_total',
      help: "Frames ingest refused with a 4xx, by ingest's error code.",
      labelNames: ['camera', 'code'] as const,
      registers,
    }),
    restarts: new Counter({
      name: 'capture_restarts_total',
      help: 'FFmpeg restarts, by reason.',
      labelNames: ['camera', 'reason'] as const,
      registers,
    }),
    killEscalations: new Counter({
      name: 'capture_ffmpeg_sigkill_total',
      help: 'FFmpeg runs that ignored SIGTERM for KILL_GRACE_MS and were killed with SIGKILL.',
      labelNames: ['camera'] as const,
      registers,
    }),
    postSeconds: new Histogram({
      name: 'capture_post_duration_seconds',
      help: 'Time from sending a frame to ingest to its 2xx answer.',
      labelNames: ['camera'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    ffmpegInfo: new Gauge({
      name: 'capture_ffmpeg_info',
      help: 'The FFmpeg binary in use (value 1): where it was found and its version.',
      labelNames: ['source', 'version'] as const,
      registers,
    }),
    cameraState: new Gauge({
      name: 'capture_camera_state',
      help: 'Camera state: 1 for the current state, 0 for the others.',
      labelNames: ['camera', 'state'] as const,
      registers,
      collect() {
        this.reset();
        for (const c of sources.cameras()) {
          for (const state of CAMERA_STATES) this.set({ camera: c.id, state }, c.state === state ? 1 : 0);
        }
      },
    }),
    cameraReason: new Gauge({
      name: 'capture_camera_reason',
      help: 'Why the camera is in its state (value 1): auth_failed, not_found, unreachable, watchdog, no_frames, ...; absent while live.',
      labelNames: ['camera', 'reason'] as const,
      registers,
      collect() {
        this.reset();
        for (const c of sources.cameras()) if (c.reason !== null) this.set({ camera: c.id, reason: c.reason }, 1);
      },
    }),
    lastFrameAge: new Gauge({
      name: 'capture_last_frame_age_seconds',
      help: 'Seconds since the camera last produced a frame (absent before the first).',
      labelNames: ['camera'] as const,
      registers,
      collect() {
        this.reset();
        for (const c of sources.cameras()) {
          if (c.lastFrameAgeSeconds !== null) this.set({ camera: c.id }, c.lastFrameAgeSeconds);
        }
      },
    }),
    ffmpegUp: new Gauge({
      name: 'capture_ffmpeg_up',
      help: "1 while the camera's FFmpeg process is running.",
      labelNames: ['camera'] as const,
      registers,
      collect() {
        this.reset();
        for (const c of sources.cameras()) this.set({ camera: c.id }, c.ffmpegUp ? 1 : 0);
      },
    }),
    ingestUp: new Gauge({
      name: 'capture_ingest_up',
      help: "0 from a camera's failed POST (network error, timeout, 5xx) until one succeeds.",
      labelNames: ['camera'] as const,
      registers,
      collect() {
        this.reset();
        for (const c of sources.cameras()) this.set({ camera: c.id }, c.ingestUp ? 1 : 0);
      },
    }),
    cameraFps: new Gauge({
      name: 'capture_camera_fps',
      help: 'Frames per second captured, measured over the last two seconds.',
      labelNames: ['camera'] as const,
      registers,
      collect() {
        this.reset();
        for (const c of sources.cameras()) this.set({ camera: c.id }, c.fps);
      },
    }),
  };
}

/** The metrics object `createCaptureMetrics` returns. */
export type CaptureMetrics = ReturnType<typeof createCaptureMetrics>;

/** Sets every per-camera counter to 0 so dashboards see the series before the first event. */
export function prezeroCamera(metrics: CaptureMetrics, camera: string): void {
  metrics.framesCaptured.inc({ camera }, 0);
  metrics.framesPosted.inc({ camera }, 0);
  metrics.bytesPosted.inc({ camera }, 0);
  metrics.killEscalations.inc({ camera }, 0);
  for (const reason of DROP_REASONS) metrics.framesDropped.inc({ camera, reason }, 0);
  for (const reason of RESTART_REASON_CODES) metrics.restarts.inc({ camera, reason }, 0);
}
