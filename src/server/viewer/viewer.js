// Viewer entry point: wires the socket, the canvas, the controls and the recordings list.
// Test hooks on <body>: data-frames-received, data-ws-state, data-recording, data-recordings-count.

import { Connection } from './connection.js';
import { canvasToFrame } from './coords.js';
import { drawFrame } from './overlay.js';
import { decodeFrame } from './protocol.js';
import { refreshRecordings } from './recordings.js';

const $ = (id) => document.getElementById(id);
const ui = {
  canvas: $('view'),
  status: $('status'),
  cursor: $('cursor'),
  opacity: $('opacity'),
  renderMode: $('render-mode'),
  mode: $('mode'),
  classPicker: $('class'),
  record: $('record'),
  recordings: $('recordings'),
  messages: $('messages'),
};
const ctx = ui.canvas.getContext('2d');

const state = {
  /** Latest decoded frame; older ones are never drawn (the display keeps up, not catches up). */
  frame: null,
  dirty: false,
  framesReceived: 0,
  recording: false,
  recordingsRevision: -1,
  /** Last recording failure shown, so each is reported once. */
  recordingError: null,
  /** className by class value, as seen in frame results. */
  classes: new Map(),
};

function note(text, isError = false) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  if (isError) item.className = 'error';
  ui.messages.prepend(item);
  while (ui.messages.children.length > 8) ui.messages.lastChild.remove();
}

// ---- rendering ----

function render() {
  if (state.dirty && state.frame) {
    const { width, height } = state.frame.header;
    if (ui.canvas.width !== width || ui.canvas.height !== height) {
      ui.canvas.width = width;
      ui.canvas.height = height;
    }
    drawFrame(ctx, state.frame, { opacity: Number(ui.opacity.value), style: ui.renderMode.value });
    state.dirty = false;
  }
  requestAnimationFrame(render);
}

function redraw() {
  state.dirty = true;
}

ui.opacity.addEventListener('input', redraw);
ui.renderMode.addEventListener('change', redraw);

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
  state.dirty = true;
  state.framesReceived++;
  document.body.dataset.framesReceived = String(state.framesReceived);
  updateClasses(frame.header.results);
}

function updateClasses(results) {
  let changed = false;
  for (const { className, value } of results) {
    if (state.classes.get(value) !== className) {
      state.classes.set(value, className);
      changed = true;
    }
  }
  if (!changed) return;
  const selected = ui.classPicker.value;
  ui.classPicker.replaceChildren(
    ...[...state.classes].sort((a, b) => a[0] - b[0]).map(([value, className]) => new Option(className, String(value))),
  );
  if (selected) ui.classPicker.value = selected;
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
}

function onMessage(message) {
  if (message.type === 'status') onStatus(message);
  else if (message.type === 'error') note(message.message, true);
}

// ---- recording ----

function setRecording(active) {
  state.recording = active;
  document.body.dataset.recording = String(active);
  ui.record.textContent = active ? 'Stop recording' : 'Start recording';
}

async function loadRecordings() {
  try {
    document.body.dataset.recordingsCount = String(await refreshRecordings(ui.recordings));
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

// ---- segmentation controls (handled server-side by whichever component registers them) ----

async function control(message) {
  try {
    note((await connection.request(message)).message);
  } catch (err) {
    note(err.message, true);
  }
}

ui.mode.addEventListener('change', () => control({ type: 'mode', mode: ui.mode.value }));
ui.classPicker.addEventListener('change', () => {
  const value = Number(ui.classPicker.value);
  void control({ type: 'class', value, className: state.classes.get(value) });
});

// ---- pointer readout (and the coordinate mapping later prompt tools build on) ----

ui.canvas.addEventListener('pointermove', (event) => {
  const { x, y, inside } = canvasToFrame(ui.canvas, event.clientX, event.clientY);
  if (!inside || !state.frame) {
    ui.cursor.textContent = '';
    return;
  }
  const i = Math.floor(y) * state.frame.header.width + Math.floor(x);
  const value = state.frame.classMap[i];
  const label = value ? state.classes.get(value) ?? `class ${value}` : 'background';
  ui.cursor.textContent = `x ${Math.floor(x)}, y ${Math.floor(y)} · grey ${state.frame.grey[i]} · ${label}`;
});
ui.canvas.addEventListener('pointerleave', () => {
  ui.cursor.textContent = '';
});

// ---- start ----

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const connection = new Connection(wsUrl, {
  onFrame,
  onMessage,
  onState(wsState) {
    document.body.dataset.wsState = wsState;
    if (wsState !== 'open') ui.status.textContent = wsState === 'closed' ? 'disconnected, reconnecting…' : 'connecting…';
  },
});
requestAnimationFrame(render);
void loadRecordings();
