import { inspectJpeg } from '../../shared/index.js';
import type { Logger } from '../common/logger.js';
import type { CameraConfig, CaptureConfig } from './config.js';
import type { DropReason } from './errors.js';
import { buildFfmpegArgs } from './ffmpeg-args.js';
import type { FfmpegInfo } from './ffmpeg-locate.js';
import { FpsLimiter } from './fps-limiter.js';
import { JpegSplitter } from './jpeg-splitter.js';
import { prezeroCamera, type CaptureMetrics } from './metrics.js';
import { Publisher, type OutgoingFrame, type PostOutcome } from './publisher.js';
import { Supervisor, withParentDeathSignal, type CameraState, type StateReason } from './supervisor.js';
import { probeTarget, tcpReachable } from './tcp-probe.js';

/** What a camera needs from the rest of the service. */
export interface CameraDeps {
  readonly camera: CameraConfig;
  readonly config: CaptureConfig;
  readonly ffmpeg: FfmpegInfo;
  /** util-linux setpriv, for the parent-death signal; undefined spawns FFmpeg directly. */
  readonly setpriv: string | undefined;
  /** Posts a frame of this camera's stream to ingest. */
  readonly post: (streamId: string, frame: OutgoingFrame) => Promise<PostOutcome>;
  readonly metrics: CaptureMetrics;
  /** Already scoped to this camera (`camera` field) and redacting. */
  readonly log: Logger;
  readonly redact: (text: string) => string;
}

/** One camera as `/cameras` shows it. No credentials: the URL is the redacted one. */
export interface CameraInfo {
  readonly id: string;
  readonly url: string;
  readonly kind: CameraConfig['kind'];
  readonly state: CameraState;
  readonly reason: StateReason | null;
  /** When the state began (ms since epoch). */
  readonly since: number;
  /** Milliseconds until the next FFmpeg attempt, while in backoff or auth_failed. */
  readonly retryInMs: number | null;
  /** True while JPEGs are forwarded without re-encoding. */
  readonly passthrough: boolean;
  readonly inputCodec: string | null;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly targetFps: number;
  readonly lastFrameAgeMs: number | null;
  readonly framesCaptured: number;
  readonly framesPosted: number;
  readonly framesDropped: number;
  readonly restarts: number;
  readonly ffmpegPid: number | null;
  readonly ingestUp: boolean;
}

/** Frames per second over a sliding two-second window. */
class RateMeter {
  private readonly times: number[] = [];
  mark(now: number): void {
    this.times.push(now);
    if (this.times.length > 256) this.times.shift();
  }
  rate(now: number): number {
    while (this.times.length > 0 && now - (this.times[0] as number) > 2000) this.times.shift();
    return Math.round((this.times.length / 2) * 10) / 10;
  }
}

/**
 * One camera: its FFmpeg supervisor, the JPEG splitter on FFmpeg's stdout, and
 * the publisher to ingest. Decides pass-through: with `passthrough: auto` and
 * no `maxWidth`, an MJPEG input is copied; FFmpeg is restarted once when the
 * input codec it reports calls for the other mode.
 */
export class Camera {
  private readonly supervisor: Supervisor;
  private readonly splitter: JpegSplitter;
  private readonly publisher: Publisher;
  private readonly limiter: FpsLimiter;
  private readonly meter = new RateMeter();
  private copy: boolean;
  private inputCodec: string | undefined;
  private seq: number;
  private width = 0;
  private height = 0;
  private captured = 0;
  private posted = 0;
  private dropped = 0;
  private readonly warned = new Set<string>();

  constructor(private readonly deps: CameraDeps) {
    const { camera, config, metrics, log } = deps;
    const id = camera.id;
    prezeroCamera(metrics, id);
    // HTTP cameras here are MJPEG cameras: start by copying; the input codec FFmpeg reports confirms or corrects it.
    this.copy =
      camera.passthrough === 'always' ||
      (camera.passthrough === 'auto' && camera.maxWidth === 0 && camera.kind === 'http');
    this.limiter = new FpsLimiter(camera.fps);
    // Publisher seqs start at the clock so that they keep growing across capture restarts:
    // ingest ignores a seq at or just behind the last one it saw for the stream.
    this.seq = Date.now();
    this.splitter = new JpegSplitter(
      (jpeg) => this.onJpeg(jpeg),
      config.maxFrameBytes,
      (reason, bytes) => {
        this.drop(reason === 'oversize' ? 'oversize' : 'invalid_jpeg');
        this.warnOnce(reason, 'ffmpeg output dropped (logged once; every drop is counted)', {
          reason,
          bytes,
          maxFrameBytes: config.maxFrameBytes,
        });
      },
    );
    this.publisher = new Publisher({
      send: (frame) => deps.post(id, frame),
      log,
      backoff: { initialMs: config.backoffInitialMs, maxMs: config.backoffMaxMs },
      hooks: {
        onPosted: (frame, seconds) => {
          this.posted++;
          metrics.framesPosted.inc({ camera: id });
          metrics.bytesPosted.inc({ camera: id }, frame.jpeg.length);
          metrics.postSeconds.observe({ camera: id }, seconds);
        },
        onDropped: (reason) => this.drop(reason),
        onRejected: (code) => metrics.framesRejected.inc({ camera: id, code }),
      },
    });
    const target = config.probeIntervalMs > 0 ? probeTarget(camera) : undefined;
    this.supervisor = new Supervisor({
      log,
      ...(target && {
        reachable: () => tcpReachable(target.host, target.port, Math.min(1000, config.probeIntervalMs)),
        probeIntervalMs: config.probeIntervalMs,
      }),
      command: () =>
        withParentDeathSignal(
          {
            file: deps.ffmpeg.path,
            args: buildFfmpegArgs({
              camera,
              caps: deps.ffmpeg.caps,
              readTimeoutMs: config.readTimeoutMs,
              copy: this.copy,
            }),
          },
          deps.setpriv,
        ),
      watchdogMs: camera.watchdogMs,
      killGraceMs: config.killGraceMs,
      backoff: { initialMs: config.backoffInitialMs, maxMs: config.backoffMaxMs },
      slowRetryMs: config.slowRetryMs,
      redact: deps.redact,
      hooks: {
        onStdout: (chunk) => this.splitter.push(chunk),
        onRunStart: (pid) => {
          this.splitter.reset();
          log.debug('ffmpeg started', { pid, passthrough: this.copy });
        },
        onState: (state, reason) => log.debug('camera state', { state, reason }),
        onRestart: (reason) => metrics.restarts.inc({ camera: id, reason }),
        onInputCodec: (codec) => this.onInputCodec(codec),
        onKillEscalated: () => metrics.killEscalations.inc({ camera: id }),
      },
    });
  }

