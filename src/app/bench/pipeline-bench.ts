/** Pipeline speed through the real server: frames decoded by ffmpeg, cropped to the ROI as `serve` does
 * by default, segmented, sent over a WebSocket to a client that reads them. Two runs: a file at full speed (throughput; no frame dropped) and a
 * source paced at its native rate (latency decode -> WebSocket send, drops, memory growth). */
import { Worker } from 'node:worker_threads';
import { from, map, share, type Observable } from 'rxjs';
import type { SegmentedFrame } from '../../core/frames/frame.js';
import { LiveServer } from '../server/server.js';
import { Metrics } from '../server/metrics.js';
import { compiledFile } from '../../core/runtime/compiled-file.js';
import type { ReceiverCommand, ReceiverReport } from './receiver-worker.js';
import { livePipeline } from '../pipeline/live-pipeline.js';
import { cropToRoi, roiCropper } from '../../core/frames/roi-crop.js';
import type { Source } from '../../../plugins/sources/index.js';
import { SegmentationSession } from '../../../plugins/model/segmentation-session.js';
import { segment } from '../../../plugins/model/segment.js';
import type { Sam2RadModel } from '../../../plugins/model/sam2rad-model.js';
import { percentiles, type Percentiles } from './stats.js';

/** Opens the benchmark's frames: a clip through ffmpeg, or pre-decoded raw frames (--frames). */
export type OpenBenchSource = (options: { readonly realtime: boolean; readonly loop?: boolean }) => Promise<Source>;

/** The client's side as the benchmark sees it: `reset` forgets the latencies so far (after a warm-up),
 * `finish` closes the connection and says what arrived. */
interface Receiver {
  reset(): void;
  finish(): Promise<{ readonly received: number; readonly latencies: number[] }>;
}

function receiverWorkerFile(): string {
  const file = compiledFile(import.meta.url, 'receiver-worker.js');
  if (!file) throw new Error('bench: no compiled receiver-worker.js (run npm run build)');
  return file;
}

async function connectReceiver(server: LiveServer): Promise<Receiver> {
  const worker = new Worker(receiverWorkerFile(), { workerData: { url: `${server.url.replace(/^http/, 'ws')}/ws` } });
  const next = (): Promise<ReceiverReport> =>
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  const opened = await next();
  if (opened.type !== 'open') {
    await worker.terminate();
    throw new Error(`bench: the receiver could not connect: ${opened.type === 'error' ? opened.message : opened.type}`);
  }
  return {
    reset: () => worker.postMessage({ type: 'reset' } satisfies ReceiverCommand),
    finish: async () => {
      const finished = next();
      worker.postMessage({ type: 'finish' } satisfies ReceiverCommand);
      const report = await finished;
      await worker.terminate();
      if (report.type !== 'finished') throw new Error(`bench: the receiver failed: ${report.type === 'error' ? report.message : report.type}`);
      return report;
    },
  };
}

async function serveThrough(frames: Observable<SegmentedFrame>, metrics: Metrics, run: (receiver: Receiver) => Promise<void>) {
  const server = await LiveServer.listen({ port: 0, metrics, statusIntervalMs: 60_000 });
  const receiver = await connectReceiver(server);
  const subscription = frames.subscribe((frame) => server.publish(frame));
  try {
    await run(receiver);
  } finally {
    subscription.unsubscribe();
  }
  try {
    return await receiver.finish();
  } finally {
    await server.close();
  }
}

export interface ThroughputResult {
  readonly pipeline_fps: number;
  readonly frames: number;
}

/** `maxFrames` frames of the clip (looped), decoded as fast as the model takes them. */
export async function benchmarkThroughput(model: Sam2RadModel, open: OpenBenchSource, classes: string[], maxFrames: number): Promise<ThroughputResult> {
  const source = await open({ realtime: false, loop: true });
  const session = new SegmentationSession(model, { classes });
  const metrics = new Metrics();
  let count = 0;
  let seconds = 0;
  const pulled = async function* () {
    for await (const frame of source.pull()) {
      if (count >= maxFrames) return;
      count++;
      yield frame;
    }
  };
  const crop = roiCropper('auto');
  // As `segment(session)` does for every frame in order: the next frame is letterboxed while one is in the model.
  const frames = from(pulled()).pipe(map(crop), segment(session), share());
  await serveThrough(frames, metrics, async () => {
    const start = performance.now();
    await new Promise<void>((resolve, reject) => frames.subscribe({ complete: resolve, error: reject }));
    seconds = (performance.now() - start) / 1000;
  });
  return { pipeline_fps: Math.round((count / seconds) * 10) / 10, frames: count };
}

export interface RealtimeResult {
  readonly latency_ms: Percentiles;
  readonly frames_sent: number;
  readonly dropped: number;
  readonly rss_growth_mb: number;
  readonly rss_start_mb: number;
  readonly rss_end_mb: number;
  readonly duration_s: number;
  readonly source_fps: number;
}

/** A source paced at its native rate (looped) for `seconds`: latency, drops and RSS growth. */
export async function benchmarkRealtime(model: Sam2RadModel, open: OpenBenchSource, classes: string[], seconds: number): Promise<RealtimeResult> {
  const source = await open({ realtime: true, loop: true });
  const session = new SegmentationSession(model, { classes });
  const metrics = new Metrics();
  const frames = livePipeline({ source, session, metrics, crop: cropToRoi('auto'), log: (line) => console.error(line) });
  const mb = () => process.memoryUsage().rss / 2 ** 20;
  let rssStart = 0;
  let rssEnd = 0;
  const receiver = await serveThrough(frames, metrics, async (r) => {
    const warmup = Math.min(10, seconds / 4);
    await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
    r.reset();
    rssStart = mb();
    await new Promise((resolve) => setTimeout(resolve, (seconds - warmup) * 1000));
    rssEnd = mb();
  });
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    latency_ms: percentiles(receiver.latencies),
    frames_sent: receiver.received,
    dropped: metrics.framesDropped.value(),
    rss_growth_mb: round(rssEnd - rssStart),
    rss_start_mb: round(rssStart),
    rss_end_mb: round(rssEnd),
    duration_s: seconds,
    source_fps: source.info.fps ?? 0,
  };
}
