/**
 * `sam2rad worker`: segments the scanners it holds a lease on (lease.ts), one SegmentationSession (memory
 * bank) per scanner, and publishes each result on `scanners.<ID>.results` with its worker id.
 *
 * Every tick (500 ms) it renews its leases, gives back scanners that are gone or above its fair share
 * (scanners / live workers, rounded up: a new worker gets some), and takes free or expired ones up to that
 * share. A taken scanner is read from the newest frame in the stream (an ordered consumer, last per subject)
 * and its control subject answered (mode, class, prompt, clear; mode and classes also saved in the sessions
 * bucket, so the next holder restores them). One frame is in the model at a time, scanners in turn; per
 * scanner only the newest frame waits, older ones are counted as missed (the real-time policy per scanner).
 */
import type { Subscription } from '@nats-io/transport-node';
import type { ConsumerMessages } from '@nats-io/jetstream';
import { DeliverPolicy } from '@nats-io/jetstream';
import type { Frame } from '../../core/frames/frame.js';
import { roiCropper, type RoiSetting } from '../../core/frames/roi-crop.js';
import type { Sam2RadModel } from '../../../plugins/model/sam2rad-model.js';
import { SegmentationSession } from '../../../plugins/model/segmentation-session.js';
import { FRAMES_STREAM, liveKeys, subjects, type Nats } from './jetstream-setup.js';
import { acquireLease, GUARD_MS, LEASE_MS, releaseLease, renewLease, type HeldLease } from './lease.js';
import { encodeResultMessage, readFrameMessage, type ReceivedFrame, type WireModel } from './frame-messages.js';
import { controlFields } from '../server/protocol.js';

export interface WorkerOptions {
  readonly nats: Nats;
  readonly id: string;
  readonly model: Sam2RadModel;
  readonly modelInfo: WireModel;
  /** Classes a scanner starts with (default: the model's first). */
  readonly classes?: readonly string[];
  readonly roi?: RoiSetting;
  /** At most this many scanners (default: no limit beyond the fair share). */
  readonly maxScanners?: number;
  readonly tickMs?: number;
  readonly leaseMs?: number;
  readonly log?: (line: string) => void;
}

interface Held {
  lease: HeldLease;
  readonly session: SegmentationSession;
  readonly crop: (frame: Frame) => Frame;
  readonly messages: ConsumerMessages;
  readonly control: Subscription;
  pending: ReceivedFrame | null;
  lastIndex: number;
  processed: number;
  missed: number;
  closed: boolean;
}

export interface WorkerCounters {
  readonly scanners: readonly string[];
  readonly processed: Readonly<Record<string, number>>;
  readonly missed: Readonly<Record<string, number>>;
  readonly takeovers: number;
}

export class ScannerWorker {
  private readonly held = new Map<string, Held>();
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private busy = false;
  private turn = 0;
  private stopped = false;
  private takeovers = 0;
  private readonly processed: Record<string, number> = {};
  private readonly missed: Record<string, number> = {};

  constructor(private readonly options: WorkerOptions) {
    this.log = options.log ?? ((line) => console.error(`[worker ${options.id}] ${line}`));
  }

  get scanners(): string[] {
    return [...this.held.keys()];
  }

