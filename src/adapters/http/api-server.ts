import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createApp, type ExtraRouter } from './app.js';
import type { ApiDeps } from './route-context.js';

export interface ApiServerOptions extends ApiDeps {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  extraRouters?: readonly ExtraRouter[];
  /** WebSocket upgrades (the agents' CTI socket); without one, an upgrade request is refused. */
  upgrade?: UpgradeHandler;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface ApiServer {
  port: number;
  /** Stops accepting, lets running requests end, then drops idle keep-alive sockets. Idempotent. */
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const app = createApp(opts, opts.extraRouters ?? []);
  const server: Server = createServer(app);
  // Explicit limits so a slow or silent client cannot hold a socket for ever (a body that stops
  // coming is cut off sooner, by body-timeout.ts).
  server.requestTimeout = 15 * 60_000; // a million-row CSV upload takes minutes
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.on('upgrade', (req, socket, head) => {
    if (opts.upgrade) return opts.upgrade(req, socket, head);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  opts.log.info({ port, host: opts.host }, 'REST API listening');
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      })),
  };
}
