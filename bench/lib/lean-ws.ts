/**
 * A minimal WebSocket client for load generation. The benchmark's viewers share
 * two cores with the server they measure, so they must cost as little as a
 * browser on another machine would cost the server's host: nothing. `ws` copies
 * every message into a fresh Buffer and the garbage collector then takes a fifth
 * of the worker's time; this client reads into one reused buffer (`onread`),
 * keeps only the first `headBytes` of each binary message (where a frame's
 * small fields are) and counts the rest.
 *
 * Client side of RFC 6455 only as far as the benchmark needs it: no extensions,
 * no subprotocols; pings are answered; close frames are echoed.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { wsHeaderLength } from '../../services/ingest/ws-frame.js';

/** Callbacks of one connection; all optional except `onBinary`. */
export interface LeanHandlers {
  /** A whole binary message: its first `head.length` bytes (a view valid only during the call) and its length. */
  onBinary(head: Buffer, length: number): void;
  onText?(text: string): void;
  onOpen?(): void;
  /** The socket ended; `code` is the peer's close code, 1006 when there was none. */
  onClose?(code: number): void;
  onError?(err: Error): void;
}

/** A connected (or connecting) lean client. */
export interface LeanSocket {
  /** Sends a text message (masked, as clients must). */
  sendText(text: string): void;
  /** Stops reading: the server's writes back up, as with a viewer whose tab froze. */
  pause(): void;
  /** Destroys the socket at once. */
  terminate(): void;
}

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** Control and text messages above this are a protocol error for the benchmark. */
const MAX_SMALL_MESSAGE = 64 * 1024;

// One read buffer for every socket of the process: `onread` callbacks run one at
// a time and each consumes its bytes before returning.
const readBuffer = Buffer.allocUnsafe(256 * 1024);

function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const headerLen = wsHeaderLength(len);
  const out = Buffer.allocUnsafe(headerLen + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  // The mask only keeps proxies from mistaking frames for HTTP; Math.random is
  // enough for that here and costs a fraction of crypto's per-ack call.
  out.writeUInt32BE((Math.random() * 0x100000000) >>> 0, headerLen);
  for (let i = 0; i < len; i++) out[headerLen + 4 + i] = (payload[i] as number) ^ (out[headerLen + (i & 3)] as number);
  return out;
}

/** Parses the server's frames from a byte stream; separated from the socket for tests. */
export class FrameReader {
  private readonly header = Buffer.alloc(14);
  private headerHave = 0;
  private opcode = 0;
  // Opcode of the message a continuation frame belongs to.
  private messageOpcode = 0;
  private remaining = 0;
  private inPayload = false;
  private fin = true;
  private messageLength = 0;
  private readonly head: Buffer;
  private headHave = 0;
  private small: Buffer[] = [];
  private smallLength = 0;
  // A control frame may arrive between the fragments of a message: its own bytes.
  private control: Buffer[] = [];

  constructor(
    headBytes: number,
    private readonly on: {
      binary(head: Buffer, length: number): void;
      text(text: string): void;
      ping(payload: Buffer): void;
      close(code: number): void;
    },
  ) {
    this.head = Buffer.allocUnsafe(headBytes);
  }

