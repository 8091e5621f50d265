// Canvas ↔ frame coordinates. The canvas's intrinsic size is the frame size; CSS scales it with
// `object-fit: contain`, so the frame may be letterboxed inside the element's box.

/**
 * Map a pointer position (clientX/clientY) to frame pixel coordinates.
 * @param {HTMLCanvasElement} canvas
 * @param {number} clientX
 * @param {number} clientY
 * @returns {{ x: number, y: number, inside: boolean }} x/y in frame pixels (fractional)
 */
export function canvasToFrame(canvas, clientX, clientY) {
  const rect = canvas.getBoundingClientRect();
  const scale = Math.min(rect.width / canvas.width, rect.height / canvas.height);
  const offsetX = (rect.width - canvas.width * scale) / 2;
  const offsetY = (rect.height - canvas.height * scale) / 2;
  const x = (clientX - rect.left - offsetX) / scale;
  const y = (clientY - rect.top - offsetY) / scale;
  return { x, y, inside: x >= 0 && y >= 0 && x < canvas.width && y < canvas.height };
}
