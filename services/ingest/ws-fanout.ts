import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  ackSeqOf,
  CloseCode,
  encodeViewerFrameHeader,
  encodeViewerFrameInPlace,
  isValidStreamId,
  MAX_CONTROL_MESSAGE_BYTES,
  parseClientMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
  type StreamStatus,
} from '../../shared/index.js';
import type { Logger } from '../common/logger.js';
import { tokenFrom, tokenMatches } from './auth.js';
import type { IngestConfig } from './config.js';
import type { IngestMetrics } from './metrics.js';
import type { Frame, FrameSource, FrameWire, StreamInfo, Subscription } from './stream-hub.js';
import { freeBytesBefore } from './owned-buffers.js';
import { SlicedFanout, type SliceHandlers } from './sliced-fanout.js';
import type { Observer, Tally } from './tally.js';
import { Viewer, type DropReason, type ViewerEvents, type ViewerFlowOptions, type ViewerSink } from './viewer.js';
import { WS_HEADER_MAX_BYTES, wsHeaderLength, writeWsBinaryHeader } from './ws-frame.js';

/** Settings of the fan-out: the viewer keys of IngestConfig. */
export type FanoutOptions = Pick<
  IngestConfig,
  | 'defaultStream'
  | 'viewerToken'
  | 'maxViewers'
  | 'maxViewersPerStream'
  | 'viewerWindow'
  | 'viewerMaxBufferedBytes'
  | 'viewerStallTimeoutMs'
  | 'pingIntervalMs'
  | 'statsIntervalMs'
  | 'fanoutSliceMs'
>;

/** Per-stream viewer figures the HTTP API reads. */
export interface ViewerStats {
  viewerCount(streamId: string): number;
  droppedFrames(streamId: string): number;
}

// After a close frame is queued, a socket that does not finish the handshake
// within this is destroyed: a stuck viewer would never read the close frame.
const CLOSE_GRACE_MS = 1000;

// The longest a stats message waits for a frame to ride with (see sendStats).
const STATS_FLUSH_MS = 250;

function closeWithGrace(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason);
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}

/**
 * One viewer's connection: its flow control (a Viewer) and its socket's
 * bookkeeping in one object. The fan-out loop visits every viewer for every
 * frame; a connection holding a separate Viewer was one more object (a cache
 * miss) per send and per ack.
 */
class Connection extends Viewer {
  declare readonly sink: WsViewerSink;
  /** Answered the last heartbeat ping, or needed none. */
  alive = true;
  /** Sent a message since the last heartbeat: it needs no ping this round. */
  spoke = false;

  constructor(
    readonly ws: WebSocket,
    socket: Duplex,
    flow: ViewerFlowOptions,
    readonly group: Group,
    /** Periodic stats go to viewers that speak the control protocol. */
    public wantsStats: boolean,
  ) {
    super(new WsViewerSink(ws, socket), flow, group);
  }
}

/** A frame and its viewer bytes, as one fan-out pass carries them. */
interface Outgoing {
  readonly frame: Frame;
  readonly wire: FrameWire;
}

class Group implements ViewerEvents, SliceHandlers<Connection, Outgoing> {
  readonly connections = new Set<Connection>();
  dropped = 0;
  subscription: Subscription | undefined;
  private readonly pass: SlicedFanout<Connection, Outgoing>;
  // Within a slice the latency histogram gets one sample, at its end: the
  // slice's last write is when its whole pass was out.
  private inSlice = false;
  private sentInSlice = false;

  constructor(
    readonly streamId: string,
    private readonly sent: Tally,
    private readonly latency: Observer,
    private readonly drops: Record<DropReason, Tally>,
    sliceMs: number,
  ) {
    this.pass = new SlicedFanout(this, { sliceMs, now: () => performance.now(), defer: setImmediate });
  }

  /** Hands a frame to every viewer, in slices (see SlicedFanout). */
  fanOut(frame: Frame, wire: FrameWire): void {
    this.pass.publish({ frame, wire }, this.connections);
  }

