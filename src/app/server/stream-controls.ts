/** The `subscribe` control message (docs/protocol.md, "Compressed frames"): a client asks for compressed
 * frames (protocol version 2) at a scale and quality; the server acknowledges, then sends a `stream`
 * message with the settings in force and its clock, and from then on sends that client compressed frames
 * only. Sending `subscribe` again changes the settings. */
import type { ClientChannel } from './client-channel.js';
import { COMPRESSED_PROTOCOL_VERSION, type StreamMessage } from './compressed-frame.js';
import type { CompressedStreams } from './compressed-streams.js';
import type { ControlHandler } from './control-dispatch.js';
import { controlFields } from './protocol.js';

export function registerStreamControls(
  server: { onControl(type: string, handler: ControlHandler): () => void },
  streams: Pick<CompressedStreams, 'subscribe'>,
  channel: (clientId: number) => ClientChannel | undefined,
): void {
  server.onControl('subscribe', (message, client) => {
    const request = controlFields('subscribe', message);
    const target = channel(client.id);
    if (!target) throw new Error('subscribe: the connection is closing');
    streams.subscribe(target, request);
    // After the ack, so the client has its reply first; serverTime is read as late as possible.
    setImmediate(() => {
      const stream: StreamMessage = {
        type: 'stream',
        ...(message.id !== undefined ? { id: message.id } : {}),
        version: COMPRESSED_PROTOCOL_VERSION,
        serverTime: performance.now(),
        request,
        image: { format: 'jpeg' },
        mask: { encoding: 'runs' },
      };
      target.sendMessage(stream);
    });
    const size = request.maxWidth || request.maxHeight ? `, at most ${request.maxWidth ?? '-'}x${request.maxHeight ?? '-'}` : '';
    return `subscribed: protocol ${COMPRESSED_PROTOCOL_VERSION}, jpeg quality ${request.quality}, scale ${request.scale}${size}`;
  });
}
