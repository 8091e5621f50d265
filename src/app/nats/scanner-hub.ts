/**
 * The serve side of many scanners (`sam2rad serve --nats`): results from `scanners.*.results` become, per
 * scanner, a hot frame stream for the viewer (`/ws?scanner=ID`) and a recorder (`<record-dir>/<ID>/<id>/`),
 * with per-scanner metrics and a /healthz entry (worker, frames, missed, failovers). A change of worker on a
 * scanner is a failover: logged, counted (`sam2rad_scanner_failovers_total`), and written into the running
 * recording's `failovers.json` (the frames before and after, the worker ids and the gap in ms), so a
 * recording that ran across it keeps playing with its gap marked.
 */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { merge, Subject, type Observable } from 'rxjs';
import type { SegmentedFrame } from '../../core/frames/frame.js';
import {
  RecordingConflictError,
  type ModelInfo,
  type RecordingControl,
  type RecordingEvent,
  type RecordingInfo,
  type RecordingState,
  type SourceStatus,
} from '../../core/contracts/live-status.js';
import { RecordingController } from '../../../plugins/sinks/recording-control.js';
import type { ModelIdentity } from '../../core/contracts/model-identity.js';
import type { Metrics } from '../server/metrics.js';
import type { SessionInfo } from '../server/protocol.js';
import type { ScannerSummary } from '../server/server.js';
import { liveKeys, subjects, type Nats } from './jetstream-setup.js';
import { readResultMessage, type WireResultHeader } from './frame-messages.js';

/** A scanner whose last result is older than this is shown as not up. */
const STALE_MS = 2000;

export interface Failover {
  /** 'failover': the old worker's lease expired (it died, hung or lost NATS); 'handover': it gave the scanner
   * back (stopping, rebalancing). The memory starts afresh either way. */
  readonly kind: 'failover' | 'handover';
  /** Epoch ms when the new worker's first result arrived. */
  readonly at: string;
  readonly fromWorker: string;
  readonly toWorker: string;
  /** Last source frame index from the old worker and first from the new one. */
  readonly lastIndexBefore: number;
  readonly firstIndexAfter: number;
  /** Time without results, ms. */
  readonly gapMs: number;
  /** Position in the recording's videos of the first frame after the gap (when recording). */
  readonly recordedFrameAfter?: number;
}

interface ScannerState {
  readonly id: string;
  readonly frames: Subject<SegmentedFrame>;
  readonly recording: RecordingController;
  header: WireResultHeader | null;
  lastAt: number;
  processed: number;
  missed: number;
  failovers: Failover[];
  /** Results waiting to be decoded (newest only) and whether one is being decoded. */
  waiting: ReturnType<typeof readResultMessage> | null;
  decoding: boolean;
  /** Failovers while the current recording runs (failovers.json). */
  recordingFailovers: Failover[];
  registry: Record<string, unknown> | null;
}

export interface HubOptions {
  readonly nats: Nats;
  readonly metrics: Metrics;
  readonly recordDir: string;
  readonly log: (line: string) => void;
  /** Called with each decoded result (the server's publish). */
  readonly publish: (frame: SegmentedFrame, scanner: string) => void;
}

export class ScannerHub {
  private readonly states = new Map<string, ScannerState>();
  private readonly events = new Subject<RecordingEvent>();
  private timer: NodeJS.Timeout | undefined;
  private readonly failoverCounter;
  private readonly missedCounter;
  private readonly handoverCounter;
  readonly recording: RecordingControl;

  constructor(private readonly options: HubOptions) {
    const { metrics } = options;
    this.failoverCounter = metrics.counter('sam2rad_scanner_failovers_total', 'Times a scanner moved to another worker (its memory started afresh).', ['scanner']);
    this.handoverCounter = metrics.counter('sam2rad_scanner_handovers_total', 'Times a worker gave a scanner back to another (stopping, rebalancing).', ['scanner']);
    this.missedCounter = metrics.counter('sam2rad_scanner_frames_missed_total', 'Source frames of a scanner that reached no viewer (ingest, stream limits, worker busy, failover): gaps in the result indices.', ['scanner']);
    metrics.labelledGauge('sam2rad_scanner_up', '1 while results of the scanner arrive (within 2 s), else 0.', 'scanner', () =>
      Object.fromEntries([...this.states.values()].map((s) => [s.id, Date.now() - s.lastAt < STALE_MS ? 1 : 0])),
    );
    this.recording = this.recordingControl();
  }