  /** Forgets a viewer that left. */
  remove(conn: Connection): void {
    this.pass.remove(conn);
  }

  deliver(conn: Connection, out: Outgoing): void {
    this.inSlice = true;
    conn.offer(out.frame, out.wire);
    this.inSlice = false;
  }

  superseded(conn: Connection, out: Outgoing): void {
    conn.skip(out.frame, 'server_busy');
  }

  /** One latency sample per slice: its last write. */
  sliceDone(out: Outgoing): void {
    if (!this.sentInSlice) return;
    this.sentInSlice = false;
    this.latency.observe((performance.now() - out.frame.receivedMono) / 1000);
  }

  onSent(_viewer: Viewer, frame: Frame): void {
    this.sent.inc();
    if (this.inSlice) {
      this.sentInSlice = true;
      return;
    }
    this.latency.observe((performance.now() - frame.receivedMono) / 1000);
  }

  onDropped(_viewer: Viewer, _frame: Frame, reason: DropReason): void {
    this.dropped++;
    this.drops[reason].inc();
  }
}

/**
 * A viewer's sink: control text through `ws`, frames written to the socket
 * as the ready-framed bytes of wireOf. `ws` writes synchronously when it does
 * not compress (perMessageDeflate is off), so both share the socket in order.
 * Once the connection is closing nothing more is written: no data may follow
 * a close frame (RFC 6455 §5.5.1).
 *
 * A class, not an object literal: a literal with a getter gets a hidden class
 * of its own per viewer (each getter is a new closure), which made the fan-out
 * loop's `bufferedAmount` read a megamorphic lookup for every send.
 */
export class WsViewerSink implements ViewerSink {
  // Text to go out in the same write as the next frame (see queueText).
  private queued: string | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
  ) {}

  // What `ws.bufferedAmount` adds to the socket's own count is what its Sender
  // queues while compressing or reading a Blob; neither happens here
  // (perMessageDeflate is off, only strings and Buffers are sent), so the
  // socket's count is the whole of it, read without the detour through `ws`
  // and its Sender on every send.
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  sendBinary(data: FrameWire, onFlushed?: (err?: Error | null) => void): void {
    const { ws, socket } = this;
    if (ws.readyState !== WebSocket.OPEN || !socket.writable) {
      onFlushed?.(new Error('viewer socket is not open'));
      return;
    }
    const text = this.queued;
    if (text === undefined && Buffer.isBuffer(data)) {
      socket.write(data, onFlushed);
      return;
    }
    socket.cork();
    if (text !== undefined) {
      this.queued = undefined;
      ws.send(text); // corked as well: it goes out in the frame's write
    }
    if (Buffer.isBuffer(data)) {
      socket.write(data, onFlushed);
    } else {
      socket.write(data.head);
      socket.write(data.body, onFlushed);
    }
    socket.uncork();
  }

  /** Sends text now, after any queued text, so messages keep their order. */
  sendText(text: string): void {
    this.flushText();
    this.ws.send(text);
  }

  /**
   * Sends `text` in the same write as the next frame, replacing text queued
   * before it (a newer stats message supersedes an older one); `flushText`
   * sends it alone. Sent by itself, each periodic message is a syscall and a
   * TCP segment per viewer, and wakes the viewer once more.
   */
  queueText(text: string): void {
    this.queued = text;
  }

  /** Sends queued text now, when there is any and the socket is open. */
  flushText(): void {
    const text = this.queued;
    if (text === undefined) return;
    this.queued = undefined;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  close(code: number, reason: string): void {
    this.queued = undefined;
    closeWithGrace(this.ws, code, reason);
  }
}

/**
 * Viewers over WebSockets: accepts upgrades on `/ws` and `/streams/:id/ws`,
 * subscribes one group per stream to the hub, and hands every frame to each
 * viewer's flow control. The frame is encoded once; every viewer gets the same Buffer.
 */
