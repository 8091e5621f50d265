/** The socket side of the live server's http.Server: a malformed HTTP request gets a 400, and a
 * WebSocket upgrade is accepted only on /ws, only from the viewer's own origin and, when access control
 * is on, only with a token (docs/protocol.md, "WebSocket /ws" and "Security"). */
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { AccessControl } from './access.js';
import { isSameOrigin } from './routes.js';

/** Above this ws closes the connection (1009) before we see the message; the soft limit is far lower. */
export const HARD_MAX_PAYLOAD = 1024 * 1024;

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function upgrade(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  access: AccessControl | undefined,
  onUnauthorized: (req: IncomingMessage) => void,
): void {
  socket.on('error', () => socket.destroy());
  if ((req.url ?? '').split('?')[0] !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
  // Stops other sites' pages from driving a viewer's local server through the user's browser.
  if (!isSameOrigin(req)) return rejectUpgrade(socket, 403, 'Forbidden');
  if (access && access.authenticate(req).role === null) {
    onUnauthorized(req);
    return rejectUpgrade(socket, 401, 'Unauthorized');
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
}

/** Hands the accepted upgrades on `http` to `wss` (a `noServer` WebSocketServer) as 'connection' events;
 * with `access`, an upgrade without a valid token gets a 401 (and `onUnauthorized` is told). */
export function acceptWebSockets(
  http: Server | HttpsServer,
  wss: WebSocketServer,
  access?: AccessControl,
  onUnauthorized: (req: IncomingMessage) => void = () => {},
): void {
  // A malformed HTTP request gets a 400 instead of an abrupt reset, and never an unhandled error.
  http.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrade(wss, req, socket, head, access, onUnauthorized));
}
