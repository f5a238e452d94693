import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { FrameReader, leanConnect, type LeanHandlers, type LeanSocket } from './lean-ws.js';

function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const header =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, len])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([header, payload]);
}

describe('FrameReader', () => {
  const collect = () => {
    const got: Array<[string, unknown]> = [];
    const reader = new FrameReader(4, {
      binary: (head, length) => got.push(['binary', [Buffer.from(head).toString('hex'), length]]),
      text: (text) => got.push(['text', text]),
      ping: (p) => got.push(['ping', p.toString()]),
      close: (code) => got.push(['close', code]),
    });
    return { got, reader };
  };
  const stream = Buffer.concat([
    frame(0x2, Buffer.from('0102030405060708', 'hex')),
    frame(0x1, Buffer.from('hé'), false),
    frame(0x9, Buffer.from('q')),
    frame(0x0, Buffer.from('llo')),
    frame(0x2, Buffer.from('aabb', 'hex'), false),
    frame(0x9, Buffer.from('p')), // a control frame between fragments
    frame(0x0, Buffer.from('ccddee', 'hex')),
    frame(0x2, Buffer.alloc(300, 1)),
    frame(0x8, Buffer.from([0x11, 0x98])),
  ]);
  const expected = [
    ['binary', ['01020304', 8]],
    ['ping', 'q'],
    ['text', 'héllo'],
    ['ping', 'p'],
    ['binary', ['aabbccdd', 5]],
    ['binary', ['01010101', 300]],
    ['close', 4504],
  ];

  it('reads messages, fragments and control frames from one chunk', () => {
    const { got, reader } = collect();
    reader.push(stream, 0, stream.length);
    expect(got).toEqual(expected);
  });

  it('reads the same from one-byte chunks (headers and payloads split anywhere)', () => {
    const { got, reader } = collect();
    for (let i = 0; i < stream.length; i++) reader.push(stream, i, i + 1);
    expect(got).toEqual(expected);
  });

  it('refuses masked server frames and unknown opcodes', () => {
    expect(() => collect().reader.push(Buffer.from([0x82, 0x81, 0, 0, 0, 0, 1]), 0, 7)).toThrow('masked');
    expect(() => collect().reader.push(Buffer.from([0x83, 0x00]), 0, 2)).toThrow('unknown opcode 3');
  });
});

describe('leanConnect against a real ws server', () => {
  let wss: WebSocketServer | undefined;
  let client: LeanSocket | undefined;
  afterEach(async () => {
    client?.terminate();
    client = undefined;
    if (wss) await new Promise((r) => wss?.close(r));
    wss = undefined;
  });

  async function serve(): Promise<{ url: string; peer: Promise<WebSocket> }> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss = server;
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const peer = once(server, 'connection').then(([ws]) => ws as WebSocket);
    return { url: `ws://127.0.0.1:${port}/streams/x/ws?token=t`, peer };
  }

  function connect(url: string, extra: Partial<LeanHandlers> = {}) {
    const binaries: Array<{ head: string; length: number }> = [];
    const texts: string[] = [];
    const closed = new Promise<number>((resolve) => {
      client = leanConnect(
        url,
        {
          onBinary: (head, length) => binaries.push({ head: Buffer.from(head).toString('hex'), length }),
          onText: (t) => texts.push(t),
          onClose: resolve,
          ...extra,
        },
        16,
      );
    });
    return { binaries, texts, closed };
  }

  it('receives binary messages of every length encoding with their first bytes, and text', async () => {
    const { url, peer } = await serve();
    const { binaries, texts } = connect(url);
    const ws = await peer;
    const sizes = [5, 125, 126, 65_535, 65_536, 1_000_000];
    for (const n of sizes) ws.send(Buffer.alloc(n, n & 0xff));
    ws.send('status');
    await expect.poll(() => texts).toEqual(['status']);
    expect(binaries).toEqual(
      sizes.map((n) => ({ head: Buffer.alloc(Math.min(16, n), n & 0xff).toString('hex'), length: n })),
    );
  });

  it('sends masked text the server reads intact, short and long', async () => {
    const { url, peer } = await serve();
    const opened = new Promise<void>((resolve) => connect(url, { onOpen: resolve }));
    const ws = await peer;
    await opened;
    const got: string[] = [];
    ws.on('message', (d) => got.push(String(d)));
    const long = 'x'.repeat(200);
    client?.sendText('{"type":"ack","seq":1}');
    client?.sendText(long);
    await expect.poll(() => got).toEqual(['{"type":"ack","seq":1}', long]);
  });

  it("answers the server's ping, so a heartbeat does not drop it", async () => {
    const { url, peer } = await serve();
    connect(url);
    const ws = await peer;
    const pong = once(ws, 'pong');
    ws.ping(Buffer.from('hb'));
    expect(String((await pong)[0])).toBe('hb');
  });

  it("reports the server's close code", async () => {
    const { url, peer } = await serve();
    const { closed } = connect(url);
    (await peer).close(4408, 'viewer_too_slow');
    expect(await closed).toBe(4408);
  });

  it('fails with the status line when the upgrade is refused', async () => {
    const server = createServer((s) => s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const err = await new Promise<Error>((resolve) => connect(`ws://127.0.0.1:${port}/x`, { onError: resolve }));
      expect(err.message).toBe('upgrade refused: HTTP/1.1 404 Not Found');
    } finally {
      server.close();
    }
  });
});
