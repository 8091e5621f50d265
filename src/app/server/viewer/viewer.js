// Viewer entry point: wires the socket, the canvas, the controls, the prompt tools and the recordings list.
//
// Test hooks on <body>: data-frames-received, data-ws-state, data-recording, data-recordings-count,
// data-mode (session mode from the server), data-tool (point | brush), data-prompt-class,
// data-tracked (comma-separated tracked classes), data-frame-index (index of the frame on screen),
// data-prompts-sent (prompt messages sent),
// data-pending-prompts (prompt markers on screen), data-frozen, data-last-ack / data-last-error (text of the last
// reply or local refusal). `window.sam2radViewer` exposes the displayed frame and the frame → page coordinate mapping.

import { Connection } from './connection.js';
import { canvasToFrame, displayScale, frameToClient } from './coords.js';
import { classColour } from './class-colours.js';
import { drawFrame, drawGesture, drawPrompts, drawRoi } from './overlay.js';
import { DRAG_THRESHOLD_PX, MARKER_FRAMES, PromptHistory, gestureToAction } from './prompts.js';
import { decodeFrame } from './protocol.js';
import { refreshRecordings } from './recordings.js';

const $ = (id) => document.getElementById(id);
const ui = {
  canvas: $('view'),
  status: $('status'),
  cursor: $('cursor'),
  opacity: $('opacity'),
  renderMode: $('render-mode'),
  showRoi: $('show-roi'),
  mode: $('mode'),
  tracked: $('tracked'),
  classPicker: $('class'),
  tools: [...document.querySelectorAll('input[name="tool"]')],
  undo: $('undo'),
  clear: $('clear'),
  clearAll: $('clear-all'),
  hint: $('tool-hint'),
  freeze: $('freeze'),
  message: $('message'),
  record: $('record'),
  recordings: $('recordings'),
  messages: $('messages'),
};
const ctx = ui.canvas.getContext('2d');
// The frame with its overlay is rendered once per frame into `base`; the visible canvas is `base` plus
// the prompt markers, so a gesture in progress redraws cheaply.
const base = document.createElement('canvas');
const baseCtx = base.getContext('2d');
const body = document.body.dataset;

const state = {
  /** Latest decoded frame; older ones are never drawn (the display keeps up, not catches up). */
  frame: null,
  /** The frame on screen: prompts are drawn on (and sent for) this one. */
  displayed: null,
  frameDirty: false,
  overlayDirty: false,
  framesReceived: 0,
  recording: false,
  recordingsRevision: -1,
  /** Last recording failure shown, so each is reported once. */
  recordingError: null,
  /** className by class value (manifest index + 1). From status `session.classes`, else frame results. */
  classes: new Map(),
  /** True once the server described its session; frame results are then not used for the class list. */
  haveSession: false,
  tracked: [],
  /** Session mode as last reported ('' until known). */
  mode: '',
  tool: 'point',
  /** Class that prompts are drawn for; follows the first tracked class until the user picks one. */
  promptClass: '',
  promptClassPicked: false,
  promptsSent: 0,
  /** Requests in flight per kind; status messages do not overwrite the controls while > 0. */
  busy: { mode: 0, class: 0 },
  /** The pointer gesture in progress. */
  gesture: null,
  /** While frozen the display keeps its frame (frames still arrive and are counted). */
  frozen: false,
};
const history = new PromptHistory();

function note(text, isError = false) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  if (isError) item.className = 'error';
  ui.messages.prepend(item);
  while (ui.messages.children.length > 8) ui.messages.lastChild.remove();
}

/** Show a server reply (or a local refusal) in the message area and the log. */
function reply(text, isError = false) {
  ui.message.textContent = text;
  ui.message.className = isError ? 'error' : 'ok';
  if (isError) body.lastError = text;
  else body.lastAck = text;
  note(text, isError);
}

// ---- rendering ----

function valueOf(className) {
  for (const [value, name] of state.classes) if (name === className) return value;
  return 1;
}

