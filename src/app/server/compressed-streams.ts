/**
 * The compressed stream (protocol version 2, compressed-frame.ts) for the clients that subscribed to it.
 * Each frame is encoded once for all of them: the class map once as label runs, the image once per size
 * and quality in use (JPEG through sharp, on libvips' threads, so the event loop is free meanwhile).
 *
 * One frame is encoded at a time; a frame published meanwhile waits, and a newer one replaces it (the
 * replaced frame is counted as skipped for each subscriber), so encoding never builds a queue. A client
 * that falls behind (its previous frame still unwritten) steps down a quality level (QUALITY_LEVELS)
 * before frames are skipped for it; one that keeps up for a second steps back up.
 */
import sharp from 'sharp';
import type { SegmentedFrame } from '../../core/frames/frame.js';
import type { ClientChannel } from './client-channel.js';
import {
  QUALITY_LEVELS,
  compressedFrameHeader,
  encodeCompressedFrame,
  encodeLabelRuns,
  imageVariant,
  type StreamRequest,
} from './compressed-frame.js';

// Raw inputs change every frame: libvips' operation cache would only hold on to them.
sharp.cache(false);

/** Offers that find a client's queue empty before it steps back up a level (~1 s at 30 fps). */
const STEP_UP_AFTER = 30;

interface Subscriber {
  readonly channel: ClientChannel;
  request: StreamRequest;
  level: number;
  /** Consecutive offers that found the client idle. */
  idle: number;
}

/** Encodes `grey` (width x height) as a greyscale JPEG of `target` size and quality. */
export async function encodeJpeg(
  grey: Uint8Array,
  width: number,
  height: number,
  target: { readonly width: number; readonly height: number; readonly quality: number },
): Promise<Buffer> {
  let image = sharp(grey, { raw: { width, height, channels: 1 } });
  if (target.width !== width || target.height !== height) image = image.resize(target.width, target.height, { fit: 'fill', kernel: 'linear' });
  return image.toColourspace('b-w').jpeg({ quality: target.quality }).toBuffer();
}

export class CompressedStreams {
  private readonly subscribers = new Map<number, Subscriber>();
  private encoding = false;
  private waiting: SegmentedFrame | null = null;

  constructor(private readonly log: (message: string) => void) {}

  get size(): number {
    return this.subscribers.size;
  }

  has(clientId: number): boolean {
    return this.subscribers.has(clientId);
  }

  /** Start (or change) a client's compressed stream; it then receives no raw frames. */
  subscribe(channel: ClientChannel, request: StreamRequest): void {
    const existing = this.subscribers.get(channel.id);
    if (existing) {
      existing.request = request;
      existing.level = 0;
      existing.idle = 0;
    } else {
      this.subscribers.set(channel.id, { channel, request, level: 0, idle: 0 });
    }
  }

  remove(clientId: number): void {
    this.subscribers.delete(clientId);
  }

  /** The quality level a client is at now (0 = what it asked for). */
  level(clientId: number): number | undefined {
    return this.subscribers.get(clientId)?.level;
  }

  /** Encode and send `frame` (stamped `sent` by the server; restamped when the message is handed over). */
  publish(frame: SegmentedFrame): void {
    if (this.subscribers.size === 0) return;
    const pixels = frame.width * frame.height;
    if (frame.data.length !== pixels || frame.classMap.length !== pixels) {
      throw new Error(
        `frame ${frame.index}: expected ${pixels} bytes of image and class map for ${frame.width}x${frame.height}, ` +
          `got ${frame.data.length} and ${frame.classMap.length}`,
      );
    }
    if (this.encoding) {
      if (this.waiting) for (const s of this.subscribers.values()) s.channel.skip();
      this.waiting = frame;
      return;
    }
    this.encoding = true;
    void this.encode(frame)
      .catch((err: unknown) => this.log(`frame ${frame.index} not compressed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.encoding = false;
        const next = this.waiting;
        this.waiting = null;
        if (next) this.publish(next);
      });
  }

  private async encode(frame: SegmentedFrame): Promise<void> {
    // Who gets this frame, at which size and quality: a client whose queue is full skips it; one whose
    // previous frame is still being written steps down a level first.
    const groups = new Map<string, { target: ReturnType<typeof imageVariant>; subscribers: Subscriber[] }>();
    for (const s of this.subscribers.values()) {
      const load = s.channel.load();
      if (!load.open) continue;
      if (!load.room) {
        s.level = QUALITY_LEVELS.length - 1;
        s.idle = 0;
        s.channel.skip();
        continue;
      }
      if (load.busy) {
        s.level = Math.min(s.level + 1, QUALITY_LEVELS.length - 1);
        s.idle = 0;
      } else if (++s.idle >= STEP_UP_AFTER && s.level > 0) {
        s.level--;
        s.idle = 0;
      }
      const target = imageVariant(frame.width, frame.height, s.request, s.level);
      const key = `${target.width}x${target.height}q${target.quality}`;
      const group = groups.get(key) ?? { target, subscribers: [] };
      group.subscribers.push(s);
      groups.set(key, group);
    }
    if (groups.size === 0) return;
    // The runs live in a scratch buffer until copied into the messages below: copy once now, since the
    // encodes yield to other frames' work in between.
    const mask = Uint8Array.from(encodeLabelRuns(frame.classMap));
    await Promise.all(
      [...groups.values()].map(async ({ target, subscribers }) => {
        const jpeg = await encodeJpeg(frame.data, frame.width, frame.height, target);
        const sent = { ...frame, timestamps: { ...frame.timestamps, sent: performance.now() } };
        const header = compressedFrameHeader(sent, { width: target.width, height: target.height, quality: target.quality, bytes: jpeg.length }, mask.length);
        const message = encodeCompressedFrame(header, jpeg, mask, (bytes) => Buffer.allocUnsafe(bytes));
        for (const s of subscribers) s.channel.offerFrame(message);
      }),
    );
  }
}
