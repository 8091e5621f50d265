/** The server's side of the heartbeat (docs/protocol.md, "Heartbeat"): every interval each client is
 * pinged, and one that did not answer the previous ping is dropped, so a dead client (a cable pulled, a
 * laptop asleep) does not hold its queue and its place in the client count for ever. */
import type { WebSocket } from 'ws';

export const DEFAULT_HEARTBEAT_MS = 15_000;

/** A connection as the heartbeat sees it; `alive` is set again by its pong. */
export interface Pinged {
  readonly ws: WebSocket;
  /** Remote address:port, for the log line when it is dropped. */
  readonly address: string;
  /** Answered the last ping (or has not been pinged yet). */
  alive: boolean;
}

/** Drops every client that did not answer the previous ping, and pings the others. */
export function pingOrDrop(peers: ReadonlyMap<number, Pinged>, log: (message: string) => void): void {
  for (const [id, peer] of peers) {
    if (!peer.alive) {
      log(`client ${id} (${peer.address}) did not answer a ping: dropped`);
      peer.ws.terminate();
      continue;
    }
    peer.alive = false;
    try {
      peer.ws.ping();
    } catch {
      peer.ws.terminate();
    }
  }
}
