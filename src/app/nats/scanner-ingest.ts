/**
 * `sam2rad ingest`: one scanner's source -> encoded frames on `scanners.<ID>.frames` (JetStream stream
 * SAM2RAD_FRAMES, whose limits drop what is older than a few seconds). One frame is encoded and published
 * at a time; a frame arriving meanwhile waits and a newer one replaces it (counted as missed), so a slow
 * link or server never builds a queue here. The scanner is registered in the `sam2rad-scanners` bucket
 * (renewed every 2 s with its counts) so workers and serve find it.
 */
import type { Subscription } from 'rxjs';
import type { Frame } from '../../core/frames/frame.js';
import type { Source } from '../../core/contracts/source.js';
import { subjects, type Nats } from './jetstream-setup.js';
import { encodeFrameMessage, type ImageFormat } from './frame-messages.js';

export interface IngestOptions {
  readonly nats: Nats;
  readonly scanner: string;
  readonly source: Source;
  readonly format?: ImageFormat;
  readonly quality?: number;
  readonly log?: (line: string) => void;
}

export interface IngestCounters {
  readonly published: number;
  /** Frames replaced while the previous one was being encoded/published, or whose publish failed. */
  readonly missed: number;
  readonly bytes: number;
}

export class ScannerIngest {
  private published = 0;
  private missed = 0;
  private bytes = 0;
  private sending = false;
  private waiting: Frame | null = null;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;
  private ended: Promise<void> = Promise.resolve();

  constructor(private readonly options: IngestOptions) {
    this.log = options.log ?? ((line) => console.error(`[ingest ${options.scanner}] ${line}`));
  }

  counters(): IngestCounters {
    return { published: this.published, missed: this.missed, bytes: this.bytes };
  }

  /** Resolves when the source ends (a file without --loop) or fails. */
  get done(): Promise<void> {
    return this.ended;
  }

  async start(): Promise<void> {
    await this.register();
    this.timer = setInterval(() => void this.register(), 2000);
    this.ended = new Promise((resolve) => {
      this.subscription = this.options.source.frames.subscribe({
        next: (frame) => this.offer(frame),
        error: (err: Error) => {
          this.log(`source stopped: ${err.message}`);
          resolve();
        },
        complete: () => resolve(),
      });
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
    await this.options.nats.scanners.delete(this.options.scanner).catch(() => {});
  }

  private register(): Promise<unknown> {
    const { source, scanner, nats } = this.options;
    const entry = { scanner, uri: source.uri, kind: source.kind, fps: source.info.fps ?? null, state: source.status.state, ...this.counters(), at: Date.now() };
    return nats.scanners.put(scanner, JSON.stringify(entry)).catch((err: Error) => this.log(`not registered: ${err.message}`));
  }

  private offer(frame: Frame): void {
    if (this.sending) {
      if (this.waiting) this.missed++;
      this.waiting = frame;
      return;
    }
    this.sending = true;
    void this.send(frame).finally(() => {
      this.sending = false;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.offer(next);
    });
  }

  private async send(frame: Frame): Promise<void> {
    const { nats, scanner, source } = this.options;
    try {
      const message = await encodeFrameMessage(scanner, frame, this.options.format ?? 'jpeg', source.info.fps, this.options.quality);
      await nats.js.publish(subjects.frames(scanner), message);
      this.published++;
      this.bytes += message.length;
    } catch (err) {
      this.missed++;
      this.log(`frame ${frame.index} not published: ${(err as Error).message}`);
    }
  }
}