  get id(): string {
    return this.deps.camera.id;
  }

  start(): void {
    this.deps.log.info('camera starting', {
      url: this.deps.camera.displayUrl,
      kind: this.deps.camera.kind,
      fps: this.deps.camera.fps,
      maxWidth: this.deps.camera.maxWidth,
      passthrough: this.deps.camera.passthrough,
    });
    this.supervisor.start();
  }

  /** Stops FFmpeg (resolves once it has exited) and the publisher. */
  async stop(): Promise<void> {
    this.publisher.stop();
    await this.supervisor.stop();
  }

  info(now: number = Date.now()): CameraInfo {
    const s = this.supervisor;
    return {
      id: this.id,
      url: this.deps.camera.displayUrl,
      kind: this.deps.camera.kind,
      state: s.state,
      reason: s.reason ?? null,
      since: s.since,
      retryInMs: s.retryAt !== undefined ? Math.max(0, s.retryAt - now) : null,
      passthrough: this.copy,
      inputCodec: this.inputCodec ?? null,
      width: this.width,
      height: this.height,
      fps: this.meter.rate(now),
      targetFps: this.deps.camera.fps,
      lastFrameAgeMs: s.lastFrameAt !== undefined ? now - s.lastFrameAt : null,
      framesCaptured: this.captured,
      framesPosted: this.posted,
      framesDropped: this.dropped,
      restarts: s.restarts,
      ffmpegPid: s.pid ?? null,
      ingestUp: this.publisher.ingestUp,
    };
  }

  /** True while this camera's FFmpeg runs. */
  get ffmpegRunning(): boolean {
    return this.supervisor.running;
  }

  private warnOnce(key: string, msg: string, fields: Record<string, unknown>): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.deps.log.warn(msg, fields);
  }

  private drop(reason: DropReason): void {
    this.dropped++;
    this.deps.metrics.framesDropped.inc({ camera: this.id, reason });
  }

  private onInputCodec(codec: string): void {
    const { camera, log } = this.deps;
    const first = this.inputCodec === undefined;
    this.inputCodec = codec;
    if (first) log.info('input codec', { codec, passthrough: this.copy });
    if (camera.passthrough === 'always' && codec !== 'mjpeg') {
      log.error('passthrough is "always" but the input is not MJPEG: frames cannot be forwarded', { codec });
      return;
    }
    if (camera.passthrough !== 'auto') return;
    const copy = camera.maxWidth === 0 && codec === 'mjpeg';
    if (copy === this.copy) return;
    this.copy = copy;
    log.info(copy ? 'input is MJPEG: switching to pass-through' : 'input is not MJPEG: switching to encoding', {
      codec,
    });
    this.supervisor.restart('codec_switch');
  }

  private onJpeg(jpeg: Buffer): void {
    const now = Date.now();
    this.supervisor.frameArrived(now);
    // FFmpeg limits the rate when it encodes a source with real timestamps; copied frames,
    // and every frame of an arrival-timed (HTTP) source, are limited here (see videoFilter).
    if ((this.copy || this.deps.camera.kind === 'http') && !this.limiter.take(now)) return;
    const info = inspectJpeg(jpeg);
    if (!info.ok) {
      this.drop('invalid_jpeg');
      this.warnOnce('invalid_jpeg', 'ffmpeg produced an invalid JPEG (logged once; every drop is counted)', {
        message: info.message,
      });
      return;
    }
    this.captured++;
    this.meter.mark(now);
    this.deps.metrics.framesCaptured.inc({ camera: this.id });
    this.width = info.value.width;
    this.height = info.value.height;
    this.publisher.offer({ jpeg, width: this.width, height: this.height, timestamp: now, seq: this.seq++ });
  }
}
