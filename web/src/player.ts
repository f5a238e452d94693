import {
  backoffDelay,
  clockOffset,
  CloseCode,
  decodeViewerFrame,
  encodeAck,
  type BackoffOptions,
  type ServerMessage,
  type ViewerFrame,
} from '../../shared/index.js';

/** What the player is doing, as the status bar shows it. */
export type PlayerState = 'connecting' | 'live' | 'stalled' | 'offline' | 'reconnecting' | 'closed';

/** Figures the player reports every `statsIntervalMs`. */
export interface PlayerStats {
  readonly state: PlayerState;
  readonly streamId: string;
  /** Frames drawn per second. */
  readonly fps: number;
  /** Bits per second received. */
  readonly bitrate: number;
  /** Frames received since the page opened. */
  readonly frames: number;
  readonly drawn: number;
  /** Frames received but not drawn because a newer one came before decoding finished. */
  readonly droppedHere: number;
  /** Frames the server skipped for this viewer (its `stats`), summed over connections. */
  readonly droppedByServer: number;
  readonly width: number;
  readonly height: number;
  /** Capture -> screen, ms, corrected for the clock offset; median over the last period, null before a frame. */
  readonly latencyMs: number | null;
  /** Ingest -> screen, ms, corrected likewise. */
  readonly ingestLatencyMs: number | null;
  /** Server clock minus this clock, ms, from the best time-sync round trip. */
  readonly clockOffsetMs: number;
  readonly viewers: number;
  readonly reconnects: number;
  readonly paused: boolean;
}

/** One drawn frame, as `onFrameDrawn` reports it. */
export interface DrawnFrame {
  readonly seq: number;
  readonly width: number;
  readonly height: number;
  /** Capture -> screen, ms, clock-offset corrected (not clamped). */
  readonly latencyMs: number;
  /** Ingest -> screen, ms, clock-offset corrected (not clamped). */
  readonly ingestLatencyMs: number;
  /** The clock offset (server minus this clock, ms) applied. */
  readonly clockOffsetMs: number;
}

/** Options of a StreamPlayer. */
export interface PlayerOptions {
  /** WebSocket URL of the stream, e.g. `ws://host:3000/streams/cam1/ws`. */
  readonly url: string;
  readonly streamId: string;
  readonly canvas: HTMLCanvasElement;
  readonly onState?: (state: PlayerState, detail: string) => void;
  readonly onStats?: (stats: PlayerStats) => void;
  /** Called after each frame is drawn (for measurements). */
  readonly onFrameDrawn?: (frame: DrawnFrame) => void;
  /** Default 500 ms. */
  readonly statsIntervalMs?: number;
  /** Reconnect pacing. Default 500 ms doubling to 10 s, jitter 0.3. */
  readonly reconnect?: BackoffOptions;
  /** No frame this long while live shows `stalled` even before the server says so. Default 3000 ms. */
  readonly stallAfterMs?: number;
}

const CLOSE_DETAIL: Record<number, string> = {
  [CloseCode.GOING_AWAY]: 'server restarting',
  [CloseCode.TRY_AGAIN_LATER]: 'server full',
  [CloseCode.UNAUTHORIZED]: 'unauthorized (check the token)',
  [CloseCode.INVALID_STREAM]: 'invalid stream id',
  [CloseCode.VIEWER_TOO_SLOW]: 'connection too slow',
};

const SYNC_BURST_MS = [0, 250, 600, 1200, 2500];

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
};

/**
 * Plays one stream on a canvas: connects, decodes off the main path
 * (createImageBitmap), draws the newest frame only, acknowledges each drawn
 * frame (the server's flow control), reconnects with backoff, and frees
 * everything on close().
 */
export class StreamPlayer {
  state: PlayerState = 'connecting';
  private ws: WebSocket | undefined;
  private readonly ctx: CanvasRenderingContext2D;
  private pending: ViewerFrame | undefined;
  private decoding = false;
  private lastFrame: ViewerFrame | undefined;
  private lastFrameAt = 0;
  private paused = false;
  private hidden = false;
  private closed = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private syncTimers: Array<ReturnType<typeof setTimeout>> = [];
  private offset = 0;
  private bestRtt = Infinity;
  private frames = 0;
  private drawn = 0;
  private droppedHere = 0;
  private droppedByServerBefore = 0;
  private droppedByServer = 0;
  private viewers = 0;
  private reconnects = 0;
  private periodStart = performance.now();
  private periodDrawn = 0;
  private periodBytes = 0;
  private periodLatency: number[] = [];
  private periodIngestLatency: number[] = [];
  private lastLatency: number | null = null;
  private lastIngestLatency: number | null = null;
  private readonly policy: BackoffOptions;