function render() {
  if (state.frameDirty && state.frame) {
    // Frozen: keep showing the same frame (only redraw it, e.g. for an opacity change).
    const frame = state.frozen && state.displayed ? state.displayed : state.frame;
    const { width, height } = frame.header;
    for (const canvas of [ui.canvas, base]) {
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
    }
    drawFrame(baseCtx, frame, { opacity: Number(ui.opacity.value), style: ui.renderMode.value });
    if (state.displayed !== frame) {
      state.displayed = frame;
      body.frameIndex = String(frame.header.index);
      const roi = frame.header.roi;
      body.roi = roi ? `${roi.x},${roi.y},${roi.width},${roi.height}` : '';
    }
    state.frameDirty = false;
    state.overlayDirty = true;
  }
  if (state.overlayDirty && state.displayed) {
    ctx.drawImage(base, 0, 0);
    const unit = 1 / displayScale(ui.canvas);
    if (ui.showRoi.checked && state.displayed.header.roi) drawRoi(ctx, state.displayed.header.roi, unit);
    const markers = history
      .visible(state.framesReceived, state.frozen ? state.displayed.header.index : undefined)
      .map((a) => ({ ...a, value: valueOf(a.className) }));
    drawPrompts(ctx, markers, unit);
    body.pendingPrompts = String(markers.length);
    const g = state.gesture;
    if (g && (g.tool === 'brush' || g.dragged)) {
      drawGesture(ctx, { kind: g.tool === 'brush' ? 'stroke' : 'box', negative: g.negative, points: g.stroke }, unit);
    }
    state.overlayDirty = false;
  }
  requestAnimationFrame(render);
}

function redraw() {
  state.frameDirty = true;
}

ui.opacity.addEventListener('input', redraw);
ui.renderMode.addEventListener('change', redraw);
ui.showRoi.addEventListener('change', redraw);

// ---- incoming messages ----

function onFrame(buffer) {
  let frame;
  try {
    frame = decodeFrame(buffer);
  } catch (err) {
    note(`bad frame: ${err.message}`, true);
    return;
  }
  state.frame = frame;
  // Frozen: only the markers (which expire as frames arrive) need redrawing.
  if (state.frozen && state.displayed) state.overlayDirty = true;
  else state.frameDirty = true;
  state.framesReceived++;
  body.framesReceived = String(state.framesReceived);
  if (!state.haveSession) classesFromResults(frame.header.results);
}

/** Servers without a session provider: learn the classes from frame results (all of them tracked). */
function classesFromResults(results) {
  // Most frames bring no new class: skip rebuilding the list then.
  if (results.some(({ value, className }) => state.classes.get(value) !== className)) {
    setClassList([...new Map([...state.classes, ...results.map(({ value, className }) => [value, className])])]);
  }
  const names = results.map((r) => r.className);
  if (names.join(',') !== state.tracked.join(',')) setTracked(names);
}

function setClassList(entries) {
  entries.sort((a, b) => a[0] - b[0]);
  const same = entries.length === state.classes.size && entries.every(([v, n]) => state.classes.get(v) === n);
  if (same) return;
  state.classes = new Map(entries);
  ui.classPicker.replaceChildren(
    ...entries.map(([value, className]) => {
      const option = new Option(className, String(value));
      option.style.color = rgb(classColour(value));
      return option;
    }),
  );
  ui.tracked.replaceChildren(
    ...entries.map(([value, className]) => {
      const item = document.createElement('li');
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.dataset.className = className;
      box.addEventListener('change', () => void setClassTracked(className, box.checked));
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = rgb(classColour(value));
      label.append(box, swatch, document.createTextNode(className));
      item.append(label);
      return item;
    }),
  );
  setTracked(state.tracked);
  choosePromptClass(state.promptClassPicked ? state.promptClass : '');
}

function rgb([r, g, b]) {
  return `rgb(${r}, ${g}, ${b})`;
}

function setTracked(names) {
  state.tracked = [...names];
  body.tracked = state.tracked.join(',');
  for (const box of ui.tracked.querySelectorAll('input[type="checkbox"]')) {
    box.checked = state.tracked.includes(box.dataset.className);
    // The session needs at least one class: the last one cannot be unticked.
    box.disabled = box.checked && state.tracked.length === 1;
  }
  if (!state.promptClassPicked) choosePromptClass('');
}

/** Select the prompt class: `name` if known, else the first tracked class, else the first class. */
function choosePromptClass(name, picked = false) {
  if (picked) state.promptClassPicked = true;
  const names = [...state.classes.values()];
  const chosen = names.includes(name) ? name : (state.tracked.find((n) => names.includes(n)) ?? names[0] ?? '');
  state.promptClass = chosen;
  body.promptClass = chosen;
  if (chosen) ui.classPicker.value = String(valueOf(chosen));
}

