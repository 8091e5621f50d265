// Drawing: the frame with its class overlay (the shared kernel in src/core/frames/overlay-blend.ts, as in
// recordings) is rendered once per frame into an off-screen canvas; the visible canvas is that plus the
// marks (ROI, head ellipses and the calibration clicks, prompt markers, the gesture in progress), so a
// gesture redraws cheaply. One pass per animation frame, only when something changed.
//
// The canvas holds the picture at the size it came in (a compressed frame's image may be smaller than the
// frame); the class map is sampled down to it (a compressed frame's straight from its label runs,
// src/app/viewer/label-sampling.ts), and marks are drawn in frame pixels through a transform.
import { blendOverlay } from '../../core/frames/overlay-blend.js';
import { sampleClassMap, SampleScratch, sampleLabelRuns } from './label-sampling.js';
import type { BiometryView } from './biometry.js';
import { displayScale, setFrameSize } from './coords.js';
import { context2d, type Ui } from './dom.js';
import { pictureSize, releaseFrame, type ViewerFrame } from './frames.js';
import { drawGesture, drawPrompts, drawRoi } from './markers.js';
import type { PromptHistory } from './prompts.js';
import { valueOf, type ViewerState } from './state.js';

export type OverlayStyle = 'fill' | 'contour';

export interface OverlayOptions {
  /** Fill opacity in 'fill' style; 0: no overlay at all. */
  readonly opacity: number;
  readonly style: OverlayStyle;
  /** Class values not drawn (hidden on screen; still segmented). */
  readonly hidden: ReadonlySet<number>;
}

/** Scratch buffers reused from frame to frame (same-sized frames are the rule): the sampled labels, and
 * the overlay's patch (grey values and labels). */
export class Scratch extends SampleScratch {
  patch = new Uint8Array(0);
  grey = new Uint8Array(0);

  patchSized(pixels: number): void {
    if (this.patch.length < pixels) {
      this.patch = new Uint8Array(pixels);
      this.grey = new Uint8Array(pixels);
    }
  }
}

/**
 * Draw `frame` with its overlay into `ctx` (a canvas of the frame's picture size). Compressed frames: the
 * decoded image, then the kernel over the part of it the classes cover (read back, blended, put back).
 * Raw frames: the kernel over the whole grey frame.
 */
export function drawFrame(ctx: CanvasRenderingContext2D, frame: ViewerFrame, overlay: OverlayOptions, scratch: Scratch): void {
  const { width, height } = pictureSize(frame);
  const fill = overlay.style === 'fill' ? overlay.opacity : 0;
  if (!frame.image) {
    const image = ctx.createImageData(width, height);
    let labels = frame.classMap;
    if (overlay.hidden.size > 0) {
      sampleClassMap(frame.classMap, width, height, width, height, overlay.hidden, scratch);
      labels = scratch.labels;
    }
    const layers = overlay.opacity === 0 ? [] : [{ labels, fill, outline: true }];
    blendOverlay(frame.grey!, width, height, layers, { data: image.data, channels: 4 });
    ctx.putImageData(image, 0, 0);
    return;
  }
  ctx.drawImage(frame.image, 0, 0);
  if (overlay.opacity === 0) return;
  // A compressed frame (it has an image) always has its label runs.
  const [bx0, by0, bx1, by1] = sampleLabelRuns(frame.runs!, frame.header.width, frame.header.height, width, height, overlay.hidden, scratch);
  if (bx1 <= bx0) return;
  // One pixel of margin, so that no labelled pixel lies on the patch's edge unless it is on the frame's
  // (the kernel outlines labels on its edges).
  const x0 = Math.max(0, bx0 - 1);
  const y0 = Math.max(0, by0 - 1);
  const w = Math.min(width, bx1 + 1) - x0;
  const h = Math.min(height, by1 + 1) - y0;
  const patch = ctx.getImageData(x0, y0, w, h);
  scratch.patchSized(w * h);
  const grey = scratch.grey.subarray(0, w * h);
  const labels = scratch.patch.subarray(0, w * h);
  for (let y = 0; y < h; y++) {
    labels.set(scratch.labels.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), y * w);
    for (let x = 0; x < w; x++) grey[y * w + x] = patch.data[(y * w + x) * 4]!;
  }
  blendOverlay(grey, w, h, [{ labels, fill, outline: true }], { data: patch.data, channels: 4 });
  ctx.putImageData(patch, x0, y0);
}

