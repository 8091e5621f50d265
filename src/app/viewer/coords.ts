// Canvas ↔ frame coordinates. The canvas holds the frame's picture, maybe smaller than the frame (a
// compressed frame's image); CSS scales it with `object-fit: contain`, so the frame may be letterboxed
// inside the element's box. Positions are in frame pixels either way.

export interface FramePoint {
  readonly x: number;
  readonly y: number;
}

const frameSizes = new WeakMap<HTMLCanvasElement, { width: number; height: number }>();

/** The frame size the canvas's picture stands for (the renderer sets it with each frame it draws). */
export function setFrameSize(canvas: HTMLCanvasElement, width: number, height: number): void {
  const size = frameSizes.get(canvas);
  if (size?.width !== width || size.height !== height) frameSizes.set(canvas, { width, height });
}

function frameSize(canvas: HTMLCanvasElement): { width: number; height: number } {
  return frameSizes.get(canvas) ?? { width: canvas.width, height: canvas.height };
}

/** Where the frame sits on the page: its top-left corner in client pixels and CSS pixels per frame pixel. */
function fit(canvas: HTMLCanvasElement): { left: number; top: number; scale: number } {
  const rect = canvas.getBoundingClientRect();
  // The picture keeps the frame's aspect ratio, so the letterbox is the same in frame pixels.
  const { width, height } = frameSize(canvas);
  const scale = Math.min(rect.width / width, rect.height / height);
  return {
    left: rect.left + (rect.width - width * scale) / 2,
    top: rect.top + (rect.height - height * scale) / 2,
    scale,
  };
}

/** Map a pointer position (clientX/clientY) to frame pixel coordinates (fractional). */
export function canvasToFrame(canvas: HTMLCanvasElement, clientX: number, clientY: number): FramePoint & { inside: boolean } {
  const { left, top, scale } = fit(canvas);
  const x = (clientX - left) / scale;
  const y = (clientY - top) / scale;
  const { width, height } = frameSize(canvas);
  return { x, y, inside: x >= 0 && y >= 0 && x < width && y < height };
}

/** Inverse of canvasToFrame: the client (page) position of frame pixel (x, y). */
export function frameToClient(canvas: HTMLCanvasElement, x: number, y: number): { clientX: number; clientY: number } {
  const { left, top, scale } = fit(canvas);
  return { clientX: left + x * scale, clientY: top + y * scale };
}

/** CSS pixels per frame pixel (for sizing gestures and markers on screen). */
export function displayScale(canvas: HTMLCanvasElement): number {
  return fit(canvas).scale || 1;
}
