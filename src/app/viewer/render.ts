// Drawing: the frame with its class overlay (the shared kernel in src/core/frames/overlay-blend.ts, as in
// recordings) is rendered once per frame into an off-screen canvas; the visible canvas is that plus the
// marks (ROI, prompt markers, the gesture in progress), so a gesture redraws cheaply. One pass per
// animation frame, only when something changed.
import { blendOverlay } from '../../core/frames/overlay-blend.js';
import type { DecodedFrameMessage } from '../server/wire-format.js';
import { displayScale } from './coords.js';
import { context2d, type Ui } from './dom.js';
import { drawGesture, drawPrompts, drawRoi } from './markers.js';
import type { PromptHistory } from './prompts.js';
import { valueOf, type ViewerState } from './state.js';

export type OverlayStyle = 'fill' | 'contour';

/** Grey frame with the class map on top (solid outline; fill at `opacity` in 'fill' style; opacity 0: none). */
export function drawFrame(ctx: CanvasRenderingContext2D, frame: DecodedFrameMessage, opacity: number, style: OverlayStyle): void {
  const { width, height } = frame.header;
  const image = ctx.createImageData(width, height);
  const layers = opacity === 0 ? [] : [{ labels: frame.classMap, fill: style === 'fill' ? opacity : 0, outline: true }];
  blendOverlay(frame.grey, width, height, layers, { data: image.data, channels: 4 });
  ctx.putImageData(image, 0, 0);
}

export class Renderer {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly base = document.createElement('canvas');
  private readonly baseCtx = context2d(this.base);

  constructor(
    private readonly ui: Pick<Ui, 'canvas' | 'opacity' | 'renderMode' | 'showRoi' | 'body'>,
    private readonly state: ViewerState,
    private readonly history: PromptHistory,
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
    if (state.frameDirty && state.frame) {
      // Frozen: keep showing the same frame (only redraw it, e.g. for an opacity change).
      const frame = state.frozen && state.displayed ? state.displayed : state.frame;
      const { width, height } = frame.header;
      for (const canvas of [ui.canvas, this.base]) {
        if (canvas.width !== width || canvas.height !== height) {
          canvas.width = width;
          canvas.height = height;
        }
      }
      drawFrame(this.baseCtx, frame, Number(ui.opacity.value), ui.renderMode.value === 'contour' ? 'contour' : 'fill');
      if (state.displayed !== frame) {
        state.displayed = frame;
        ui.body.frameIndex = String(frame.header.index);
        const roi = frame.header.roi;
        ui.body.roi = roi ? `${roi.x},${roi.y},${roi.width},${roi.height}` : '';
      }
      state.frameDirty = false;
      state.overlayDirty = true;
    }
    if (state.overlayDirty && state.displayed) this.drawMarks(state.displayed);
  }

  private drawMarks(displayed: DecodedFrameMessage): void {
    const { ctx, state, ui } = this;
    ctx.drawImage(this.base, 0, 0);
    const unit = 1 / displayScale(ui.canvas);
    if (ui.showRoi.checked && displayed.header.roi) drawRoi(ctx, displayed.header.roi, unit);
    const markers = this.history
      .visible(state.framesReceived, state.frozen ? displayed.header.index : undefined)
      .map((a) => ({ ...a, value: valueOf(state, a.className) }));
    drawPrompts(ctx, markers, unit);
    ui.body.pendingPrompts = String(markers.length);
    const g = state.gesture;
    if (g && (g.tool === 'brush' || g.dragged)) {
      drawGesture(ctx, { kind: g.tool === 'brush' ? 'stroke' : 'box', negative: g.negative, points: g.stroke }, unit);
    }
    state.overlayDirty = false;
  }
}
