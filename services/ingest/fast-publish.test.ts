import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.js';
import type { BodyResult } from './body.js';
import { fastPublish } from './fast-publish.js';
import { PendingFrame, type PublishHandler } from './publish.js';

/** A server whose only listener is the fast path over `handler`; unmatched requests get 404. */
async function serve(handler: PublishHandler, lines: string[]): Promise<{ server: Server; port: number }> {
  const tap = fastPublish(handler, createLogger({ level: 'debug', write: (l) => lines.push(l) }));
  const server = createServer((req, res) => {
    if (!tap(req, res)) res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

/** A handler that reads up to 1 KiB and records what `body` got. */
function recording(onBody: (body: BodyResult) => void): PublishHandler {
  return {
    head: (req, ok) => new PendingFrame(req, 'envelope', ok, 1024),
    body: (_pending, body) => {
      onBody(body);
      return { status: 204 };
    },
  };
}

describe('fastPublish', () => {
  it('answers a handler that throws with 500 internal and logs it, and keeps serving', async () => {
    const lines: string[] = [];
    let calls = 0;
    const handler: PublishHandler = {
      head: (req, ok) => new PendingFrame(req, 'envelope', ok, 1024),
      body: () => {
        if (++calls === 1) throw new Error('bug in a check');
        return { status: 204 };
      },
    };
    const { server, port } = await serve(handler, lines);
    try {
      const url = `http://127.0.0.1:${port}/streams/cam/frames`;
      const first = await fetch(url, { method: 'POST', body: 'x' });
      expect(first.status).toBe(500);
      expect(((await first.json()) as { error: { code: string } }).error.code).toBe('internal');
      expect(lines.some((l) => l.includes('"level":"error"') && l.includes('bug in a check'))).toBe(true);
      expect((await fetch(url, { method: 'POST', body: 'x' })).status).toBe(204);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('gives the handler nothing for a body cut off mid-way, and keeps serving', async () => {
    const lines: string[] = [];
    const bodies: BodyResult[] = [];
    const { server, port } = await serve(
      recording((b) => bodies.push(b)),
      lines,
    );
    try {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/streams/cam/frames',
        headers: { 'Content-Length': '1000' },
      });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(100));
      await new Promise((r) => setTimeout(r, 50));
      req.destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect(bodies).toEqual([]);
      expect(lines.some((l) => l.includes('publish request failed'))).toBe(true);

      const ok = await fetch(`http://127.0.0.1:${port}/streams/cam/frames`, { method: 'POST', body: 'abc' });
      expect(ok.status).toBe(204);
      expect(bodies.map((b) => (b === 'too_large' ? b : Buffer.from(b).toString()))).toEqual(['abc']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('refuses by the head without reading the body, and reads a body past the limit as too_large', async () => {
    const bodies: BodyResult[] = [];
    const handler = recording((b) => bodies.push(b));
    const refusing: PublishHandler = {
      head: (req, ok) => (req.header('content-type') === 'image/jpeg' ? handler.head(req, ok) : { status: 415 }),
      body: handler.body,
    };
    const { server, port } = await serve(refusing, []);
    try {
      const url = `http://127.0.0.1:${port}/ingest`;
      expect((await fetch(url, { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain' } })).status).toBe(
        415,
      );
      expect(bodies).toEqual([]);
      const big = await fetch(url, {
        method: 'POST',
        body: 'y'.repeat(2000),
        headers: { 'Content-Type': 'image/jpeg' },
      });
      expect(big.status).toBe(204);
      expect(bodies).toEqual(['too_large']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
