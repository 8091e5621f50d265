/** The viewer e2e tests' server: a real LiveServer fed synthetic frames at about 30 fps, with a recording
 * controller over a temporary folder unless asked not to. `close()` stops the frames and removes the folder. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Subject } from 'rxjs';
import { RecordingController } from '../../plugins/sinks/recording-control.js';
import type { SegmentedFrame } from '../../src/core/frames/frame.js';
import { LiveServer } from '../../src/app/server/server.js';
import type { LiveServerOptions } from '../../src/app/server/server-options.js';

export interface SyntheticServer {
  readonly server: LiveServer;
  /** Absent when started with `record: false`. */
  readonly recording: RecordingController | undefined;
  close(): Promise<void>;
}

export interface SyntheticServerOptions {
  /** Names the source (synthetic://NAME) and the temporary folder. */
  readonly name: string;
  /** Frame `index` of the feed. */
  readonly frame: (index: number) => SegmentedFrame;
  /** Give the server a recording controller (default true). */
  readonly record?: boolean;
  /** Further server options (model line, tokens, ...). */
  readonly listen?: Omit<LiveServerOptions, 'port' | 'frames' | 'recording' | 'source' | 'log'>;
}

export async function serveSyntheticFrames(options: SyntheticServerOptions): Promise<SyntheticServer> {
  const uri = `synthetic://${options.name}`;
  const dir = options.record === false ? undefined : await mkdtemp(path.join(tmpdir(), `sam2rad-${options.name}-`));
  const frames = new Subject<SegmentedFrame>();
  const recording = dir ? new RecordingController({ dir, frames, context: () => ({ sourceUri: uri, model: null }) }) : undefined;
  const server = await LiveServer.listen({
    port: 0,
    frames,
    ...(recording ? { recording } : {}),
    source: () => ({ state: 'running', up: true, uri, lastError: null }),
    log: () => {},
    ...options.listen,
  });
  let index = 0;
  const ticker = setInterval(() => frames.next(options.frame(index++)), 33);
  return {
    server,
    recording,
    async close() {
      clearInterval(ticker);
      await recording?.close();
      await server.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