export class WsFanout implements ViewerStats {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CONTROL_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });
  private readonly groups = new Map<string, Group>();
  private total = 0;
  private closing = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private statsFlush: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: FrameSource,
    private readonly options: FanoutOptions,
    private readonly metrics: IngestMetrics,
    private readonly log: Logger,
  ) {}

  /** Starts the stats, stall-sweep and heartbeat timers. */
  start(): void {
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.options.statsIntervalMs, () => this.sendStats());
    every(Math.min(1000, Math.max(50, this.options.viewerStallTimeoutMs / 4)), () => this.sweepStuck());
    every(this.options.pingIntervalMs, () => this.heartbeat());
  }

  /** Connected viewers of a stream. */
  viewerCount(streamId: string): number {
    return this.groups.get(streamId)?.connections.size ?? 0;
  }

  /** Frames skipped for this stream's viewers since they joined. */
  droppedFrames(streamId: string): number {
    return this.groups.get(streamId)?.dropped ?? 0;
  }

  /** All connected viewers. */
  get viewers(): number {
    return this.total;
  }

  /**
   * Handles an HTTP upgrade from the node server. Unknown paths get 404 and
   * the socket is destroyed; refusals after the handshake use close codes, the
   * only thing a browser can see.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let streamId: string | undefined;
    let legacy = false;
    if (url.pathname === '/ws') {
      streamId = this.options.defaultStream;
      legacy = true;
    } else {
      const m = /^\/streams\/([^/]+)\/ws$/.exec(url.pathname);
      if (m) {
        try {
          streamId = decodeURIComponent(m[1] as string);
        } catch {
          streamId = '';
        }
      }
    }
    if (streamId === undefined || this.closing) {
      const status = this.closing ? '503 Service Unavailable' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const id = streamId;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, req, url, id, legacy));
  }

  /** Closes every viewer with 1001 and stops the timers. */
  close(): void {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.statsFlush);
    for (const group of [...this.groups.values()]) {
      for (const conn of [...group.connections]) this.drop(conn, 'shutting_down', CloseCode.GOING_AWAY);
    }
    this.wss.close();
  }

  private refuse(ws: WebSocket, code: number, reason: string): void {
    this.metrics.viewersRefused.inc({ reason });
    closeWithGrace(ws, code, reason);
  }

  private accept(
    ws: WebSocket,
    socket: Duplex,
    req: IncomingMessage,
    url: URL,
    streamId: string,
    legacy: boolean,
  ): void {
    const { viewerToken } = this.options;
    if (viewerToken !== undefined) {
      const provided = tokenFrom((n) => req.headers[n] as string | undefined, url.searchParams, 'x-viewer-token');
      if (!tokenMatches(viewerToken, provided)) return this.refuse(ws, CloseCode.UNAUTHORIZED, 'unauthorized');
    }
    if (!isValidStreamId(streamId)) return this.refuse(ws, CloseCode.INVALID_STREAM, 'invalid_stream_id');
    if (this.total >= this.options.maxViewers) return this.refuse(ws, CloseCode.TRY_AGAIN_LATER, 'too_many_viewers');
    if (this.viewerCount(streamId) >= this.options.maxViewersPerStream) {
      return this.refuse(ws, CloseCode.TRY_AGAIN_LATER, 'too_many_viewers_for_stream');
    }
    const group = this.groupFor(streamId);
    if (!group) return this.refuse(ws, CloseCode.TRY_AGAIN_LATER, 'too_many_streams');

    const conn = new Connection(
      ws,
      socket,
      { window: this.options.viewerWindow, maxBufferedBytes: this.options.viewerMaxBufferedBytes },
      group,
      !legacy,
    );
    group.connections.add(conn);
    this.total++;

    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onMessage(conn, data as Buffer, isBinary));
    ws.on('close', (code) => this.drop(conn, code === 1006 ? 'abnormal' : 'client'));
    ws.on('error', (err) => this.log.debug('viewer socket error', { stream: streamId, err }));

    const info = this.source.info(streamId);
    this.sendControl(conn, {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      streamId,
      status: info?.status ?? 'offline',
      width: info?.width ?? 0,
      height: info?.height ?? 0,
      fps: info?.fps ?? 0,
      serverTime: Date.now(),
      window: this.options.viewerWindow,
      stallPolicy: 'freeze',
    });
    const latest = this.source.latest(streamId);
    if (latest) conn.offer(latest, wireOf(latest));
  }

  private groupFor(streamId: string): Group | undefined {
    const existing = this.groups.get(streamId);
    if (existing) return existing;
    const m = this.metrics;
    const group = new Group(
      streamId,
      m.framesSent.tally(streamId),
      m.sendLatency.tally(streamId),
      {
        window_full: m.framesDropped.tally(streamId, 'window_full'),
        buffer_full: m.framesDropped.tally(streamId, 'buffer_full'),
        server_busy: m.framesDropped.tally(streamId, 'server_busy'),
      },
      this.options.fanoutSliceMs,
    );
    const subscription = this.source.subscribe(streamId, {
      onFrame: (frame) => this.onFrame(group, frame),
      onStatus: (status, info) => this.onStatus(group, status, info),
    });
    if (!subscription) return undefined;
    group.subscription = subscription;
    this.groups.set(streamId, group);
    return group;
  }

  private onFrame(group: Group, frame: Frame): void {
    if (group.connections.size === 0) return;
    group.fanOut(frame, wireOf(frame));
  }

  private onStatus(group: Group, status: StreamStatus, info: StreamInfo): void {
    const serverTime = Date.now();
    const age = info.lastFrameAgeMs ?? 0;
    const msg: ServerMessage =
      status === 'live'
        ? { type: 'stream_started', streamId: group.streamId, serverTime }
        : status === 'stalled'
          ? { type: 'stream_stalled', streamId: group.streamId, serverTime, lastFrameAgeMs: age, stallPolicy: 'freeze' }
          : { type: 'stream_stopped', streamId: group.streamId, serverTime, lastFrameAgeMs: age };
    const text = JSON.stringify(msg);
    for (const conn of group.connections) conn.sink.sendText(text);
  }

  private onMessage(conn: Connection, data: Buffer, isBinary: boolean): void {
    conn.spoke = true;
    const seq = isBinary ? undefined : ackSeqOf(data);
    if (seq !== undefined) {
      conn.wantsStats = true;
      conn.ack(seq);
      return;
    }
    const msg = isBinary ? undefined : parseClientMessage(data.toString());
    if (!msg) {
      this.sendControl(conn, {
        type: 'error',
        code: 'invalid_message',
        message: 'expected a JSON text message {"type":"ack","seq":N} or {"type":"time_sync","clientTime":T}',
      });
      return;
    }
    conn.wantsStats = true;
    if (msg.type === 'ack') conn.ack(msg.seq);
    else this.sendControl(conn, { type: 'time_sync', clientTime: msg.clientTime, serverTime: Date.now() });
  }

  private sendControl(conn: Connection, msg: ServerMessage): void {
    conn.sink.sendText(JSON.stringify(msg));
  }

  // Forgets a viewer; with `closeCode` also closes its socket, else the socket is already gone.
  private drop(conn: Connection, reason: string, closeCode?: number): void {
    const { group } = conn;
    if (!group.connections.delete(conn)) return;
    group.remove(conn);
    this.total--;
    this.metrics.viewersClosed.inc({ reason });
    if (closeCode === undefined) conn.detach();
    else conn.close(closeCode, reason);
    if (group.connections.size === 0) {
      group.subscription?.unsubscribe();
      this.groups.delete(group.streamId);
    }
  }

  // Stats ride with each viewer's next frame; what is still queued after
  // STATS_FLUSH_MS (a paused viewer, a stream without frames) goes alone.
  private sendStats(): void {
    for (const group of this.groups.values()) {
      const info = this.source.info(group.streamId);
      if (!info) continue;
      const serverTime = Date.now();
      for (const conn of group.connections) {
        if (!conn.wantsStats) continue;
        this.queueControl(conn, {
          type: 'stats',
          streamId: group.streamId,
          serverTime,
          status: info.status,
          fps: info.fps,
          bitrate: info.bitrate,
          viewers: group.connections.size,
          sent: conn.sent,
          dropped: conn.dropped,
        });
      }
    }
    if (this.statsFlush) return;
    this.statsFlush = setTimeout(
      () => {
        this.statsFlush = undefined;
        for (const group of this.groups.values()) for (const conn of group.connections) conn.sink.flushText();
      },
      Math.min(STATS_FLUSH_MS, this.options.statsIntervalMs / 2),
    );
    this.statsFlush.unref();
  }

  private queueControl(conn: Connection, msg: ServerMessage): void {
    conn.sink.queueText(JSON.stringify(msg));
  }

  private sweepStuck(): void {
    const now = Date.now();
    const limit = this.options.viewerStallTimeoutMs;
    for (const group of [...this.groups.values()]) {
      for (const conn of [...group.connections]) {
        const since = conn.blockedSince;
        if (since !== undefined && now - since > limit) {
          this.log.info('closing viewer that read nothing', { stream: group.streamId, blockedMs: now - since });
          this.drop(conn, 'viewer_too_slow', CloseCode.VIEWER_TOO_SLOW);
        }
      }
    }
  }

  // Only viewers that said nothing since the last round are pinged: an
  // acknowledging player talks many times a second, and a ping would only add
  // a control frame each way (and, in ws's receiver, a code path the frame
  // loop otherwise never takes). One that goes quiet is pinged next round and
  // closed the round after if it does not answer, as before.
  private heartbeat(): void {
    for (const group of [...this.groups.values()]) {
      for (const conn of [...group.connections]) {
        if (conn.spoke) {
          conn.spoke = false;
          conn.alive = true;
          continue;
        }
        if (!conn.alive) {
          this.drop(conn, 'heartbeat_timeout');
          conn.ws.terminate();
          continue;
        }
        conn.alive = false;
        conn.ws.ping();
      }
    }
  }
}

