/**
 * What the server needs from the rest of the process. These are read on demand (health checks, status
 * messages) so the server never holds a stale copy and never depends on the model or source code.
 */
import type { Observable } from 'rxjs';

export interface SourceStatus {
  /** Source-defined state name, e.g. 'connecting', 'running', 'reconnecting', 'ended'. */
  readonly state: string;
  /** True while frames are flowing; drives the `sam2rad_source_up` gauge and /healthz `status`. */
  readonly up: boolean;
  readonly uri: string | null;
  readonly lastError: string | null;
  /** Reconnect attempts since the source started (live sources that reconnect). */
  readonly reconnects?: number;
  /** When `state` was entered: ms since the Unix epoch. */
  readonly since?: number;
}

export interface ModelInfo {
  readonly name: string;
  readonly version: string;
  /** onnxruntime execution provider in use, e.g. 'cpu', 'cuda'. */
  readonly ep: string;
  /** Graphs in use: 'fp32', or a manifest variant such as 'int8' (the CPU default of the shipped model). */
  readonly precision: string;
  /** Why the model could not be loaded (the server still serves health and the viewer). */
  readonly error?: string;
}

/** State of the recorder as shown in /healthz and status messages. */
export interface RecordingState {
  readonly active: boolean;
  /** Id (folder name) of the running recording, or of the last one when idle. */
  readonly id: string | null;
  /** Frames written by the running (or last) recording. */
  readonly frames: number;
  /** Why the last recording stopped on its own, if it did. */
  readonly error: string | null;
}

export interface RecordingFile {
  /** Path inside the recording folder, '/'-separated (e.g. 'overlay.mp4'). */
  readonly name: string;
  readonly bytes: number;
}

/** One recording folder as listed by GET /recordings. */
export interface RecordingInfo {
  readonly id: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly frameCount: number | null;
  /** True once stop() finalised it; false while recording or after a crash. */
  readonly complete: boolean;
  readonly active: boolean;
  readonly error: string | null;
  /** Top-level files (videos, metadata); masks are counted, not listed. */
  readonly files: readonly RecordingFile[];
  readonly maskCount: number;
}

export type RecordingEvent =
  | { readonly type: 'started'; readonly id: string }
  | { readonly type: 'stopped'; readonly id: string; readonly frames: number }
  | { readonly type: 'failed'; readonly id: string; readonly frames: number; readonly error: string }
  /** An older recording deleted to keep the recordings folder under its quota. */
  | { readonly type: 'removed'; readonly id: string; readonly reason: 'quota' };

/** Recording control as the server uses it; implemented by plugins/sinks/recording-control.ts. */
export interface RecordingControl {
  /** Root folder holding one sub-folder per recording; served read-only under /recordings. */
  readonly dir: string;
  readonly events: Observable<RecordingEvent>;
  state(): RecordingState;
  /** Rejects if a recording is already running. */
  start(): Promise<RecordingState>;
  /** Rejects if no recording is running. */
  stop(): Promise<RecordingState>;
  list(): Promise<RecordingInfo[]>;
}

/** Thrown by `RecordingControl.start/stop` when the request conflicts with the current state (HTTP 409). */
export class RecordingConflictError extends Error {
  override readonly name = 'RecordingConflictError';
}
