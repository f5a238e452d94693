import type { Frame, FrameWire } from './stream-hub.js';

/** How soon a frame held for a full socket is retried, for viewers without flush callbacks. */
const BUFFER_RETRY_MS = 20;

/**
 * Why a frame was skipped for a viewer: its window was full, its socket was
 * full, or the server had not reached it yet when a newer frame came.
 */
export type DropReason = 'window_full' | 'buffer_full' | 'server_busy';

/** What a viewer writes to; a `ws` WebSocket in production, a fake in tests. */
export interface ViewerSink {
  /** Bytes accepted by `sendBinary` but not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** Sends one binary message; `onFlushed`, when given, runs once it has been written out. */
  sendBinary(data: FrameWire, onFlushed?: (err?: Error | null) => void): void;
  sendText(text: string): void;
  close(code: number, reason: string): void;
}

/** Flow-control settings of one viewer; see IngestConfig. */
export interface ViewerFlowOptions {
  /** Unacknowledged frames allowed in flight once the viewer acknowledges. */
  readonly window: number;
  /** A frame is written only while the sink's unsent bytes are at most this. */
  readonly maxBufferedBytes: number;
}

/** Counters a viewer reports to its owner, per event. */
export interface ViewerEvents {
  onSent(viewer: Viewer, frame: Frame): void;
  onDropped(viewer: Viewer, frame: Frame, reason: DropReason): void;
}

/**
 * One viewer's flow control. It sends a frame only while its window is open
 * (acknowledging viewers: fewer than `window` frames unacknowledged) and its
 * socket is drained (`bufferedAmount` at most the bound, for every viewer).
 * Otherwise it keeps just the newest frame, dropping the one it replaces, and
 * sends it as soon as an ack or a flush opens the way. Memory per viewer is
 * therefore one frame reference, whatever the viewer does.
 */
export class Viewer {
  /** Frames sent to this viewer. */
  sent = 0;
  /** Frames skipped for this viewer. */
  dropped = 0;
  /** True once the viewer has sent an ack: from then on the window applies. */
  acking = false;
  /** Wall-clock ms since which a frame has been waiting, or undefined. */
  blockedSince: number | undefined;
  /** Highest seq handed to the sink. */
  lastSentSeq = 0;

  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pending: Frame | undefined;
  private pendingWire: FrameWire | undefined;
  private pendingReason: DropReason = 'buffer_full';
  // Seqs sent and not yet acknowledged, oldest first (acking viewers only):
  // the oldest two in fields, any more in `laterUnacked`. Every ack and every
  // send reads them, once per frame per viewer; as an array (two more objects,
  // elsewhere in memory) they cost a cache miss or two each time.
  private unacked0 = 0;
  private unacked1 = 0;
  private unackedCount = 0;
  private readonly laterUnacked: number[] = [];
  // The flow options, copied in: the options object is one more read per send.
  private readonly window: number;
  private readonly maxBufferedBytes: number;
  private readonly flushed = (err?: Error | null): void => {
    if (!err && this.pending) this.trySendPending();
  };
  private closed = false;

  constructor(
    readonly sink: ViewerSink,
    flow: ViewerFlowOptions,
    private readonly events: ViewerEvents,
    private readonly now: () => number = Date.now,
  ) {
    this.window = flow.window;
    this.maxBufferedBytes = flow.maxBufferedBytes;
  }

  /** Offers the newest frame; sends it now or keeps it as the one to send next. */
  offer(frame: Frame, wire: FrameWire): void {
    if (this.closed) return;
    const blocked = this.blockedBy();
    // A waiting frame is older than this one: it is superseded either way.
    if (this.pending) this.dropPending(blocked ?? this.pendingReason);
    if (blocked === undefined) {
      this.write(frame, wire);
      return;
    }
    this.blockedSince ??= this.now();
    this.pending = frame;
    this.pendingWire = wire;
    this.pendingReason = blocked;
    // Acknowledging viewers get no flush callbacks; a frame held for a full socket
    // is retried shortly so it is not stuck if the stream goes quiet meanwhile.
    if (blocked === 'buffer_full' && this.acking) this.armRetry();
  }

  private armRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.trySendPending();
      if (this.pending && !this.closed && this.blockedBy() === 'buffer_full') this.armRetry();
    }, BUFFER_RETRY_MS);
    this.retryTimer.unref?.();
  }

  /** Counts `frame` as skipped for this viewer without offering it (a newer one is on its way). */
  skip(frame: Frame, reason: DropReason): void {
    if (this.closed) return;
    this.dropped++;
    this.events.onDropped(this, frame, reason);
  }

  /** Cumulative acknowledgement: frames up to `seq` are done with. */
  ack(seq: number): void {
    this.acking = true;
    while (this.unackedCount > 0 && this.unacked0 <= seq) {
      this.unacked0 = this.unacked1;
      if (this.unackedCount > 2) this.unacked1 = this.laterUnacked.shift() as number;
      this.unackedCount--;
    }
    if (this.pending) this.trySendPending();
  }

  /** Unacknowledged frames in flight (acking viewers only). */
  get inFlight(): number {
    return this.unackedCount;
  }

  /** True when a frame waits for the window or the socket. */
  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** Stops all sending; the pending frame is released. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.sink.close(code, reason);
  }

  /** True after `close` (or after the owner marked the socket gone). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Marks the viewer gone without closing the sink (the socket closed by itself). */
  detach(): void {
    this.closed = true;
    this.release();
  }

  private release(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pending = undefined;
    this.pendingWire = undefined;
  }

  private blockedBy(): DropReason | undefined {
    if (this.acking && this.unackedCount >= this.window) return 'window_full';
    if (this.sink.bufferedAmount > this.maxBufferedBytes) return 'buffer_full';
    return undefined;
  }

  private dropPending(reason: DropReason): void {
    const frame = this.pending as Frame;
    this.pending = undefined;
    this.pendingWire = undefined;
    this.dropped++;
    this.events.onDropped(this, frame, reason);
  }

  private trySendPending(): void {
    if (this.closed || !this.pending || !this.pendingWire || this.blockedBy() !== undefined) return;
    const frame = this.pending;
    const wire = this.pendingWire;
    this.pending = undefined;
    this.pendingWire = undefined;
    this.write(frame, wire);
  }

  private pushUnacked(seq: number): void {
    const n = this.unackedCount++;
    if (n === 0) this.unacked0 = seq;
    else if (n === 1) this.unacked1 = seq;
    else this.laterUnacked.push(seq);
  }

  private write(frame: Frame, wire: FrameWire): void {
    this.blockedSince = undefined;
    if (this.acking) this.pushUnacked(frame.seq);
    this.lastSentSeq = frame.seq;
    this.sent++;
    // Acknowledging viewers reopen on acks; only the others need to hear of the
    // flush (a callback per write costs a tick per send).
    this.sink.sendBinary(wire, this.acking ? undefined : this.flushed);
    this.events.onSent(this, frame);
  }
}
