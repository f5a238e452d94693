import { MAX_CONTROL_MESSAGE_BYTES } from './limits.js';

/** Stream states as viewers and the API see them. */
export type StreamStatus = 'live' | 'stalled' | 'offline';

/** What a player should do while a stream is stalled or offline. */
export type StallPolicy = 'freeze';

/** First message on every viewer socket. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly protocol: number;
  readonly streamId: string;
  readonly status: StreamStatus;
  /** Latest known frame size, 0 when no frame yet. */
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Server clock, ms since the Unix epoch. */
  readonly serverTime: number;
  /** Frames a viewer may have unacknowledged once it acknowledges. */
  readonly window: number;
  readonly stallPolicy: StallPolicy;
}

/** Frames flow (again). */
export interface StreamStartedMessage {
  readonly type: 'stream_started';
  readonly streamId: string;
  readonly serverTime: number;
}

/** No frame for the stall interval; keep showing the last frame. */
export interface StreamStalledMessage {
  readonly type: 'stream_stalled';
  readonly streamId: string;
  readonly serverTime: number;
  /** Milliseconds since the last frame. */
  readonly lastFrameAgeMs: number;
  readonly stallPolicy: StallPolicy;
}

/** No frame for the offline interval: the publisher is gone. */
export interface StreamStoppedMessage {
  readonly type: 'stream_stopped';
  readonly streamId: string;
  readonly serverTime: number;
  readonly lastFrameAgeMs: number;
}

/** Periodic figures for one viewer. */
export interface StatsMessage {
  readonly type: 'stats';
  readonly streamId: string;
  readonly serverTime: number;
  readonly status: StreamStatus;
  readonly fps: number;
  /** Bits per second of JPEG data received by ingest. */
  readonly bitrate: number;
  readonly viewers: number;
  /** Frames sent to this viewer. */
  readonly sent: number;
  /** Frames skipped for this viewer because it was behind. */
  readonly dropped: number;
}

/** Server's answer to a time-sync request: the client's time echoed with the server's. */
export interface TimeSyncResponse {
  readonly type: 'time_sync';
  /** Client clock when it sent the request, echoed. */
  readonly clientTime: number;
  readonly serverTime: number;
}

/** A viewer's message was not understood; the connection stays open. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly code: 'invalid_message';
  readonly message: string;
}

/** Any message ingest sends to a viewer as text. */
export type ServerMessage =
  | ErrorMessage
  | HelloMessage
  | StreamStartedMessage
  | StreamStalledMessage
  | StreamStoppedMessage
  | StatsMessage
  | TimeSyncResponse;

/**
 * Cumulative acknowledgement: the viewer has drawn (or dropped) every frame up
 * to and including `seq`. Opens the viewer's window; one per drawn frame is fine.
 */
export interface AckMessage {
  readonly type: 'ack';
  readonly seq: number;
}

/** Time-sync request: the client's clock (ms since epoch) when sent. */
export interface TimeSyncRequest {
  readonly type: 'time_sync';
  readonly clientTime: number;
}

/** Any message a viewer sends to ingest. */
export type ClientMessage = AckMessage | TimeSyncRequest;

const ACK_PREFIX = '{"type":"ack","seq":';
const ACK_PREFIX_BYTES = Array.from(ACK_PREFIX, (c) => c.charCodeAt(0));

/** The canonical text of an ack, as players send it (and `ackSeqOf` reads without JSON.parse). */
export function encodeAck(seq: number): string {
  return `${ACK_PREFIX}${seq}}`;
}

/**
 * Reads the seq of an ack in its canonical form (`encodeAck`) straight from the
 * bytes: acks arrive once per drawn frame per viewer, so they skip the string
 * and JSON.parse. Undefined for anything else (use parseClientMessage then).
 */
export function ackSeqOf(bytes: Uint8Array): number | undefined {
  const n = bytes.length;
  const start = ACK_PREFIX_BYTES.length;
  if (n < start + 2 || n > start + 17 || bytes[n - 1] !== 0x7d) return undefined;
  for (let i = 0; i < start; i++) if (bytes[i] !== ACK_PREFIX_BYTES[i]) return undefined;
  let seq = 0;
  for (let i = start; i < n - 1; i++) {
    const d = (bytes[i] as number) - 0x30;
    if (d < 0 || d > 9) return undefined;
    seq = seq * 10 + d;
  }
  return Number.isSafeInteger(seq) ? seq : undefined;
}

/**
 * Parses a viewer's text message. Returns undefined for anything that is not a
 * known, well-formed message, so the server can close with a protocol error.
 */
export function parseClientMessage(text: string): ClientMessage | undefined {
  if (text.length > MAX_CONTROL_MESSAGE_BYTES) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (m === null || typeof m !== 'object') return undefined;
  const msg = m as Record<string, unknown>;
  if (msg.type === 'ack' && Number.isSafeInteger(msg.seq) && (msg.seq as number) >= 0) {
    return { type: 'ack', seq: msg.seq as number };
  }
  if (msg.type === 'time_sync' && typeof msg.clientTime === 'number' && Number.isFinite(msg.clientTime)) {
    return { type: 'time_sync', clientTime: msg.clientTime };
  }
  return undefined;
}

/**
 * Clock offset (server minus client, ms) from one time-sync round trip, NTP style:
 * assumes the request and the answer took equally long.
 */
export function clockOffset(clientSent: number, serverTime: number, clientReceived: number): number {
  return serverTime - (clientSent + clientReceived) / 2;
}
