import http from 'node:http';
import https from 'node:https';
import { encodeFrameEnvelope } from '../../shared/index.js';
import type { OutgoingFrame, PostOutcome } from './publisher.js';

/** Options of an IngestClient. */
export interface IngestClientOptions {
  /** Base URL of ingest, e.g. `http://127.0.0.1:3000` (INGEST_URL). */
  readonly ingestUrl: string;
  /** Sent as `Authorization: Bearer` when set (INGEST_TOKEN). */
  readonly token: string | undefined;
  /** A POST taking longer is abandoned and counts as ingest down (POST_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** Sockets kept open to ingest: 2 per camera. */
  readonly maxSockets: number;
}

/** Largest error body read from ingest; its JSON errors are far smaller. */
const MAX_ERROR_BODY = 16 * 1024;

/**
 * Posts frame envelopes to ingest's `POST /streams/:id/frames` over keep-alive
 * connections: one agent for all cameras, so a frame costs a request, not a
 * TCP (or TLS) handshake.
 */
export class IngestClient {
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly request: typeof http.request;

  constructor(private readonly options: IngestClientOptions) {
    this.base = new URL(options.ingestUrl);
    const secure = this.base.protocol === 'https:';
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      scheduling: 'lifo' as const,
    };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.request = secure ? https.request : http.request;
  }

  /** Sockets open to ingest now (busy and idle); keep-alive keeps this at most 2 per camera. */
  socketCount(): number {
    const count = (sockets: NodeJS.ReadOnlyDict<unknown[]>): number =>
      Object.values(sockets).reduce((n, list) => n + (list?.length ?? 0), 0);
    return count(this.agent.sockets) + count(this.agent.freeSockets);
  }

  /** Posts one frame of `streamId` as a msgpack envelope. Never rejects. */
  post(streamId: string, frame: OutgoingFrame): Promise<PostOutcome> {
    const body = encodeFrameEnvelope({
      streamId,
      seq: frame.seq,
      timestamp: frame.timestamp,
      width: frame.width,
      height: frame.height,
      data: frame.jpeg,
    });
    const basePath = this.base.pathname.replace(/\/+$/, '');
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': body.byteLength,
    };
    if (this.options.token !== undefined) headers.Authorization = `Bearer ${this.options.token}`;
    return new Promise<PostOutcome>((resolve) => {
      let settled = false;
      const done = (outcome: PostOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const req = this.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          method: 'POST',
          path: `${basePath}/streams/${encodeURIComponent(streamId)}/frames`,
          headers,
          agent: this.agent,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            res.resume();
            res.once('end', () => done({ kind: 'accepted' }));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < MAX_ERROR_BODY) chunks.push(chunk);
            size += chunk.length;
          });
          res.once('end', () => {
            const { code, message } = errorOf(status, Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY));
            if (status >= 400 && status < 500) done({ kind: 'rejected', status, code, message });
            else done({ kind: 'down', status, code, error: `${status} ${code}: ${message}` });
          });
          res.once('error', (err) => done({ kind: 'down', status, error: err.message }));
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      req.once('error', (err) => done({ kind: 'down', error: err.message }));
      req.end(body);
    });
  }

  /** Closes every socket. Requests in flight end as `down`. */
  close(): void {
    this.agent.destroy();
  }
}

/** The stable code and message of ingest's JSON error body, or `http_<status>` for anything else. */
export function errorOf(status: number, body: Buffer): { code: string; message: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code === 'string') {
      return {
        code: parsed.error.code.slice(0, 64),
        message: typeof parsed.error.message === 'string' ? parsed.error.message.slice(0, 500) : '',
      };
    }
  } catch {
    // not JSON: fall through
  }
  return { code: `http_${status}`, message: body.toString('utf8').slice(0, 200) };
}
