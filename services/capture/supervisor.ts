import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../common/logger.js';
import { Backoff, type BackoffOptions } from '../../shared/index.js';
import { SLOW_REASONS, type RestartReason } from './errors.js';
import { guard, isGuarded, release, type SpawnCommand } from './child-guard.js';
import { StderrReader } from './ffmpeg-stderr.js';

export { killAllChildrenNow, withParentDeathSignal, type SpawnCommand } from './child-guard.js';

/** A camera's state, as `/cameras`, `/healthz` and `capture_camera_state` show it. */
export type CameraState = 'starting' | 'live' | 'stalled' | 'backoff' | 'auth_failed' | 'stopped';

/** Every state, for pre-zeroed metric labels. */
export const CAMERA_STATES: readonly CameraState[] = [
  'starting',
  'live',
  'stalled',
  'backoff',
  'auth_failed',
  'stopped',
];

/** Why a camera is in its state: a restart reason, or `no_frames` while stalled. */
export type StateReason = RestartReason | 'no_frames';

/** What the supervisor tells its camera. */
export interface SupervisorHooks {
  /** FFmpeg's stdout. */
  onStdout(chunk: Buffer): void;
  /** A new FFmpeg run begins: partial frames of the last one are worthless. */
  onRunStart?(pid: number | undefined): void;
  onState?(state: CameraState, reason: StateReason | undefined): void;
  /** FFmpeg ended other than by stop(); a new run follows after a delay. */
  onRestart?(reason: RestartReason): void;
  /** FFmpeg printed the input's video codec. */
  onInputCodec?(codec: string): void;
  /** FFmpeg ignored SIGTERM for KILL_GRACE_MS and was sent SIGKILL. */
  onKillEscalated?(): void;
}

/** Options of a Supervisor. */
export interface SupervisorOptions {
  readonly log: Logger;
  /** The command of the next run; called before each spawn (the argv may change, e.g. to pass-through). */
  readonly command: () => SpawnCommand;
  /** No frame this long restarts FFmpeg; half of it makes a live camera `stalled`. */
  readonly watchdogMs: number;
  /** SIGKILL follows an ignored SIGTERM after this. */
  readonly killGraceMs: number;
  readonly backoff: BackoffOptions;
  /** Delay between attempts after auth_failed or not_found. */
  readonly slowRetryMs: number;
  /** A run live this long resets the backoff (default 10 s): a camera that dies after each first frame still backs off. */
  readonly stableMs?: number;
  /**
   * Cheap reachability check of the camera (a TCP connect). While waiting out a
   * backoff it runs every `probeIntervalMs`; when it turns from false to true,
   * the camera has just come back and FFmpeg starts at once instead of at the
   * end of the backoff. Absent for files and the test pattern.
   */
  readonly reachable?: () => Promise<boolean>;
  /** Period of `reachable` while in backoff. Default 500 ms. */
  readonly probeIntervalMs?: number;
  /** Scrubs credentials from FFmpeg's stderr. */
  readonly redact: (text: string) => string;
  readonly hooks: SupervisorHooks;
  readonly random?: () => number;
}

interface Run {
  readonly child: ChildProcess;
  readonly stderr: StderrReader;
  readonly startedAt: number;
  frames: number;
  firstFrameAt?: number;
  lastFrameAt?: number;
  /** Why we are ending it, if we are. */
  killReason?: RestartReason | 'stopped';
  killTimer?: NodeJS.Timeout;
  readonly exited: Promise<void>;
}

/**
 * One camera's FFmpeg lifecycle: spawn, watch, restart. Every exit is a drop
 * (FFmpeg exits 0 when an RTSP server goes away) and is followed by a restart
 * after an exponential backoff with jitter; 401/403/404 wait SLOW_RETRY_MS. A
 * watchdog restarts FFmpeg when no frame has come for `watchdogMs` (a frozen
 * camera keeps it alive and silent). Stopping sends SIGTERM, then SIGKILL
 * after `killGraceMs`.
 */
