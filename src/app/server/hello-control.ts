/** The `hello` control message (docs/protocol.md): a client says it on connecting, and gets its ack and
 * then a status message at once, instead of waiting up to a status interval for the first one. */
import type { ClientChannel } from './client-channel.js';
import type { ControlHandler } from './control-dispatch.js';
import { controlFields, type StatusMessage } from './protocol.js';

export function registerHelloControl(
  server: { onControl(type: string, handler: ControlHandler): () => void },
  channel: (clientId: number) => ClientChannel | undefined,
  status: (clientId: number) => Omit<StatusMessage, 'skipped'>,
): void {
  server.onControl('hello', (message, client) => {
    controlFields('hello', message);
    // After the ack, so a client sees its hello answered before the first status.
    setImmediate(() => {
      const target = channel(client.id);
      if (target) target.sendMessage({ ...status(client.id), skipped: target.skipped });
    });
    return 'hello';
  });
}
