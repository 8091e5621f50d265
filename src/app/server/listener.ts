/** The socket side the live server listens with: an http.Server, or with a certificate an https.Server,
 * so the viewer, the routes and the /ws upgrade are served over HTTPS and WSS alike. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LiveServerOptions } from './server-options.js';

export type Listener = Server | HttpsServer;

export function createListener(tls: LiveServerOptions['tls'], requests: (req: IncomingMessage, res: ServerResponse) => void): Listener {
  return tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, requests) : createServer(requests);
}

/** Listens on host:port; rejects if it cannot be bound (port in use, address not available). */
export function bindListener(listener: Listener, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
}

/** Base URL of a bound address, e.g. http://127.0.0.1:8080 (https:// with TLS; IPv6 in brackets). */
export function listenerUrl({ address, family, port }: AddressInfo, secure: boolean): string {
  return `${secure ? 'https' : 'http'}://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
}