export class Renderer {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly base = document.createElement('canvas');
  private readonly baseCtx = context2d(this.base, { willReadFrequently: true });
  private readonly scratch = new Scratch();

  constructor(
    private readonly ui: Pick<Ui, 'canvas' | 'opacity' | 'renderMode' | 'showRoi' | 'body'>,
    private readonly state: ViewerState,
    private readonly history: PromptHistory,
    private readonly biometry: BiometryView,
    /** Called when a new frame is put on screen, with the animation frame's time. */
    private readonly onPaint: (frame: ViewerFrame, at: number) => void = () => {},
  ) {
    this.ctx = context2d(ui.canvas);
    const redraw = (): void => {
      state.frameDirty = true;
    };
    ui.opacity.addEventListener('input', redraw);
    ui.renderMode.addEventListener('change', redraw);
    ui.showRoi.addEventListener('change', redraw);
  }

  /** Draw from the next animation frame on, forever. */
  start(): void {
    const loop = (): void => {
      this.render();
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  private render(): void {
    const { state, ui } = this;
    let painted: ViewerFrame | null = null;
    if (state.frameDirty && state.frame) {
      // Frozen: keep showing the same frame (only redraw it, e.g. for an opacity change), or the one
      // stepped to.
      const frame = state.frozen ? (state.pinned ?? state.displayed ?? state.frame) : state.frame;
      const { width, height } = pictureSize(frame);
      for (const canvas of [ui.canvas, this.base]) {
        if (canvas.width !== width || canvas.height !== height) {
          canvas.width = width;
          canvas.height = height;
        }
      }
      setFrameSize(ui.canvas, frame.header.width, frame.header.height);
      const overlay = {
        opacity: Number(ui.opacity.value),
        style: ui.renderMode.value === 'contour' ? 'contour' : 'fill',
        hidden: state.hidden,
      } as const;
      drawFrame(this.baseCtx, frame, overlay, this.scratch);
      if (state.displayed !== frame) {
        const previous = state.displayed;
        state.displayed = frame;
        if (previous !== state.frame && previous !== state.pinned) releaseFrame(previous);
        ui.body.frameIndex = String(frame.header.index);
        const roi = frame.header.roi;
        ui.body.roi = roi ? `${roi.x},${roi.y},${roi.width},${roi.height}` : '';
        painted = frame;
      }
      state.frameDirty = false;
      state.overlayDirty = true;
    }
    if (state.overlayDirty && state.displayed) this.drawMarks(state.displayed);
    // After the drawing: the time the frame is on the canvas (the compositor shows it next).
    if (painted) this.onPaint(painted, performance.now());
  }

  private drawMarks(displayed: ViewerFrame): void {
    const { ctx, state, ui } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.base, 0, 0);
    // Marks are in frame pixels; the canvas may hold a smaller picture.
    ctx.setTransform(ui.canvas.width / displayed.header.width, 0, 0, ui.canvas.height / displayed.header.height, 0, 0);
    const unit = 1 / displayScale(ui.canvas);
    if (ui.showRoi.checked && displayed.header.roi) drawRoi(ctx, displayed.header.roi, unit);
    this.biometry.draw(ctx, displayed, state.hidden, unit);
    const markers = this.history
      .visible(state.framesReceived, state.frozen ? displayed.header.index : undefined)
      .map((a) => ({ ...a, value: valueOf(state, a.className) }));
    drawPrompts(ctx, markers, unit);
    ui.body.pendingPrompts = String(markers.length);
    const g = state.gesture;
    if (g && (g.tool === 'brush' || g.dragged)) {
      drawGesture(ctx, { kind: g.tool === 'brush' ? 'stroke' : 'box', negative: g.negative, points: g.stroke }, unit);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    state.overlayDirty = false;
  }
}
