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

/**
 * Inverse of canvasToFrame: the client (page) position of frame pixel (x, y).
 * @param {HTMLCanvasElement} canvas
 * @param {number} x frame pixels
 * @param {number} y frame pixels
 * @returns {{ clientX: number, clientY: number }}
 */
export function frameToClient(canvas, x, y) {
  const rect = canvas.getBoundingClientRect();
  const scale = Math.min(rect.width / canvas.width, rect.height / canvas.height);
  const offsetX = (rect.width - canvas.width * scale) / 2;
  const offsetY = (rect.height - canvas.height * scale) / 2;
  return { clientX: rect.left + offsetX + x * scale, clientY: rect.top + offsetY + y * scale };
}

/** CSS pixels per frame pixel (for sizing gestures and markers on screen). */
export function displayScale(canvas) {
  const rect = canvas.getBoundingClientRect();
  return Math.min(rect.width / canvas.width, rect.height / canvas.height) || 1;
}