  counters(): WorkerCounters {
    return { scanners: this.scanners, processed: { ...this.processed }, missed: { ...this.missed }, takeovers: this.takeovers };
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 500);
  }

  /** Gives every lease back (so others take the scanners at once) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.ticking) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([...this.held.keys()].map((scanner) => this.drop(scanner, 'worker stopping', true)));
    await this.options.nats.workers.delete(this.options.id).catch(() => {});
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const { nats, id } = this.options;
      await nats.workers.put(id, JSON.stringify({ worker: id, scanners: this.scanners, at: Date.now() }));
      const [scanners, workers] = await Promise.all([liveKeys(nats.scanners), this.liveWorkers()]);
      for (const [scanner, held] of this.held) {
        const renewed = await renewLease(nats.leases, held.lease, this.options.leaseMs ?? LEASE_MS);
        if (!renewed) await this.drop(scanner, 'lease lost', false);
        else held.lease = renewed;
      }
      const share = Math.min(this.options.maxScanners ?? Infinity, Math.ceil(scanners.length / Math.max(1, workers)));
      for (const scanner of this.scanners) if (!scanners.includes(scanner)) await this.drop(scanner, 'scanner gone', true);
      // Above the fair share (a worker joined): give back the last taken, one per tick.
      if (this.held.size > share) await this.drop(this.scanners.at(-1)!, `rebalancing to ${share} per worker`, true);
      // Free scanners, starting at one that depends on the worker id, so workers do not all race for the same one.
      const offset = [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 0);
      for (let i = 0; i < scanners.length && this.held.size < share; i++) {
        const scanner = scanners[(i + offset) % scanners.length]!;
        if (this.held.has(scanner)) continue;
        const lease = await acquireLease(nats.leases, scanner, id, this.options.leaseMs ?? LEASE_MS);
        if (lease) await this.take(lease);
      }
    } catch (err) {
      this.log(`tick failed: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  /** Workers that wrote their entry within three ticks (a killed one stops counting within 1.5 s, long before
   * its entry expires from the bucket), this one included. */
  private async liveWorkers(): Promise<number> {
    const { workers } = this.options.nats;
    const horizon = 3 * (this.options.tickMs ?? 500);
    const entries = await Promise.all((await liveKeys(workers)).map((key) => workers.get(key).catch(() => null)));
    const live = entries.filter((e) => e && e.operation === 'PUT' && Date.now() - (e.json() as { at: number }).at < horizon);
    return Math.max(1, live.length);
  }

  private async take(lease: HeldLease): Promise<void> {
    const { nats, model } = this.options;
    const { scanner } = lease;
    const saved = await nats.sessions.get(scanner).catch(() => null);
    const settings = saved && saved.operation === 'PUT' ? (saved.json() as { mode?: string; tracked?: string[] }) : {};
    const session = new SegmentationSession(model, { classes: settings.tracked ?? this.options.classes ?? [model.manifest.classes[0]!] });
    if (settings.mode) session.setMode(settings.mode);
    const consumer = await nats.js.consumers.get(FRAMES_STREAM, {
      filter_subjects: subjects.frames(scanner),
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const messages = await consumer.consume({ max_messages: 4 });
    const control = nats.nc.subscribe(subjects.control(scanner), {
      callback: (err, msg) => {
        if (err) return;
        void this.control(scanner, msg.data).then((reply) => msg.respond(JSON.stringify(reply)));
      },
    });
    const held: Held = { lease, session, crop: roiCropper(this.options.roi ?? 'auto'), messages, control, pending: null, lastIndex: -1, processed: 0, missed: 0, closed: false };
    this.held.set(scanner, held);
    if (lease.previous?.released) {
      this.log(`scanner ${scanner}: handed over by worker ${lease.previous.worker}; memory starts afresh`);
    } else if (lease.previous) {
      this.takeovers++;
      this.log(`scanner ${scanner}: taken over from worker ${lease.previous.worker} (its lease expired ${lease.previous.expiredMsAgo} ms ago); memory starts afresh`);
    } else {
      this.log(`scanner ${scanner}: taken`);
    }
    void (async () => {
      for await (const m of messages) {
        if (held.closed) break;
        try {
          const frame = readFrameMessage(m.data);
          if (held.pending) this.countMissed(scanner, held, 1);
          held.pending = frame;
          this.pump();
        } catch (err) {
          this.log(`scanner ${scanner}: bad frame message (${(err as Error).message})`);
        }
      }
    })().catch((err: Error) => this.log(`scanner ${scanner}: frames stopped (${err.message})`));
  }

  private countMissed(scanner: string, held: Held, n: number): void {
    held.missed += n;
    this.missed[scanner] = (this.missed[scanner] ?? 0) + n;
  }

  private async drop(scanner: string, why: string, release: boolean): Promise<void> {
    const held = this.held.get(scanner);
    if (!held) return;
    held.closed = true;
    this.held.delete(scanner);
    held.control.unsubscribe();
    await held.messages.close().catch(() => {});
    if (release) await releaseLease(this.options.nats.leases, held.lease);
    this.log(`scanner ${scanner}: released (${why}; ${held.processed} frames segmented, ${held.missed} missed)`);
  }

  /** One frame in the model at a time; scanners take turns. */
  private pump(): void {
    if (this.busy || this.stopped) return;
    const ready = [...this.held.values()].filter((h) => h.pending);
    if (ready.length === 0) return;
    const held = ready[this.turn++ % ready.length]!;
    const received = held.pending!;
    held.pending = null;
    this.busy = true;
    void this.segment(held, received)
      .catch((err: Error) => this.log(`scanner ${held.lease.scanner}: frame ${received.header.index} failed (${err.message})`))
      .finally(() => {
        this.busy = false;
        setImmediate(() => this.pump());
      });
  }

  private async segment(held: Held, received: ReceivedFrame): Promise<void> {
    const { scanner } = held.lease;
    const frame = held.crop(await received.decode());
    if (held.lastIndex >= 0 && frame.index > held.lastIndex + 1) this.countMissed(scanner, held, frame.index - held.lastIndex - 1);
    held.lastIndex = frame.index;
    const result = await held.session.process(frame);
    // Fencing: never publish on a lease that may have expired meanwhile (another worker may hold it now).
    if (held.closed || Date.now() > held.lease.expiresAt - GUARD_MS) return;
    const { session } = held;
    const message = encodeResultMessage(received, result, {
      worker: this.options.id,
      leaseSince: held.lease.since,
      ...(held.lease.previous ? { previous: { worker: held.lease.previous.worker, released: held.lease.previous.released } } : {}),
      session: { mode: session.mode, classes: [...this.options.model.manifest.classes], tracked: session.classes },
      model: this.options.modelInfo,
    });
    this.options.nats.nc.publish(subjects.results(scanner), message);
    held.processed++;
    this.processed[scanner] = (this.processed[scanner] ?? 0) + 1;
  }

  /** A control message for a held scanner: the same schemas and replies as the single-process server. */
  private async control(scanner: string, data: Uint8Array): Promise<{ ok: boolean; message: string }> {
    const held = this.held.get(scanner);
    if (!held) return { ok: false, message: `worker ${this.options.id} no longer holds scanner ${scanner}` };
    const { session } = held;
    try {
      const message = JSON.parse(new TextDecoder().decode(data)) as { type: string };
      let reply: string;
      switch (message.type) {
        case 'mode':
          session.setMode(controlFields('mode', message).mode);
          reply = `mode ${session.mode}`;
          break;
        case 'class': {
          const { action, className } = controlFields('class', message);
          if (action === 'disable') session.disableClass(className);
          else session.enableClass(className);
          reply = `tracking ${session.classes.join(', ')}`;
          break;
        }
        case 'prompt': {
          const prompt = controlFields('prompt', message);
          if (session.mode === 'auto') return { ok: true, message: 'ignored: prompts are not used in auto mode (switch to semi or manual)' };
          session.addPrompt(prompt);
          reply = `prompt queued for frame ${prompt.frame}`;
          break;
        }
        case 'clear': {
          const { className } = controlFields('clear', message);
          session.clear(className);
          reply = className ? `cleared ${className}` : 'cleared all classes';
          break;
        }
        default:
          return { ok: false, message: `unknown control type '${message.type}'` };
      }
      // Saved for the next holder; the reply does not wait for it.
      void this.options.nats.sessions.put(scanner, JSON.stringify({ mode: session.mode, tracked: session.classes })).catch(() => {});
      return { ok: true, message: `${reply} (worker ${this.options.id})` };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }
}
