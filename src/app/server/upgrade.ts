/** The socket side of the live server's http.Server: a malformed HTTP request gets a 400, and a
 * WebSocket upgrade is accepted only on /ws and only from the viewer's own origin (docs/protocol.md,
 * "WebSocket /ws"). */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { isSameOrigin } from './routes.js';

/** Above this ws closes the connection (1009) before we see the message; the soft limit is far lower. */
export const HARD_MAX_PAYLOAD = 1024 * 1024;

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  if ((req.url ?? '').split('?')[0] !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
  // Stops other sites' pages from driving a viewer's local server through the user's browser.
  if (!isSameOrigin(req)) return rejectUpgrade(socket, 403, 'Forbidden');
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
}

/** Hands the accepted upgrades on `http` to `wss` (a `noServer` WebSocketServer) as 'connection' events. */
export function acceptWebSockets(http: Server, wss: WebSocketServer): void {
  // A malformed HTTP request gets a 400 instead of an abrupt reset, and never an unhandled error.
  http.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  http.on('upgrade', (req, socket, head) => upgrade(wss, req, socket, head));
}