function setMode(mode) {
  state.mode = mode;
  body.mode = mode;
  if (ui.mode.value !== mode) ui.mode.value = mode;
  ui.hint.textContent = {
    auto: 'Auto: the model prompts itself and the tools are ignored. Switch to Semi or Manual to draw prompts.',
    semi: 'Semi: your prompts refine the model’s own. Click = positive point, Shift-click or right-click = negative, drag = box; Brush: stroke = up to 12 points (Shift = negative).',
    manual: 'Manual: only your prompts guide the model. Click = positive point, Shift-click or right-click = negative, drag = box; Brush: stroke = up to 12 points (Shift = negative).',
  }[mode] ?? '';
}

function formatMs(ms) {
  return ms === null ? '–' : `${ms.toFixed(0)} ms`;
}

function onStatus(status) {
  const source = status.source ? `${status.source.state}${status.source.lastError ? ` (${status.source.lastError})` : ''}` : 'unknown';
  ui.status.textContent =
    `${status.fps.toFixed(1)} fps · latency p50 ${formatMs(status.latency.p50)} / p95 ${formatMs(status.latency.p95)}` +
    ` · dropped ${status.frames.dropped} · skipped ${status.skipped} · source ${source}`;
  setRecording(status.recording?.active === true);
  const recordingError = status.recording?.error ?? null;
  if (recordingError && recordingError !== state.recordingError) note(recordingError, true);
  state.recordingError = recordingError;
  if (status.recordingsRevision !== state.recordingsRevision) {
    state.recordingsRevision = status.recordingsRevision;
    void loadRecordings();
  }
  const session = status.session;
  if (session) {
    state.haveSession = true;
    setClassList(session.classes.map((className, i) => [i + 1, className]));
    if (state.busy.class === 0) setTracked(session.tracked);
    if (state.busy.mode === 0) setMode(session.mode);
  }
}

function onMessage(message) {
  if (message.type === 'status') onStatus(message);
  else if (message.type === 'error') reply(message.message, true);
}

// ---- recording ----

function setRecording(active) {
  state.recording = active;
  body.recording = String(active);
  ui.record.textContent = active ? 'Stop recording' : 'Start recording';
}

async function loadRecordings() {
  try {
    body.recordingsCount = String(await refreshRecordings(ui.recordings));
  } catch (err) {
    note(err.message, true);
  }
}

ui.record.addEventListener('click', async () => {
  const action = state.recording ? 'stop' : 'start';
  ui.record.disabled = true;
  try {
    const ack = await connection.request({ type: 'record', action });
    setRecording(action === 'start');
    note(ack.message);
    await loadRecordings();
  } catch (err) {
    note(err.message, true);
  } finally {
    ui.record.disabled = false;
  }
});

// ---- session control (docs/protocol.md, "Session control") ----

/** Send a control message; shows the reply and resolves with the ack, or null after an error. */
async function control(message) {
  try {
    const ack = await connection.request(message);
    reply(ack.message);
    return ack;
  } catch (err) {
    reply(err.message, true);
    return null;
  }
}

ui.mode.addEventListener('change', async () => {
  const mode = ui.mode.value;
  state.busy.mode++;
  const ack = await control({ type: 'mode', mode });
  state.busy.mode--;
  setMode(ack ? mode : state.mode);
});

/** Enable/disable a class; resolves true when the server agreed. */
async function setClassTracked(className, on) {
  state.busy.class++;
  const ack = await control({ type: 'class', action: on ? 'enable' : 'disable', className });
  state.busy.class--;
  if (ack) setTracked(on ? [...state.tracked.filter((n) => n !== className), className] : state.tracked.filter((n) => n !== className));
  else setTracked(state.tracked);
  return ack !== null;
}

ui.classPicker.addEventListener('change', () => choosePromptClass(state.classes.get(Number(ui.classPicker.value)) ?? '', true));

function setFrozen(frozen) {
  state.frozen = frozen;
  body.frozen = String(frozen);
  ui.freeze.checked = frozen;
  state.frameDirty = true;
}
ui.freeze.addEventListener('change', () => setFrozen(ui.freeze.checked));

function setTool(tool) {
  state.tool = tool;
  body.tool = tool;
  for (const input of ui.tools) input.checked = input.value === tool;
}
for (const input of ui.tools) input.addEventListener('change', () => input.checked && setTool(input.value));

/** Send one drawn action for the prompt class, on the frame it was drawn on. */
async function submitPrompt(action, frame) {
  const className = state.promptClass;
  if (!className) return reply('no class to prompt: the class list is not known yet', true);
  if (!state.tracked.includes(className)) {
    note(`${className} is not tracked: enabling it first`);
    if (!(await setClassTracked(className, true))) return;
  }
  const { message, entry } = history.add(className, frame, action, state.framesReceived + MARKER_FRAMES);
  state.overlayDirty = true;
  if (!(await sendPrompt(message))) history.remove(className, entry);
  state.overlayDirty = true;
}