export class Supervisor {
  state: CameraState = 'stopped';
  reason: StateReason | undefined;
  /** When the state last changed (ms since epoch). */
  since = Date.now();
  /** When the next attempt is due, while in backoff or auth_failed. */
  retryAt: number | undefined;
  /** Restarts since start. */
  restarts = 0;
  lastFrameAt: number | undefined;
  private run: Run | undefined;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** The reason last logged at warn or error; repeats of it go to debug until the camera is live again. */
  private loggedReason: StateReason | undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = new Backoff(options.backoff, options.random);
  }

  /** FFmpeg's pid while it runs. */
  get pid(): number | undefined {
    return this.run?.child.pid;
  }

  /** True while an FFmpeg child is running. */
  get running(): boolean {
    return this.run !== undefined;
  }

  start(): void {
    if (this.run || this.retryTimer) return;
    this.stopping = false;
    this.spawnRun();
    const tick = Math.max(50, Math.min(1000, Math.floor(this.options.watchdogMs / 4)));
    this.watchdog = setInterval(() => this.checkWatchdog(), tick);
  }

  /** Called by the camera for each whole JPEG FFmpeg produced. */
  frameArrived(now: number = Date.now()): void {
    const run = this.run;
    if (!run || run.killReason) return;
    run.frames++;
    run.lastFrameAt = now;
    this.lastFrameAt = now;
    if (run.firstFrameAt === undefined) {
      run.firstFrameAt = now;
      const fields = { pid: run.child.pid, firstFrameMs: now - run.startedAt, attempts: this.backoff.attempts };
      if (this.loggedReason !== undefined) this.options.log.info('camera recovered', fields);
      else this.options.log.info('camera live', fields);
      this.loggedReason = undefined;
    }
    if (this.state !== 'live') this.setState('live', undefined);
  }

  /** Ends the current run so the next starts at once (e.g. to switch to pass-through). */
  restart(reason: RestartReason): void {
    if (this.run && !this.run.killReason) this.kill(this.run, reason);
  }

  /** Stops for good: kills FFmpeg (SIGTERM, then SIGKILL) and resolves once it has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stopProbing();
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    const run = this.run;
    if (run) {
      this.kill(run, 'stopped');
      await run.exited;
    }
    this.retryAt = undefined;
    this.setState('stopped', undefined);
  }

  private setState(state: CameraState, reason: StateReason | undefined): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    this.since = Date.now();
    this.options.hooks.onState?.(state, reason);
  }

  private spawnRun(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stopProbing();
    this.retryAt = undefined;
    const { file, args } = this.options.command();
    this.setState('starting', this.reason);
    let child: ChildProcess;
    try {
      // detached: its own process group, so a terminal's Ctrl-C reaches capture, which then stops FFmpeg in order.
      child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, windowsHide: true });
    } catch (err) {
      this.options.log.error('cannot start ffmpeg', { err, file });
      this.scheduleRetry('spawn_failed');
      return;
    }
    let resolveExited: () => void = () => undefined;
    const run: Run = {
      child,
      stderr: new StderrReader(this.options.redact),
      startedAt: Date.now(),
      frames: 0,
      exited: new Promise<void>((resolve) => (resolveExited = resolve)),
    };
    this.run = run;
    guard(child);
    this.options.hooks.onRunStart?.(child.pid);

    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.run === run) this.options.hooks.onStdout(chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      const hadCodec = run.stderr.inputCodec !== undefined;
      for (const line of run.stderr.push(text)) this.options.log.debug('ffmpeg', { line });
      if (!hadCodec && run.stderr.inputCodec !== undefined && this.run === run) {
        this.options.hooks.onInputCodec?.(run.stderr.inputCodec);
      }
    });
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
      if (child.pid === undefined) finish(null, null);
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (!release(child)) return;
      clearTimeout(run.killTimer);
      resolveExited();
      this.onExit(run, code, signal, spawnError);
    };
    child.once('close', finish);
  }

  private onExit(run: Run, code: number | null, signal: NodeJS.Signals | null, spawnError: Error | undefined): void {
    if (this.run === run) this.run = undefined;
    const reason: RestartReason | 'stopped' =
      run.killReason ?? (spawnError ? 'spawn_failed' : (run.stderr.failure ?? 'exit'));
    const fields = {
      pid: run.child.pid,
      code,
      signal,
      reason,
      ranMs: Date.now() - run.startedAt,
      frames: run.frames,
      ...(spawnError && { err: spawnError }),
      stderr: run.stderr.lastLines(),
    };
    if (this.stopping || reason === 'stopped') {
      this.options.log.info('ffmpeg stopped', { pid: run.child.pid, code, signal });
      return;
    }
    this.restarts++;
    this.options.hooks.onRestart?.(reason);
    if (run.firstFrameAt !== undefined && Date.now() - run.firstFrameAt >= (this.options.stableMs ?? 10_000)) {
      this.backoff.reset();
    }
    if (reason === 'codec_switch') {
      this.options.log.info('ffmpeg restarted for the input codec', fields);
      this.spawnRun();
      return;
    }
    this.scheduleRetry(reason, fields);
  }

  private scheduleRetry(reason: RestartReason, fields: Record<string, unknown> = {}): void {
    const slow = SLOW_REASONS.has(reason);
    const random = this.options.random ?? Math.random;
    const delay = slow ? Math.round(this.options.slowRetryMs * (1 - 0.25 * random())) : this.backoff.next();
    this.retryAt = Date.now() + delay;
    this.setState(reason === 'auth_failed' ? 'auth_failed' : 'backoff', reason);
    const message =
      reason === 'auth_failed'
        ? 'authentication failed: the camera refused the credentials in its URL (401/403)'
        : reason === 'not_found'
          ? 'the camera has no such stream or file (404)'
          : `ffmpeg ended (${reason}): restarting after a pause`;
    const line = { ...fields, reason, retryInMs: delay };
    if (this.loggedReason === reason) this.options.log.debug(message, line);
    else if (slow) this.options.log.error(message, line);
    else this.options.log.warn(message, line);
    this.loggedReason = reason;
    this.retryTimer = setTimeout(() => this.spawnRun(), delay);
    if (!slow) this.startProbing();
  }

  /** While in backoff: starts FFmpeg as soon as the camera turns reachable again. */
  private startProbing(): void {
    const reachable = this.options.reachable;
    if (!reachable || this.probeTimer) return;
    let last: boolean | undefined;
    let busy = false;
    this.probeTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      void reachable().then((ok) => {
        busy = false;
        if (!this.retryTimer || this.stopping) return;
        if (ok && last === false) {
          this.options.log.info('camera reachable again: restarting ffmpeg now', {
            skippedMs: (this.retryAt ?? 0) - Date.now(),
          });
          this.spawnRun();
          return;
        }
        last = ok;
      });
    }, this.options.probeIntervalMs ?? 500);
  }

  private stopProbing(): void {
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  private checkWatchdog(): void {
    const run = this.run;
    if (!run || run.killReason) return;
    const now = Date.now();
    const age = now - (run.lastFrameAt ?? run.startedAt);
    if (age >= this.options.watchdogMs) {
      this.options.log.warn('no frame within the watchdog interval: restarting ffmpeg', {
        pid: run.child.pid,
        lastFrameAgeMs: age,
        watchdogMs: this.options.watchdogMs,
        stderr: run.stderr.lastLines(),
      });
      this.kill(run, 'watchdog');
    } else if (this.state === 'live' && age >= this.options.watchdogMs / 2) {
      this.setState('stalled', 'no_frames');
    }
  }

  private kill(run: Run, reason: RestartReason | 'stopped'): void {
    run.killReason ??= reason;
    run.child.kill('SIGTERM');
    clearTimeout(run.killTimer);
    run.killTimer = setTimeout(() => {
      if (!isGuarded(run.child)) return;
      this.options.log.warn('ffmpeg ignored SIGTERM: sending SIGKILL', {
        pid: run.child.pid,
        graceMs: this.options.killGraceMs,
      });
      run.child.kill('SIGKILL');
      this.options.hooks.onKillEscalated?.();
    }, this.options.killGraceMs);
  }
}
