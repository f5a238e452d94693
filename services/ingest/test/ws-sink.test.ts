import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsViewerSink } from '../ws-fanout.js';
import { wsHeaderLength, writeWsBinaryHeader } from '../ws-frame.js';

/** One WebSocket message as a viewer's socket gets it: header, then payload. */
function framed(payload: Buffer): Buffer {
  const out = Buffer.alloc(wsHeaderLength(payload.length) + payload.length);
  payload.copy(out, writeWsBinaryHeader(out, 0, payload.length));
  return out;
}

interface RawFrame {
  opcode: number;
  payload: Buffer;
}

/** Splits what a server sent into frames (server frames are unmasked). */
function parseFrames(bytes: Buffer): RawFrame[] {
  const frames: RawFrame[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] as number) & 0x0f;
    let length = (bytes[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      start = at + 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    frames.push({ opcode, payload: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return frames;
}

/**
 * A server whose one upgrade hands back the server-side ws and its socket, and
 * a raw TCP client that records every byte after the handshake, so the test
 * sees exactly what went on the wire.
 */
async function rawPair(): Promise<{
  ws: WebSocket;
  socket: Duplex;
  client: Socket;
  received: () => Buffer;
  server: Server;
}> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = createServer();
  const accepted = new Promise<{ ws: WebSocket; socket: Duplex }>((resolve) => {
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => resolve({ ws, socket })));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  client.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  const chunks: Buffer[] = [];
  client.on('data', (c: Buffer) => chunks.push(c));
  const { ws, socket } = await accepted;
  const received = (): Buffer => {
    const all = Buffer.concat(chunks);
    const end = all.indexOf('\r\n\r\n');
    return all.subarray(end + 4);
  };
  return { ws, socket, client, received, server };
}

/** Runs `body` with a sink on a fresh raw pair, then closes both ends. */
async function withSink(
  body: (pair: Awaited<ReturnType<typeof rawPair>> & { sink: WsViewerSink }) => Promise<void>,
): Promise<void> {
  const pair = await rawPair();
  try {
    await body({ ...pair, sink: new WsViewerSink(pair.ws, pair.socket) });
  } finally {
    pair.client.destroy();
    pair.server.close();
  }
}

describe('WsViewerSink', () => {
  it('writes ready-framed messages in order with ws text messages on the same socket', () =>
    withSink(async ({ received, sink }) => {
      const big = Buffer.alloc(70_000, 7);
      sink.sendText('{"type":"hello"}');
      sink.sendBinary(framed(Buffer.from('one')));
      sink.sendText('{"type":"stats"}');
      sink.sendBinary({ head: framed(big).subarray(0, 10 + 3), body: big.subarray(3) });
      await new Promise((r) => setTimeout(r, 100));
      const frames = parseFrames(received());
      expect(frames.map((f) => f.opcode)).toEqual([1, 2, 1, 2]);
      expect(frames[0]?.payload.toString()).toBe('{"type":"hello"}');
      expect(frames[1]?.payload.toString()).toBe('one');
      expect(frames[3]?.payload).toEqual(big);
    }));

  it('writes no frame after the close frame and reports the frame as not sent', () =>
    withSink(async ({ received, sink }) => {
      sink.sendBinary(framed(Buffer.from('before')));
      sink.close(4408, 'viewer_too_slow');
      let error: Error | null | undefined;
      sink.sendBinary(framed(Buffer.from('after')), (err) => (error = err));
      sink.sendBinary({ head: framed(Buffer.from('also after')).subarray(0, 2), body: Buffer.from('also after') });
      await new Promise((r) => setTimeout(r, 100));
      const frames = parseFrames(received());
      expect(frames.map((f) => f.opcode)).toEqual([2, 8]);
      expect(frames[1]?.payload.readUInt16BE(0)).toBe(4408);
      expect(error).toBeInstanceOf(Error);
    }));

  it("counts what the socket holds back, text and frames alike, as ws's own bufferedAmount does", () =>
    withSink(async ({ ws, client, sink }) => {
      client.pause(); // a viewer that stops reading: the kernel's buffers fill, then the socket's
      const big = Buffer.alloc(1_000_000, 1);
      for (let i = 0; i < 8; i++) sink.sendBinary(framed(big));
      sink.sendText('{"type":"stats"}');
      expect(sink.bufferedAmount).toBeGreaterThan(1_000_000);
      expect(sink.bufferedAmount).toBe(ws.bufferedAmount);
    }));

  it("sends queued text in the next frame's write, the newest only, and before any text sent after it", () =>
    withSink(async ({ socket, received, sink }) => {
      const writes: number[] = []; // chunks per write the socket hands down
      const s = socket as Duplex & { _write: Duplex['_write']; _writev: NonNullable<Duplex['_writev']> };
      const write = s._write.bind(s);
      const writev = s._writev.bind(s);
      s._write = (chunk, enc, cb) => (writes.push(1), write(chunk, enc, cb));
      s._writev = (chunks, cb) => (writes.push(chunks.length), writev(chunks, cb));

      sink.queueText('{"type":"stats","n":1}');
      sink.queueText('{"type":"stats","n":2}');
      sink.sendBinary(framed(Buffer.from('one')));
      expect(writes).toEqual([3]); // text header, text, frame: one write
      sink.queueText('{"type":"stats","n":3}');
      sink.sendText('{"type":"stream_stopped"}');
      sink.queueText('{"type":"stats","n":4}');
      sink.flushText();
      sink.flushText(); // nothing left
      await new Promise((r) => setTimeout(r, 100));
      const frames = parseFrames(received());
      expect(frames.map((f) => (f.opcode === 1 ? f.payload.toString() : `binary:${f.payload.toString()}`))).toEqual([
        '{"type":"stats","n":2}',
        'binary:one',
        '{"type":"stats","n":3}',
        '{"type":"stream_stopped"}',
        '{"type":"stats","n":4}',
      ]);
    }));

  it('drops queued text once closed: nothing follows the close frame', () =>
    withSink(async ({ received, sink }) => {
      sink.queueText('{"type":"stats"}');
      sink.close(1001, 'shutting_down');
      sink.flushText();
      await new Promise((r) => setTimeout(r, 100));
      expect(parseFrames(received()).map((f) => f.opcode)).toEqual([8]);
    }));
});