  constructor(private readonly options: PlayerOptions) {
    const ctx = options.canvas.getContext('2d');
    if (!ctx) throw new Error('canvas 2d context unavailable');
    this.ctx = ctx;
    this.policy = options.reconnect ?? { initialMs: 500, maxMs: 10_000, jitter: 0.3 };
    this.timers.push(setInterval(() => this.tick(), options.statsIntervalMs ?? 500));
    this.timers.push(setInterval(() => this.syncClock(true), 10_000));
    this.connect();
  }

  /** The stream this player shows. */
  get streamId(): string {
    return this.options.streamId;
  }

  /** Freezes the picture (frames are still acknowledged, so the server keeps the connection fresh). */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) this.pending = undefined;
    this.emitStats();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops decoding while the page is hidden. */
  setHidden(hidden: boolean): void {
    this.hidden = hidden;
    if (hidden) this.pending = undefined;
  }

  /** Reconnects now instead of waiting for the backoff. */
  retryNow(): void {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt = 0;
    this.dropSocket();
    this.connect();
  }

  /** The JPEG on screen, byte for byte, for a snapshot download. */
  currentFrame(): { jpeg: Uint8Array; seq: number; timestamp: number } | undefined {
    const f = this.lastFrame;
    return f && { jpeg: f.data, seq: f.seq, timestamp: f.timestamp };
  }

  /** Current figures. */
  stats(): PlayerStats {
    return {
      state: this.state,
      streamId: this.options.streamId,
      ...this.rates(false),
      frames: this.frames,
      drawn: this.drawn,
      droppedHere: this.droppedHere,
      droppedByServer: this.droppedByServerBefore + this.droppedByServer,
      width: this.options.canvas.width,
      height: this.options.canvas.height,
      latencyMs: this.lastLatency,
      ingestLatencyMs: this.lastIngestLatency,
      clockOffsetMs: Math.round(this.offset),
      viewers: this.viewers,
      reconnects: this.reconnects,
      paused: this.paused,
    };
  }

  /** Closes the socket and frees timers and frame data. The player cannot be reused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const t of this.timers) clearInterval(t);
    this.dropSocket();
    this.pending = undefined;
    this.lastFrame = undefined;
    this.setState('closed', 'closed');
  }

  private connect(): void {
    this.setState(this.reconnects > 0 || this.attempt > 0 ? 'reconnecting' : 'connecting', 'connecting');
    const ws = new WebSocket(this.options.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onmessage = (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) this.onBinary(ev.data);
      else this.onText(String(ev.data));
    };
    ws.onclose = (ev: CloseEvent) => this.onClose(ev.code);
  }

  private dropSocket(): void {
    const ws = this.ws;
    if (!ws) return;
    ws.onmessage = null;
    ws.onclose = null;
    ws.close();
    for (const t of this.syncTimers) clearTimeout(t);
    this.syncTimers = [];
    this.ws = undefined;
    this.droppedByServerBefore += this.droppedByServer;
    this.droppedByServer = 0;
  }

  private onClose(code: number): void {
    this.dropSocket();
    if (this.closed) return;
    const delay = backoffDelay(this.attempt++, this.policy);
    this.reconnects++;
    const why = CLOSE_DETAIL[code] ?? 'connection lost';
    this.setState('reconnecting', `${why}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  private onText(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    switch (msg.type) {
      case 'hello':
        this.attempt = 0;
        // Several round trips soon after connecting: the quickest one wins, and the
        // first ones often wait behind the latest frame and a cold page.
        for (const ms of SYNC_BURST_MS) this.syncTimers.push(setTimeout(() => this.syncClock(false), ms));
        if (msg.status === 'offline') this.setState('offline', 'waiting for the camera');
        else if (msg.status === 'stalled') this.setState('stalled', 'camera stalled');
        else this.setState('live', 'live');
        break;
      case 'stream_started':
        this.setState('live', 'live');
        break;
      case 'stream_stalled':
        this.setState('stalled', 'no frames from the camera');
        break;
      case 'stream_stopped':
        this.setState('offline', 'camera offline');
        break;
      case 'stats':
        this.droppedByServer = msg.dropped;
        this.viewers = msg.viewers;
        break;
      case 'time_sync': {
        const now = Date.now();
        const rtt = now - msg.clientTime;
        // The round trip with the least delay bounds the offset error best (NTP's choice).
        if (rtt <= this.bestRtt) {
          this.bestRtt = rtt;
          this.offset = clockOffset(msg.clientTime, msg.serverTime, now);
        }
        break;
      }
      case 'error':
        break;
    }
  }

  private syncClock(age: boolean): void {
    // Let the best sample age out slowly so a drifting clock is followed.
    if (age) this.bestRtt = this.bestRtt * 1.5 + 1;
    this.send({ type: 'time_sync', clientTime: Date.now() });
  }

  private sendAck(seq: number): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(encodeAck(seq));
  }

  private send(msg: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private onBinary(data: ArrayBuffer): void {
    const decoded = decodeViewerFrame(new Uint8Array(data));
    if (!decoded.ok) return;
    const f = decoded.value;
    this.frames++;
    this.periodBytes += data.byteLength;
    this.lastFrameAt = performance.now();
    if (this.state !== 'live') this.setState('live', 'live');
    if (this.paused || this.hidden) {
      this.sendAck(f.seq);
      return;
    }
    if (this.pending) this.droppedHere++;
    this.pending = f;
    this.pump();
  }

  // At most one decode runs; while it does, only the newest frame waits.
  private pump(): void {
    if (this.decoding || !this.pending) return;
    const f = this.pending;
    this.pending = undefined;
    this.decoding = true;
    createImageBitmap(new Blob([f.data as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' })).then(
      (bitmap) => {
        this.decoding = false;
        if (!this.closed && !this.paused && !this.hidden) this.draw(bitmap, f);
        bitmap.close();
        this.sendAck(f.seq);
        this.pump();
      },
      () => {
        this.decoding = false;
        this.sendAck(f.seq);
        this.pump();
      },
    );
  }

  private draw(bitmap: ImageBitmap, f: ViewerFrame): void {
    const canvas = this.options.canvas;
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    this.ctx.drawImage(bitmap, 0, 0);
    this.lastFrame = f;
    this.drawn++;
    this.periodDrawn++;
    // The offset estimate is only good to about half a round trip, so a few
    // milliseconds below zero are estimation error, shown as 0.
    const serverNow = Date.now() + this.offset;
    const latencyMs = serverNow - f.timestamp;
    const ingestLatencyMs = serverNow - f.receivedAt;
    this.periodLatency.push(Math.max(0, latencyMs));
    this.periodIngestLatency.push(Math.max(0, ingestLatencyMs));
    this.options.onFrameDrawn?.({
      seq: f.seq,
      width: f.width,
      height: f.height,
      latencyMs,
      ingestLatencyMs,
      clockOffsetMs: this.offset,
    });
  }

  private rates(reset: boolean): { fps: number; bitrate: number } {
    const now = performance.now();
    const secs = Math.max(0.001, (now - this.periodStart) / 1000);
    const r = {
      fps: Math.round((this.periodDrawn / secs) * 10) / 10,
      bitrate: Math.round((this.periodBytes * 8) / secs),
    };
    if (reset) {
      this.periodStart = now;
      this.periodDrawn = 0;
      this.periodBytes = 0;
      this.lastLatency = median(this.periodLatency) ?? this.lastLatency;
      this.lastIngestLatency = median(this.periodIngestLatency) ?? this.lastIngestLatency;
      this.periodLatency = [];
      this.periodIngestLatency = [];
    }
    return r;
  }

  private tick(): void {
    const stallAfter = this.options.stallAfterMs ?? 3000;
    if (this.state === 'live' && this.lastFrameAt > 0 && performance.now() - this.lastFrameAt > stallAfter) {
      this.setState('stalled', 'no frames');
    }
    this.emitStats();
  }

  private emitStats(): void {
    if (!this.options.onStats) return;
    const rates = this.rates(true);
    this.options.onStats({ ...this.stats(), ...rates });
  }

  private setState(state: PlayerState, detail: string): void {
    const changed = state !== this.state;
    this.state = state;
    if (changed || state === 'reconnecting') this.options.onState?.(state, detail);
  }
}