  /** Consumes `buf[start, end)`. Throws on a frame the benchmark does not expect. */
  push(buf: Buffer, start: number, end: number): void {
    let i = start;
    while (i < end) {
      if (!this.inPayload) {
        i = this.readHeader(buf, i, end);
        if (!this.inPayload) continue;
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      const n = Math.min(this.remaining, end - i);
      this.payload(buf, i, n);
      i += n;
      this.remaining -= n;
      if (this.remaining === 0) this.endFrame();
    }
  }

  private readHeader(buf: Buffer, i: number, end: number): number {
    const h = this.header;
    while (i < end && this.headerHave < 2) h[this.headerHave++] = buf[i++] as number;
    if (this.headerHave < 2) return i;
    const len7 = (h[1] as number) & 0x7f;
    if ((h[1] as number) & 0x80) throw new Error('server frames must not be masked');
    const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
    while (i < end && this.headerHave < need) h[this.headerHave++] = buf[i++] as number;
    if (this.headerHave < need) return i;
    const len = len7 === 126 ? h.readUInt16BE(2) : len7 === 127 ? Number(h.readBigUInt64BE(2)) : len7;
    this.fin = ((h[0] as number) & 0x80) !== 0;
    this.opcode = (h[0] as number) & 0x0f;
    if ((h[0] as number) & 0x70) throw new Error('unexpected RSV bits (no extension was negotiated)');
    if (this.opcode === OP_CONT) {
      if (this.messageOpcode === 0) throw new Error('continuation without a message');
    } else if (this.opcode === OP_TEXT || this.opcode === OP_BINARY) {
      this.messageOpcode = this.opcode;
      this.messageLength = 0;
      this.headHave = 0;
      this.small = [];
      this.smallLength = 0;
    } else if (this.opcode >= 0x8 && this.opcode <= 0xa) {
      if (!this.fin || len > 125) throw new Error('invalid control frame');
      this.control = [];
    } else {
      throw new Error(`unknown opcode ${this.opcode}`);
    }
    this.remaining = len;
    this.inPayload = true;
    this.headerHave = 0;
    return i;
  }

  private isControl(): boolean {
    return this.opcode >= 0x8;
  }

  private payload(buf: Buffer, i: number, n: number): void {
    if (this.isControl()) {
      this.control.push(Buffer.from(buf.subarray(i, i + n)));
      return;
    }
    if (this.messageOpcode === OP_BINARY) {
      this.messageLength += n;
      const take = Math.min(n, this.head.length - this.headHave);
      if (take > 0) {
        buf.copy(this.head, this.headHave, i, i + take);
        this.headHave += take;
      }
      return;
    }
    this.smallLength += n;
    if (this.smallLength > MAX_SMALL_MESSAGE) throw new Error('text message too large for the benchmark client');
    this.small.push(Buffer.from(buf.subarray(i, i + n)));
  }

  private endFrame(): void {
    this.inPayload = false;
    if (this.isControl()) {
      const payload = Buffer.concat(this.control);
      if (this.opcode === OP_PING) this.on.ping(payload);
      else if (this.opcode === OP_CLOSE) this.on.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
      else if (this.opcode !== OP_PONG) throw new Error('unreachable');
      return;
    }
    if (!this.fin) return;
    if (this.messageOpcode === OP_BINARY) this.on.binary(this.head.subarray(0, this.headHave), this.messageLength);
    else this.on.text(Buffer.concat(this.small).toString('utf8'));
    this.messageOpcode = 0;
  }
}

/**
 * Opens a WebSocket to `url` (ws://host:port/path). Binary messages reach
 * `onBinary` with their first `headBytes` bytes.
 */
export function leanConnect(url: string, handlers: LeanHandlers, headBytes = 256): LeanSocket {
  const u = new URL(url);
  if (u.protocol !== 'ws:') throw new Error(`lean client speaks ws:// only, got ${u.protocol}`);
  const socket: Socket = connect({
    host: u.hostname,
    port: Number(u.port || 80),
    noDelay: true,
    onread: { buffer: readBuffer, callback: (nread) => onRead(nread) },
  });
  let closed = false;
  let closeCode = 1006;
  let open = false;
  let handshake = '';
  const finish = (): void => {
    if (closed) return;
    closed = true;
    handlers.onClose?.(closeCode);
  };
  const fail = (err: Error): void => {
    handlers.onError?.(err);
    socket.destroy();
  };
  const reader = new FrameReader(headBytes, {
    binary: (head, length) => handlers.onBinary(head, length),
    text: (text) => handlers.onText?.(text),
    ping: (payload) => socket.write(maskedFrame(OP_PONG, payload)),
    close: (code) => {
      closeCode = code;
      const body = Buffer.alloc(2);
      body.writeUInt16BE(code === 1005 ? 1000 : code);
      socket.end(maskedFrame(OP_CLOSE, body));
    },
  });
  const onRead = (nread: number): boolean => {
    const buf = readBuffer;
    try {
      let start = 0;
      if (!open) {
        handshake += buf.toString('latin1', 0, nread);
        const endOfHead = handshake.indexOf('\r\n\r\n');
        if (endOfHead < 0) {
          if (handshake.length > 16 * 1024) throw new Error('handshake response too long');
          return true;
        }
        const status = handshake.slice(0, handshake.indexOf('\r\n'));
        if (!/^HTTP\/1\.1 101 /.test(status)) throw new Error(`upgrade refused: ${status}`);
        // Bytes after the response head already belong to the frame stream.
        start = nread - (handshake.length - (endOfHead + 4));
        open = true;
        handshake = '';
        handlers.onOpen?.();
      }
      if (start < nread) reader.push(buf, start, nread);
    } catch (err) {
      fail(err as Error);
    }
    return true;
  };
  socket.on('connect', () => {
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
  socket.on('error', (err) => handlers.onError?.(err));
  socket.on('close', finish);
  return {
    sendText: (text) => {
      if (open && !closed) socket.write(maskedFrame(OP_TEXT, Buffer.from(text)));
    },
    pause: () => socket.pause(),
    terminate: () => socket.destroy(),
  };
}
