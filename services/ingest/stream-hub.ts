import type { StreamStatus } from '../../shared/index.js';

/**
 * A frame's bytes on a viewer's socket, framed once for all viewers: one
 * buffer holding the whole WebSocket message, or a head (frame header and
 * envelope header) followed by the JPEG, a view into the request body, so
 * that the frame costs no frame-sized allocation.
 */
export type FrameWire = Buffer | { readonly head: Buffer; readonly body: Buffer };

/** A frame accepted by the hub. Immutable but for the lazily encoded viewer bytes. */
export interface Frame {
  readonly streamId: string;
  /** Hub's per-stream sequence number, from 1, strictly increasing. */
  readonly seq: number;
  /** Capture time from the publisher, ms since epoch. */
  readonly timestamp: number;
  /** Ingest's wall clock at acceptance, ms since epoch. */
  readonly receivedAt: number;
  /** Ingest's monotonic clock at acceptance (performance.now()), for latency metrics. */
  readonly receivedMono: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** Always `jpeg`: with it a Frame is also the ViewerFrame the fan-out encodes. */
  readonly format: 'jpeg';
  /** Viewer wire bytes, made on first use by the fan-out and shared by all viewers. */
  wire?: FrameWire;
}

/** What a publisher hands to the hub. */
export interface FrameInput {
  readonly streamId: string;
  readonly timestamp: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** Publisher's own counter, used to drop frames that arrive out of order. */
  readonly sourceSeq?: number | undefined;
}

/** A stream's public figures (the streams API and metrics read these). */
export interface StreamInfo {
  readonly id: string;
  readonly status: StreamStatus;
  readonly width: number;
  readonly height: number;
  /** Frames per second over the last measurement period. */
  readonly fps: number;
  /** JPEG bits per second over the last measurement period. */
  readonly bitrate: number;
  readonly frames: number;
  readonly bytes: number;
  /** Frames accepted but not published because they arrived after a newer one. */
  readonly outOfOrder: number;
  /** ms since the last frame, or null when none arrived yet. */
  readonly lastFrameAgeMs: number | null;
  readonly lastSeq: number;
  readonly subscribers: number;
}

/** Receives a stream's frames and status changes. Called synchronously; must not throw. */
export interface StreamListener {
  onFrame(frame: Frame): void;
  onStatus(status: StreamStatus, info: StreamInfo): void;
}

/** The narrow interface the fan-out needs. */
export interface FrameSource {
  subscribe(streamId: string, listener: StreamListener): Subscription | undefined;
  info(streamId: string): StreamInfo | undefined;
  latest(streamId: string): Frame | undefined;
}

/** A live subscription; `unsubscribe` is idempotent. */
export interface Subscription {
  unsubscribe(): void;
}

/** Result of `publish`. */
export type PublishResult =
  | { readonly ok: true; readonly frame: Frame }
  | { readonly ok: true; readonly frame?: undefined; readonly dropped: 'out_of_order' }
  | { readonly ok: false; readonly code: 'too_many_streams' };

/** Options of the hub; see IngestConfig for meanings and defaults. */
export interface StreamHubOptions {
  readonly maxStreams: number;
  readonly bufferFrames: number;
  readonly stallAfterMs: number;
  readonly offlineAfterMs: number;
  /** How often status and rates are updated. Default 250 ms. */
  readonly tickMs?: number;
  /** Wall clock; injectable for tests. */
  readonly now?: () => number;
  /** Monotonic clock; injectable for tests. */
  readonly monotonic?: () => number;
}

// A publisher whose counter jumps back by more than this restarted; accept it.
const SOURCE_SEQ_RESTART = 300;
const RATE_PERIOD_MS = 1000;

/**
 * Whether a frame with publisher counter `seq` is published, given the last
 * accepted counter and the one a restart would continue with. A frame at or
 * behind the last one is a straggler and dropped, unless the counter jumped
 * far back, or this frame follows the previous dropped one (`resync`): two
 * consecutive counters behind the last are a publisher that restarted soon
 * after it began (as RTP receivers resynchronise, RFC 3550 A.1), whose frames
 * would otherwise all be dropped until its counter passed the old one.
 */
function isInOrder(seq: number, last: number, resync: number | undefined): boolean {
  const behind = last - seq;
  return behind < 0 || behind >= SOURCE_SEQ_RESTART || seq === resync;
}

class Stream {
  status: StreamStatus = 'offline';
  readonly ring: Frame[] = [];
  seq = 0;
  frames = 0;
  bytes = 0;
  outOfOrder = 0;
  lastFrameAt: number | undefined;
  lastSourceSeq: number | undefined;
  /** The counter that would confirm a restart: the last dropped one plus one. */
  resyncSourceSeq: number | undefined;
  width = 0;
  height = 0;
  fps = 0;
  bitrate = 0;
  periodStart: number;
  periodFrames = 0;
  periodBytes = 0;
  readonly listeners = new Set<StreamListener>();
  constructor(
    readonly id: string,
    now: number,
  ) {
    this.periodStart = now;
  }
}

/**
 * Holds every stream: its latest frames, counters, measured rates and status
 * (live -> stalled -> offline). Knows nothing of HTTP or WebSockets: publishers
 * call `publish`, viewers' fan-out calls `subscribe`.
 */
