/**
 * The baseline for the fan-out benchmark: what a relay written in ten minutes
 * does. Receives a POST, sends the same buffer to every WebSocket client of the
 * stream, no validation, no bounds, no backpressure. Never deploy this.
 *
 *   PORT=0 tsx bench/naive-relay.ts   -> prints {"url": "http://127.0.0.1:<port>"}
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const streams = new Map<string, Set<WebSocket>>();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

const server = createServer((req, res) => {
  const m = /^\/streams\/([^/]+)\/frames$/.exec(req.url ?? '');
  if (req.method !== 'POST' || !m) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    for (const ws of streams.get(m[1] as string) ?? []) ws.send(body);
    res.writeHead(204).end();
  });
});

server.on('upgrade', (req, socket, head) => {
  const m = /^\/streams\/([^/]+)\/ws$/.exec(req.url ?? '');
  if (!m) {
    socket.destroy();
    return;
  }
  const id = m[1] as string;
  wss.handleUpgrade(req, socket, head, (ws) => {
    const set = streams.get(id) ?? new Set<WebSocket>();
    streams.set(id, set);
    set.add(ws);
    ws.on('close', () => set.delete(ws));
    ws.on('error', () => undefined);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ msg: 'naive relay listening', url: `http://127.0.0.1:${port}` }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