/**
 * A frame as viewers receive it, made on first use and shared by every
 * viewer: one complete WebSocket message (frame header, viewer envelope,
 * JPEG). Written around the JPEG in its body buffer when ingest joined the
 * body itself, else a small head (frame header and envelope header) written
 * ahead of the JPEG. Either way the image is not copied.
 */
export function wireOf(frame: Frame): FrameWire {
  if (!frame.wire) {
    const free = freeBytesBefore(frame.data) - WS_HEADER_MAX_BYTES;
    const bytes = free > 0 ? encodeViewerFrameInPlace(frame, free) : undefined;
    if (bytes) {
      const headerLength = wsHeaderLength(bytes.byteLength);
      const start = bytes.byteOffset - headerLength;
      const message = Buffer.from(bytes.buffer, start, headerLength + bytes.byteLength);
      writeWsBinaryHeader(message, 0, bytes.byteLength);
      frame.wire = message;
    } else {
      const envelopeHead = encodeViewerFrameHeader(frame, Buffer.allocUnsafe);
      const payload = envelopeHead.byteLength + frame.data.byteLength;
      const head = Buffer.allocUnsafe(wsHeaderLength(payload) + envelopeHead.byteLength);
      head.set(envelopeHead, writeWsBinaryHeader(head, 0, payload));
      // A Buffer view once per frame: a socket given a plain Uint8Array wraps it anew on every write.
      const { buffer, byteOffset, byteLength } = frame.data;
      frame.wire = { head, body: Buffer.from(buffer, byteOffset, byteLength) };
    }
  }
  return frame.wire;
}
