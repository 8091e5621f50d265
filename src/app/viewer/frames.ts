// Frame messages as the viewer keeps them: compressed (protocol version 2: a JPEG decoded with
// createImageBitmap, the class map from its label runs) or raw (version 1: grey bytes and class map, from
// a server that does not know `subscribe`). Either way `header` and `classMap` are at the frame's size; a
// compressed frame keeps its label runs, which the overlay samples from, and expands them to a class map
// only when something asks for the whole map.
import { decodeCompressedFrame, expandLabelRuns, type LabelRuns, parseLabelRuns } from '../server/compressed-frame.js';
import { decodeFrameMessage, type FrameHeader } from '../server/wire-format.js';

export class ViewerFrame {
  private greyValues: Uint8Array | null;
  private classValues: Uint8Array | null;
  /** Compressed frames: the class map's label runs (checked to cover the frame). */
  readonly runs: LabelRuns | null;

  constructor(
    readonly header: FrameHeader,
    /** width * height class values (frame pixels, as the server segmented them), or their runs. */
    labels: Uint8Array | LabelRuns,
    /** Compressed frames: the decoded image, at the size the server sent (closed once off screen). */
    readonly image: ImageBitmap | null,
    grey: Uint8Array | null,
    /** Size of the message on the wire. */
    readonly bytes: number,
    /** performance.now() when the message arrived. */
    readonly receivedAt: number,
  ) {
    this.greyValues = grey;
    this.classValues = labels instanceof Uint8Array ? labels : null;
    this.runs = labels instanceof Uint8Array ? null : labels;
  }

  /** width * height class values (frame pixels, as the server segmented them). */
  get classMap(): Uint8Array {
    this.classValues ??= expandLabelRuns(this.runs!, new Uint8Array(this.header.width * this.header.height));
    return this.classValues;
  }

  /** The class value at frame pixel `i` (for the cursor readout: a compressed frame's runs are searched,
   * not expanded for one pixel). */
  labelAt(i: number): number {
    if (!this.runs) return this.classMap[i]!;
    const { ends, values, count } = this.runs;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! <= i) lo = mid + 1;
      else hi = mid;
    }
    return values[lo]!;
  }

  /** width * height grey values at the frame's size: a raw frame's own bytes; for a compressed frame the
   * decoded image, scaled to the frame's size (computed on first use, while the image is still open). */
  get grey(): Uint8Array | null {
    if (this.greyValues || !this.image) return this.greyValues;
    const { width, height } = this.header;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    try {
      ctx.drawImage(this.image, 0, 0, width, height);
    } catch {
      return null; // closed
    }
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const grey = new Uint8Array(width * height);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4]!;
    this.greyValues = grey;
    return grey;
  }
}

/** Decode one binary frame message of either version. */
export async function decodeViewerFrame(buffer: ArrayBuffer, receivedAt: number): Promise<ViewerFrame> {
  const message = new Uint8Array(buffer);
  const version = headerVersion(message);
  if (version === 1) {
    const { header, grey, classMap } = decodeFrameMessage(message);
    return new ViewerFrame(header, classMap, null, grey, buffer.byteLength, receivedAt);
  }
  const { header, image, mask } = decodeCompressedFrame(message);
  const runs = parseLabelRuns(mask, header.width * header.height);
  // A view into the message's own ArrayBuffer (never shared memory).
  const bitmap = await createImageBitmap(new Blob([image as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
  return new ViewerFrame(header, runs, bitmap, null, buffer.byteLength, receivedAt);
}

/** Free what a frame holds outside the JavaScript heap (its decoded image). */
export function releaseFrame(frame: ViewerFrame | null): void {
  frame?.image?.close();
}

/** The `version` of the header (1 when absent), read without decoding the payload. */
function headerVersion(message: Uint8Array): number {
  const length = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(0, true);
  const head = new TextDecoder().decode(message.subarray(4, 4 + Math.min(length, 64)));
  const match = /"version":(\d+)/.exec(head);
  return match ? Number(match[1]) : 1;
}

/** The size the canvas holds a frame at: the image's for compressed frames, the frame's for raw ones. */
export function pictureSize(frame: ViewerFrame): { width: number; height: number } {
  return frame.image ? { width: frame.image.width, height: frame.image.height } : { width: frame.header.width, height: frame.header.height };
}
