/** Session controls (mode, class, prompt, clear) of a many-scanner serve: each goes, as the same JSON message,
 * to `scanners.<ID>.control` of the client's scanner and is answered by the worker holding it (scanner-worker.ts);
 * its reply becomes the client's ack or error. No worker holding the scanner: an error saying so. */
import type { LiveServer } from '../server/server.js';
import { controlFields } from '../server/protocol.js';
import { subjects, type Nats } from './jetstream-setup.js';

const TYPES = ['mode', 'class', 'prompt', 'clear'] as const;

export function registerHubControls(server: LiveServer, nats: Nats, timeoutMs = 5000): void {
  for (const type of TYPES) {
    server.onControl(type, async (message, client) => {
      controlFields(type, message); // a bad message is refused here, as by the single-process server
      const scanner = server.scannerOf(client.id);
      if (!scanner) throw new Error(`'${type}': this connection watches no scanner (open /ws?scanner=ID)`);
      const { id: _id, ...body } = message;
      let reply: { ok: boolean; message: string };
      try {
        const answer = await nats.nc.request(subjects.control(scanner), JSON.stringify(body), { timeout: timeoutMs });
        reply = answer.json();
      } catch (err) {
        throw new Error(`scanner ${scanner}: no worker answered (${(err as Error).message})`);
      }
      if (!reply.ok) throw new Error(reply.message);
      return reply.message;
    });
  }
}
