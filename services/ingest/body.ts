import type { IncomingMessage } from 'node:http';
import { allocBody } from './owned-buffers.js';

/** A body, or why it was refused. */
export type BodyResult = Uint8Array | 'too_large';

/**
 * Reads a request body up to `limit` bytes from node's IncomingMessage and
 * calls `done` once with the body, `'too_large'` or the stream's error.
 * Refuses by Content-Length before reading anything, and stops reading the
 * moment a chunked body passes the limit, so an oversized upload costs at most
 * `limit`. (Going through a fetch `Request.body` instead makes
 * @hono/node-server build a web stream per frame, which a profile put at about
 * half of ingest's per-frame cost.) A body in several chunks is joined in a
 * buffer from `allocBody`, so viewers' bytes can later be built around the
 * JPEG in place.
 */
export function readIncoming(
  incoming: IncomingMessage,
  limit: number,
  done: (result: BodyResult | Error) => void,
): void {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return done('too_large');
  new BodyCollector(incoming, limit, done).listen();
}

/** `readIncoming` as a promise. */
export function readIncomingLimited(incoming: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) =>
    readIncoming(incoming, limit, (result) => (result instanceof Error ? reject(result) : resolve(result))),
  );
}

/** The same for a fetch Request: `app.request()` in tests has no IncomingMessage. */
export function readRequestLimited(req: Request, limit: number): Promise<BodyResult> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return Promise.resolve('too_large');
  return readWebStream(req, limit);
}

// One body being read. Its listeners are unnamed arrows made in `listen`:
// under tsx (esbuild's keepNames) every named function costs a
// defineProperty each time it is created, and this runs once per frame.
class BodyCollector {
  private readonly chunks: Buffer[] = [];
  private total = 0;
  private listeners: [(chunk: Buffer) => void, () => void, (err: Error) => void] | undefined;

  constructor(
    private readonly incoming: IncomingMessage,
    private readonly limit: number,
    private readonly onDone: (result: BodyResult | Error) => void,
  ) {}

  listen(): void {
    this.listeners = [(chunk) => this.data(chunk), () => this.end(), (err) => this.done(err)];
    const [onData, onEnd, onError] = this.listeners;
    this.incoming.on('data', onData);
    this.incoming.on('end', onEnd);
    this.incoming.on('error', onError);
  }

  private data(chunk: Buffer): void {
    this.total += chunk.byteLength;
    if (this.total > this.limit) {
      // Stop reading; the 413 goes out with Connection: close, which ends the rest.
      this.incoming.pause();
      this.done('too_large');
      return;
    }
    this.chunks.push(chunk);
  }

  private end(): void {
    const { chunks } = this;
    // One chunk is kept as it is: a JS allocation per frame costs more in GC
    // (external memory pressure) than the viewer bytes' own copy saves.
    if (chunks.length === 1) return this.done(chunks[0] as Buffer);
    const body = allocBody(this.total);
    let at = 0;
    for (const c of chunks) {
      c.copy(body, at);
      at += c.byteLength;
    }
    this.done(body);
  }

  private done(result: BodyResult | Error): void {
    if (this.listeners) {
      const [onData, onEnd, onError] = this.listeners;
      this.incoming.off('data', onData);
      this.incoming.off('end', onEnd);
      this.incoming.off('error', onError);
      this.listeners = undefined;
    }
    this.onDone(result);
  }
}

async function readWebStream(req: Request, limit: number): Promise<BodyResult> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return 'too_large';
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  return Buffer.concat(chunks, total);
}
