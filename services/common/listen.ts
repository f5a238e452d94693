import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/** A listening HTTP server and where to reach it. */
export interface Listening {
  readonly server: Server;
  readonly port: number;
  /** Base URL; a wildcard bind address is shown as 127.0.0.1. */
  readonly url: string;
}

/** Serves `fetch` (a Hono app's) on host:port (0: a free port); resolves once listening, rejects on a bind error. */
export async function listen(
  fetch: (req: Request, env?: unknown) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<Listening> {
  const server = serve({ fetch, port, hostname: host }) as Server;
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  const actual = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { server, port: actual, url: `http://${shown}:${actual}` };
}