  async start(): Promise<void> {
    const { nats, log } = this.options;
    nats.nc.subscribe(subjects.allResults, {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.receive(readResultMessage(msg.data));
        } catch (e) {
          log(`bad result on ${msg.subject}: ${(e as Error).message}`);
        }
      },
    });
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), 1000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.states.values()].map((s) => s.recording.close()));
    this.events.complete();
  }

  scanners(): ScannerSummary[] {
    return [...this.states.values()].sort((a, b) => a.id.localeCompare(b.id)).map((s) => ({
      id: s.id,
      up: Date.now() - s.lastAt < STALE_MS,
      worker: s.header?.worker ?? null,
      uri: (s.registry?.uri as string | undefined) ?? null,
      frames: { processed: s.processed, missed: s.missed, ingestMissed: (s.registry?.missed as number | undefined) ?? 0 },
      failovers: s.failovers.filter((f) => f.kind === 'failover').length,
      handovers: s.failovers.filter((f) => f.kind === 'handover').length,
      lastFailover: s.failovers.at(-1) ?? null,
      recording: s.recording.state(),
      session: s.header?.session ?? null,
    }));
  }

  source(scanner: string | null): SourceStatus {
    const states = scanner === null ? [...this.states.values()] : [this.states.get(scanner)].filter((s) => s !== undefined);
    const up = states.length > 0 && states.every((s) => Date.now() - s.lastAt < STALE_MS);
    const uri = scanner === null ? `nats (${states.length} scanners)` : ((states[0]?.registry?.uri as string | undefined) ?? `scanner ${scanner}`);
    return { state: up ? 'streaming' : 'connecting', up, uri, lastError: null };
  }

  model(scanner: string | null): ModelInfo {
    const state = scanner === null ? [...this.states.values()].find((s) => s.header) : this.states.get(scanner);
    return state?.header?.model ?? { name: 'sam2rad', version: 'unknown', ep: 'none', precision: 'none', error: 'no worker result yet' };
  }

  session(scanner: string | null): SessionInfo | undefined {
    const state = scanner === null ? [...this.states.values()].find((s) => s.header) : this.states.get(scanner);
    const session = state?.header?.session;
    return session ? { mode: session.mode as SessionInfo['mode'], classes: [...session.classes], tracked: [...session.tracked] } : undefined;
  }

  /** Scanners the ingests registered (results may not have arrived yet). */
  private async refresh(): Promise<void> {
    try {
      for (const id of await liveKeys(this.options.nats.scanners)) {
        const entry = await this.options.nats.scanners.get(id);
        this.state(id).registry = entry && entry.operation === 'PUT' ? (entry.json() as Record<string, unknown>) : null;
      }
    } catch (err) {
      this.options.log(`scanner list not read: ${(err as Error).message}`);
    }
  }

  private state(id: string): ScannerState {
    let state = this.states.get(id);
    if (!state) {
      const frames = new Subject<SegmentedFrame>();
      const recording = new RecordingController({
        dir: path.join(this.options.recordDir, id),
        frames,
        fps: () => state?.header?.fps,
        context: () => {
          const m = state?.header?.model;
          const model = m?.manifestSha256 ? { name: m.name, version: m.version, manifestSha256: m.manifestSha256, precision: m.precision as ModelIdentity['precision'] } : null;
          return { sourceUri: (state?.registry?.uri as string | undefined) ?? `nats scanner ${id}`, model };
        },
      });
      recording.events.subscribe((event) => {
        if (event.type === 'started') state!.recordingFailovers = [];
        this.events.next({ ...event, id: `${id}/${event.id}` });
      });
      state = { id, frames, recording, header: null, lastAt: 0, processed: 0, missed: 0, failovers: [], waiting: null, decoding: false, recordingFailovers: [], registry: null };
      this.states.set(id, state);
    }
    return state;
  }

  private receive(result: ReturnType<typeof readResultMessage>): void {
    const state = this.state(result.header.scanner);
    if (state.waiting) this.count(state, 1);
    state.waiting = result;
    if (!state.decoding) void this.decodeNext(state);
  }

  private count(state: ScannerState, missed: number): void {
    state.missed += missed;
    this.missedCounter.inc({ scanner: state.id }, missed);
  }

  private async decodeNext(state: ScannerState): Promise<void> {
    state.decoding = true;
    while (state.waiting) {
      const result = state.waiting;
      state.waiting = null;
      const { header } = result;
      const previous = state.header;
      if (previous && header.index <= previous.index && header.worker === previous.worker) continue; // late duplicate
      try {
        const frame = await result.decode();
        const now = Date.now();
        if (previous && header.worker !== previous.worker) this.failover(state, previous, header, now);
        else if (previous && header.index > previous.index + 1) this.count(state, header.index - previous.index - 1);
        state.header = header;
        state.lastAt = now;
        state.processed++;
        this.options.publish(frame, state.id);
        state.frames.next(frame);
      } catch (err) {
        this.options.log(`scanner ${state.id}: result ${header.index} not decoded (${(err as Error).message})`);
      }
    }
    state.decoding = false;
  }

  private failover(state: ScannerState, before: WireResultHeader, after: WireResultHeader, now: number): void {
    const recording = state.recording.state();
    const kind = after.previous?.worker === before.worker && after.previous.released ? 'handover' : 'failover';
    const failover: Failover = {
      kind,
      at: new Date(now).toISOString(),
      fromWorker: before.worker,
      toWorker: after.worker,
      lastIndexBefore: before.index,
      firstIndexAfter: after.index,
      gapMs: now - state.lastAt,
      ...(recording.active ? { recordedFrameAfter: recording.frames } : {}),
    };
    state.failovers.push(failover);
    (kind === 'failover' ? this.failoverCounter : this.handoverCounter).inc({ scanner: state.id });
    if (after.index > before.index + 1) this.count(state, after.index - before.index - 1);
    this.options.log(
      `scanner ${state.id}: ${kind} from worker ${before.worker} to ${after.worker}, ${failover.gapMs} ms without results ` +
        `(frames ${before.index} -> ${after.index}); memory started afresh`,
    );
    if (recording.active && recording.id) {
      state.recordingFailovers.push(failover);
      void writeFailovers(path.join(state.recording.dir, recording.id), state.id, state.recordingFailovers).catch((err: Error) =>
        this.options.log(`scanner ${state.id}: failovers.json not written (${err.message})`),
      );
    }
  }

  /** One RecordingControl for the server over all scanners: start/stop act on every scanner; the list's ids
   * are `<scanner>/<id>` (so downloads are /recordings/<scanner>/<id>/<file>). */
  private recordingControl(): RecordingControl {
    const all = () => [...this.states.values()];
    return {
      dir: this.options.recordDir,
      events: merge(this.events) as Observable<RecordingEvent>,
      state: (): RecordingState => {
        const states = all().map((s) => s.recording.state());
        return states.find((s) => s.active) ?? states.find((s) => s.id) ?? { active: false, id: null, frames: 0, error: null };
      },
      start: async () => {
        const idle = all().filter((s) => !s.recording.state().active && Date.now() - s.lastAt < STALE_MS);
        if (idle.length === 0) throw new RecordingConflictError('no scanner to record: all are recording or none is up');
        await Promise.all(idle.map((s) => s.recording.start()));
        return this.recording.state();
      },
      stop: async () => {
        const active = all().filter((s) => s.recording.state().active);
        if (active.length === 0) throw new RecordingConflictError('no recording is running');
        await Promise.all(active.map((s) => s.recording.stop()));
        return this.recording.state();
      },
      list: async (): Promise<RecordingInfo[]> => {
        const lists = await Promise.all(all().map(async (s) => (await s.recording.list()).map((r) => ({ ...r, id: `${s.id}/${r.id}` }))));
        return lists.flat().sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
      },
    };
  }

  /** Start or stop one scanner's recording (tests, scripts). */
  recorder(scanner: string): RecordingController {
    return this.state(scanner).recording;
  }
}

export const FAILOVERS_FILE = 'failovers.json';

async function writeFailovers(folder: string, scanner: string, failovers: readonly Failover[]): Promise<void> {
  const temp = path.join(folder, '.failovers.json.tmp');
  await writeFile(temp, JSON.stringify({ format: 'sam2rad-failovers', version: 1, scanner, failovers }, null, 1));
  await rename(temp, path.join(folder, FAILOVERS_FILE));
}
