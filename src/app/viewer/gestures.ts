// Gestures on the canvas and keyboard shortcuts: a press, drag or brush stroke becomes a prompt action on
// the frame on screen when it started (docs/protocol.md, "Viewer prompt tools"); the pointer readout
// under the canvas (#cursor) names the pixel under the pointer.
import { canvasToFrame } from './coords.js';
import type { Ui } from './dom.js';
import type { MessageLog } from './log.js';
import type { PromptTools } from './prompt-tools.js';
import { DRAG_THRESHOLD_PX, gestureToAction } from './prompts.js';
import type { ViewerState } from './state.js';

export function attachGestures(
  ui: Pick<Ui, 'canvas' | 'cursor' | 'hint'>,
  state: ViewerState,
  tools: PromptTools,
  log: MessageLog,
): void {
  const { canvas } = ui;

  canvas.addEventListener('contextmenu', (event) => event.preventDefault());

  canvas.addEventListener('pointerdown', (event) => {
    if ((event.button !== 0 && event.button !== 2) || !state.displayed) return;
    const { x, y, inside } = canvasToFrame(canvas, event.clientX, event.clientY);
    if (!inside) return;
    if (state.mode !== 'semi' && state.mode !== 'manual') {
      log.reply('Auto mode ignores prompts: switch the mode to Semi or Manual to draw them.', true);
      ui.hint.classList.remove('flash');
      void ui.hint.offsetWidth; // restart the animation
      ui.hint.classList.add('flash');
      return;
    }
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    const { width, height, index } = state.displayed.header;
    state.gesture = {
      pointerId: event.pointerId,
      tool: state.tool,
      negative: event.shiftKey || event.button === 2,
      frame: index,
      width,
      height,
      start: { x: event.clientX, y: event.clientY },
      stroke: [{ x, y }],
      dragged: false,
    };
  });

  canvas.addEventListener('pointermove', (event) => {
    const g = state.gesture;
    if (g && event.pointerId === g.pointerId) {
      const { x, y } = canvasToFrame(canvas, event.clientX, event.clientY);
      g.stroke.push({ x, y });
      if (Math.hypot(event.clientX - g.start.x, event.clientY - g.start.y) > DRAG_THRESHOLD_PX) g.dragged = true;
      state.overlayDirty = true;
    }
    showCursor(event);
  });

  canvas.addEventListener('pointerup', (event) => {
    const g = state.gesture;
    if (!g || event.pointerId !== g.pointerId) return;
    state.gesture = null;
    state.overlayDirty = true;
    const action = gestureToAction({ ...g, negative: g.negative || event.shiftKey });
    if (action) void tools.submit(action, g.frame);
  });

  canvas.addEventListener('pointercancel', () => {
    state.gesture = null;
    state.overlayDirty = true;
  });

  canvas.addEventListener('pointerleave', () => {
    ui.cursor.textContent = '';
  });

  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') {
      event.preventDefault();
      void tools.undo();
    } else if (event.key === 'b') tools.setTool('brush');
    else if (event.key === 'f') tools.setFrozen(!state.frozen);
    else if (event.key === 'p') tools.setTool('point');
    else if (event.key === 'Escape' && state.gesture) {
      state.gesture = null;
      state.overlayDirty = true;
    }
  });

  /** `frame 12 · x 40, y 31 · grey 87 · lumbar_bone` for the pixel under the pointer (grey: raw frames only). */
  function showCursor(event: PointerEvent): void {
    const { x, y, inside } = canvasToFrame(canvas, event.clientX, event.clientY);
    const frame = state.displayed;
    if (!inside || !frame) {
      ui.cursor.textContent = '';
      return;
    }
    const i = Math.floor(y) * frame.header.width + Math.floor(x);
    const value = frame.labelAt(i);
    const label = value ? (state.classes.get(value) ?? `class ${value}`) : 'background';
    // Raw frames only: a compressed frame's grey values would be read back from its image on every frame.
    const grey = frame.image ? '' : ` · grey ${frame.grey![i]}`;
    ui.cursor.textContent = `frame ${frame.header.index} · x ${Math.floor(x)}, y ${Math.floor(y)}${grey} · ${label}`;
  }
}
