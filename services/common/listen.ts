import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';

/** A node request listener that takes some requests (true) and leaves the rest to the app (false). */
export type RequestTap = (req: IncomingMessage, res: ServerResponse) => boolean;

/** A listening HTTP server and where to reach it. */
export interface Listening {
  readonly server: Server;
  readonly port: number;
  /** Base URL; a wildcard bind address is shown as 127.0.0.1. */
  readonly url: string;
}

/**
 * Serves `fetch` (a Hono app's) on host:port (0: a free port), with `tap`
 * offered each request first; resolves once listening, rejects on a bind error.
 */
export async function listen(
  fetch: (req: Request, env?: unknown) => Response | Promise<Response>,
  host: string,
  port: number,
  tap?: RequestTap,
): Promise<Listening> {
  const app = getRequestListener(fetch);
  const server = createServer(tap ? (req, res) => tap(req, res) || void app(req, res) : app);
  server.listen(port, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  const actual = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { server, port: actual, url: `http://${shown}:${actual}` };
}
