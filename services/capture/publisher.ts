import type { Logger } from '../common/logger.js';
import { Backoff, type BackoffOptions } from '../../shared/index.js';
import type { DropReason } from './errors.js';

/** A frame ready to post. */
export interface OutgoingFrame {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  /** Capture time, ms since epoch. */
  readonly timestamp: number;
  readonly seq: number;
}

/** How ingest answered one POST. */
export type PostOutcome =
  | { readonly kind: 'accepted' }
  /** 4xx: this frame is refused; retrying it would not help. */
  | { readonly kind: 'rejected'; readonly status: number; readonly code: string; readonly message: string }
  /** Network error, timeout or 5xx: ingest is down or overloaded. */
  | { readonly kind: 'down'; readonly status?: number; readonly code?: string; readonly error: string };

/** What the publisher reports, for metrics. */
export interface PublisherHooks {
  onPosted?(frame: OutgoingFrame, seconds: number): void;
  onDropped?(reason: DropReason): void;
  onRejected?(code: string): void;
}

/** Options of a Publisher. */
export interface PublisherOptions {
  /** Posts one frame. Rejections of the promise count as `down`. */
  readonly send: (frame: OutgoingFrame) => Promise<PostOutcome>;
  readonly log: Logger;
  /** Retry pacing while ingest is down. */
  readonly backoff: BackoffOptions;
  /** POSTs in flight at most. Default 2. */
  readonly maxInFlight?: number;
  readonly hooks?: PublisherHooks;
  readonly random?: () => number;
}

/**
 * Posts one camera's frames to ingest with at most `maxInFlight` requests in
 * flight. When ingest is slower than the camera, a newer frame replaces the
 * one waiting (newest wins: a late frame is worth less than a fresh one). When
 * ingest is down, only the newest frame is kept and sent as a probe after a
 * backoff. 4xx answers are logged once per error code until a frame is accepted again.
 */
export class Publisher {
  private inFlight = 0;
  private pending: OutgoingFrame | undefined;
  private down = false;
  /** A probe is due as soon as a frame arrives (the retry timer fired with nothing to send). */
  private probeDue = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly backoff: Backoff;
  private readonly maxInFlight: number;
  private readonly loggedCodes = new Set<string>();
  private readonly hooks: PublisherHooks;

  constructor(private readonly options: PublisherOptions) {
    this.backoff = new Backoff(options.backoff, options.random);
    this.maxInFlight = options.maxInFlight ?? 2;
    this.hooks = options.hooks ?? {};
  }

  /** False from a failed POST until one succeeds. */
  get ingestUp(): boolean {
    return !this.down;
  }

  /** Requests in flight now. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Hands over the newest frame. */
  offer(frame: OutgoingFrame): void {
    if (this.stopped) {
      this.hooks.onDropped?.('stopped');
      return;
    }
    if (this.down) {
      this.replacePending(frame, 'ingest_down');
      if (this.probeDue && this.inFlight === 0) this.probe();
      return;
    }
    if (this.inFlight < this.maxInFlight) this.send(frame);
    else this.replacePending(frame, 'superseded');
  }

  /** Stops sending: the waiting frame is dropped; requests in flight finish on their own. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.pending) {
      this.pending = undefined;
      this.hooks.onDropped?.('stopped');
    }
  }

  private replacePending(frame: OutgoingFrame, reason: DropReason): void {
    if (this.pending) this.hooks.onDropped?.(reason);
    this.pending = frame;
  }

  private send(frame: OutgoingFrame): void {
    this.inFlight++;
    const started = performance.now();
    let outcome: Promise<PostOutcome>;
    try {
      outcome = this.options.send(frame);
    } catch (err) {
      outcome = Promise.resolve({ kind: 'down', error: (err as Error).message });
    }
    outcome
      .catch((err: unknown): PostOutcome => ({ kind: 'down', error: (err as Error).message }))
      .then((result) => {
        this.inFlight--;
        this.settle(frame, result, (performance.now() - started) / 1000);
      });
  }

  private settle(frame: OutgoingFrame, result: PostOutcome, seconds: number): void {
    switch (result.kind) {
      case 'accepted':
        this.hooks.onPosted?.(frame, seconds);
        if (this.down) {
          this.options.log.info('ingest reachable again', { attempts: this.backoff.attempts });
          this.down = false;
        }
        this.backoff.reset();
        this.loggedCodes.clear();
        break;
      case 'rejected':
        this.hooks.onDropped?.('rejected');
        this.hooks.onRejected?.(result.code);
        if (!this.loggedCodes.has(result.code)) {
          this.loggedCodes.add(result.code);
          this.options.log.warn('ingest rejected a frame (logged once per code; every one is counted)', {
            status: result.status,
            code: result.code,
            message: result.message,
          });
        }
        break;
      case 'down':
        this.hooks.onDropped?.('ingest_down');
        if (!this.down) {
          this.down = true;
          this.options.log.warn('ingest unreachable: keeping only the newest frame and retrying with backoff', {
            status: result.status,
            code: result.code,
            error: result.error,
          });
        }
        if (!this.retryTimer && !this.stopped) {
          const delay = this.backoff.next();
          this.options.log.debug('ingest retry scheduled', { retryInMs: delay, error: result.error });
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.probeDue = true;
            if (this.inFlight === 0 && this.pending) this.probe();
          }, delay);
        }
        return;
    }
    this.pump();
  }

  /** While down: sends the newest frame to see whether ingest is back. */
  private probe(): void {
    const frame = this.pending;
    if (!frame || this.stopped) return;
    this.pending = undefined;
    this.probeDue = false;
    this.send(frame);
  }

  private pump(): void {
    while (!this.down && !this.stopped && this.pending && this.inFlight < this.maxInFlight) {
      const frame = this.pending;
      this.pending = undefined;
      this.send(frame);
    }
  }
}