async function undo() {
  const className = state.promptClass;
  const result = history.undo(className, state.framesReceived + MARKER_FRAMES);
  if (!result) return reply(`nothing to undo for ${className}`);
  state.overlayDirty = true;
  if (!(await control({ type: 'clear', className }))) return;
  if (result.resend) await sendPrompt(result.resend);
}

/** A prompt message to the server, counted in data-prompts-sent. */
function sendPrompt(message) {
  state.promptsSent++;
  body.promptsSent = String(state.promptsSent);
  return control(message);
}

ui.undo.addEventListener('click', () => void undo());
ui.clear.addEventListener('click', () => {
  const className = state.promptClass;
  history.clear(className);
  state.overlayDirty = true;
  void control({ type: 'clear', className });
});
ui.clearAll.addEventListener('click', () => {
  history.clear();
  state.overlayDirty = true;
  void control({ type: 'clear' });
});

document.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') {
    event.preventDefault();
    void undo();
  } else if (event.key === 'b') setTool('brush');
  else if (event.key === 'f') setFrozen(!state.frozen);
  else if (event.key === 'p') setTool('point');
  else if (event.key === 'Escape' && state.gesture) {
    state.gesture = null;
    state.overlayDirty = true;
  }
});

// ---- prompt gestures on the canvas ----

ui.canvas.addEventListener('contextmenu', (event) => event.preventDefault());

ui.canvas.addEventListener('pointerdown', (event) => {
  if ((event.button !== 0 && event.button !== 2) || !state.displayed) return;
  const { x, y, inside } = canvasToFrame(ui.canvas, event.clientX, event.clientY);
  if (!inside) return;
  if (state.mode !== 'semi' && state.mode !== 'manual') {
    reply('Auto mode ignores prompts: switch the mode to Semi or Manual to draw them.', true);
    ui.hint.classList.remove('flash');
    void ui.hint.offsetWidth; // restart the animation
    ui.hint.classList.add('flash');
    return;
  }
  event.preventDefault();
  ui.canvas.setPointerCapture(event.pointerId);
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

ui.canvas.addEventListener('pointermove', (event) => {
  const g = state.gesture;
  if (g && event.pointerId === g.pointerId) {
    const { x, y } = canvasToFrame(ui.canvas, event.clientX, event.clientY);
    g.stroke.push({ x, y });
    if (Math.hypot(event.clientX - g.start.x, event.clientY - g.start.y) > DRAG_THRESHOLD_PX) g.dragged = true;
    state.overlayDirty = true;
  }
  showCursor(event);
});

ui.canvas.addEventListener('pointerup', (event) => {
  const g = state.gesture;
  if (!g || event.pointerId !== g.pointerId) return;
  state.gesture = null;
  state.overlayDirty = true;
  const action = gestureToAction({ ...g, negative: g.negative || event.shiftKey });
  if (action) void submitPrompt(action, g.frame);
});

ui.canvas.addEventListener('pointercancel', () => {
  state.gesture = null;
  state.overlayDirty = true;
});

// ---- pointer readout ----

function showCursor(event) {
  const { x, y, inside } = canvasToFrame(ui.canvas, event.clientX, event.clientY);
  const frame = state.displayed;
  if (!inside || !frame) {
    ui.cursor.textContent = '';
    return;
  }
  const i = Math.floor(y) * frame.header.width + Math.floor(x);
  const value = frame.classMap[i];
  const label = value ? state.classes.get(value) ?? `class ${value}` : 'background';
  ui.cursor.textContent = `frame ${frame.header.index} · x ${Math.floor(x)}, y ${Math.floor(y)} · grey ${frame.grey[i]} · ${label}`;
}

ui.canvas.addEventListener('pointerleave', () => {
  ui.cursor.textContent = '';
});

// ---- start ----

/** For tests and debugging: the frame on screen and where a frame pixel is on the page. */
window.sam2radViewer = {
  get frame() {
    return state.displayed;
  },
  frameToClient: (x, y) => frameToClient(ui.canvas, x, y),
};

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const connection = new Connection(wsUrl, {
  onFrame,
  onMessage,
  onState(wsState) {
    body.wsState = wsState;
    if (wsState !== 'open') ui.status.textContent = wsState === 'closed' ? 'disconnected, reconnecting…' : 'connecting…';
  },
});
setTool('point');
requestAnimationFrame(render);
void loadRecordings();
