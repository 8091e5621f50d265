/** The benchmark's WebSocket client on a worker thread: a viewer is another program, so reading and
 * decoding the frames must not take turns with the server's own thread (onnxruntime-node runs the graphs
 * on it). Posts 'open' once connected; on 'reset' forgets the latencies so far; on 'finish' posts what it
 * received and closes. */
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { decodeFrameMessage, FRAME_TO_WS } from '../server/wire-format.js';

export interface ReceiverCommand {
  readonly type: 'reset' | 'finish';
}

export type ReceiverReport =
  | { readonly type: 'open' }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'finished'; readonly received: number; readonly latencies: number[] };

if (parentPort) {
  const port = parentPort;
  const ws = new WebSocket((workerData as { url: string }).url);
  let received = 0;
  let latencies: number[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const { header } = decodeFrameMessage(data as Buffer);
    received++;
    const latency = header.latency[FRAME_TO_WS];
    if (latency !== undefined) latencies.push(latency);
  });
  ws.once('open', () => port.postMessage({ type: 'open' } satisfies ReceiverReport));
  ws.once('error', (err) => port.postMessage({ type: 'error', message: err.message } satisfies ReceiverReport));
  port.on('message', (command: ReceiverCommand) => {
    if (command.type === 'reset') {
      latencies = [];
      return;
    }
    port.postMessage({ type: 'finished', received, latencies } satisfies ReceiverReport);
    ws.close();
    port.close();
  });
}
