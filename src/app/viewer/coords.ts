// Canvas ↔ frame coordinates. The canvas's intrinsic size is the frame size; CSS scales it with
// `object-fit: contain`, so the frame may be letterboxed inside the element's box.

export interface FramePoint {
  readonly x: number;
  readonly y: number;
}

/** Where the frame sits on the page: its top-left corner in client pixels and CSS pixels per frame pixel. */
function fit(canvas: HTMLCanvasElement): { left: number; top: number; scale: number } {
  const rect = canvas.getBoundingClientRect();
  const scale = Math.min(rect.width / canvas.width, rect.height / canvas.height);
  return {
    left: rect.left + (rect.width - canvas.width * scale) / 2,
    top: rect.top + (rect.height - canvas.height * scale) / 2,
    scale,
  };
}

/** Map a pointer position (clientX/clientY) to frame pixel coordinates (fractional). */
export function canvasToFrame(canvas: HTMLCanvasElement, clientX: number, clientY: number): FramePoint & { inside: boolean } {
  const { left, top, scale } = fit(canvas);
  const x = (clientX - left) / scale;
  const y = (clientY - top) / scale;
  return { x, y, inside: x >= 0 && y >= 0 && x < canvas.width && y < canvas.height };
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