export class StreamHub implements FrameSource {
  private readonly streams = new Map<string, Stream>();
  private readonly now: () => number;
  private readonly monotonic: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StreamHubOptions) {
    this.now = options.now ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  /** Starts the status/rate timer. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 250);
    this.timer.unref();
  }

  /** Stops the timer; frames and streams stay. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Accepts a validated frame: stores it, updates figures and hands it to subscribers. */
  publish(input: FrameInput): PublishResult {
    const now = this.now();
    const stream = this.streams.get(input.streamId) ?? this.create(input.streamId, now);
    if (!stream) return { ok: false, code: 'too_many_streams' };
    const { sourceSeq } = input;
    if (sourceSeq !== undefined) {
      if (stream.lastSourceSeq !== undefined && !isInOrder(sourceSeq, stream.lastSourceSeq, stream.resyncSourceSeq)) {
        stream.outOfOrder++;
        stream.resyncSourceSeq = sourceSeq + 1;
        return { ok: true, dropped: 'out_of_order' };
      }
      stream.lastSourceSeq = sourceSeq;
      stream.resyncSourceSeq = undefined;
    }
    const frame: Frame = {
      streamId: stream.id,
      seq: ++stream.seq,
      timestamp: input.timestamp,
      receivedAt: now,
      receivedMono: this.monotonic(),
      width: input.width,
      height: input.height,
      data: input.data,
      format: 'jpeg',
      wire: undefined, // set by the fan-out; present from the start so every frame has one shape
    };
    stream.ring.push(frame);
    if (stream.ring.length > this.options.bufferFrames) stream.ring.shift();
    stream.frames++;
    stream.bytes += frame.data.byteLength;
    stream.periodFrames++;
    stream.periodBytes += frame.data.byteLength;
    stream.lastFrameAt = now;
    stream.width = frame.width;
    stream.height = frame.height;
    if (stream.status !== 'live') this.setStatus(stream, 'live', now);
    for (const listener of stream.listeners) listener.onFrame(frame);
    return { ok: true, frame };
  }

  /**
   * Subscribes to a stream, creating an empty (offline) entry when it does not
   * exist yet so a viewer can wait for a camera. Undefined when MAX_STREAMS is
   * reached and no stream can be evicted.
   */
  subscribe(streamId: string, listener: StreamListener): Subscription | undefined {
    const stream = this.streams.get(streamId) ?? this.create(streamId, this.now());
    if (!stream) return undefined;
    stream.listeners.add(listener);
    let active = true;
    return {
      unsubscribe: () => {
        if (!active) return;
        active = false;
        stream.listeners.delete(listener);
        // An entry that never had a frame exists only for its viewers.
        if (stream.listeners.size === 0 && stream.frames === 0) this.streams.delete(streamId);
      },
    };
  }

  /** The newest frame of a stream. */
  latest(streamId: string): Frame | undefined {
    const ring = this.streams.get(streamId)?.ring;
    return ring?.[ring.length - 1];
  }

  /** The buffered frames of a stream, oldest first (at most BUFFER_FRAMES). */
  recent(streamId: string): readonly Frame[] {
    return this.streams.get(streamId)?.ring ?? [];
  }

  /** Figures of one stream. */
  info(streamId: string): StreamInfo | undefined {
    const stream = this.streams.get(streamId);
    return stream && this.describe(stream, this.now());
  }

  /** Figures of every stream, sorted by id. */
  list(): StreamInfo[] {
    const now = this.now();
    return [...this.streams.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((s) => this.describe(s, now));
  }

  /** Number of streams held. */
  get size(): number {
    return this.streams.size;
  }

  /** Updates rates and statuses; the timer calls it, tests may call it directly. */
  tick(): void {
    const now = this.now();
    for (const stream of this.streams.values()) {
      const elapsed = now - stream.periodStart;
      if (elapsed >= RATE_PERIOD_MS) {
        stream.fps = (stream.periodFrames * 1000) / elapsed;
        stream.bitrate = (stream.periodBytes * 8 * 1000) / elapsed;
        stream.periodStart = now;
        stream.periodFrames = 0;
        stream.periodBytes = 0;
      }
      if (stream.lastFrameAt === undefined) continue;
      const age = now - stream.lastFrameAt;
      if (stream.status === 'live' && age >= this.options.stallAfterMs) this.setStatus(stream, 'stalled', now);
      if (stream.status === 'stalled' && age >= this.options.offlineAfterMs) this.setStatus(stream, 'offline', now);
    }
  }

  private create(id: string, now: number): Stream | undefined {
    if (this.streams.size >= this.options.maxStreams && !this.evictOne()) return undefined;
    const stream = new Stream(id, now);
    this.streams.set(id, stream);
    return stream;
  }

  // Makes room by forgetting the offline stream nobody watches that went quiet first.
  private evictOne(): boolean {
    let victim: Stream | undefined;
    for (const s of this.streams.values()) {
      if (s.status !== 'offline' || s.listeners.size > 0) continue;
      if (!victim || (s.lastFrameAt ?? 0) < (victim.lastFrameAt ?? 0)) victim = s;
    }
    if (!victim) return false;
    this.streams.delete(victim.id);
    return true;
  }

  private setStatus(stream: Stream, status: StreamStatus, now: number): void {
    stream.status = status;
    if (status !== 'live') {
      stream.fps = 0;
      stream.bitrate = 0;
    }
    if (stream.listeners.size === 0) return;
    const info = this.describe(stream, now);
    for (const listener of stream.listeners) listener.onStatus(status, info);
  }

  private describe(s: Stream, now: number): StreamInfo {
    return {
      id: s.id,
      status: s.status,
      width: s.width,
      height: s.height,
      fps: Math.round(s.fps * 10) / 10,
      bitrate: Math.round(s.bitrate),
      frames: s.frames,
      bytes: s.bytes,
      outOfOrder: s.outOfOrder,
      lastFrameAgeMs: s.lastFrameAt === undefined ? null : now - s.lastFrameAt,
      lastSeq: s.seq,
      subscribers: s.listeners.size,
    };
  }
}
