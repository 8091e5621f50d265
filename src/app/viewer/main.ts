// Viewer entry point (bundled by scripts/build-viewer.mjs into viewer.js): wires the socket, the canvas,
// the controls, the prompt tools and the recordings list.
//
// Test hooks on <body>: data-frames-received, data-ws-state, data-recording, data-recordings-count,
// data-mode (session mode from the server), data-tool (point | brush), data-prompt-class,
// data-tracked (comma-separated tracked classes), data-frame-index (index of the frame on screen),
// data-roi, data-prompts-sent (prompt messages sent), data-pending-prompts (prompt markers on screen),
// data-frozen, data-last-ack / data-last-error (text of the last reply or local refusal).
// `window.sam2radViewer` exposes the displayed frame and the frame → page coordinate mapping.
import { decodeFrameMessage, type DecodedFrameMessage, type ServerMessage } from '../server/wire-format.js';
import { Connection } from './connection.js';
import { replyingControl } from './control.js';
import { frameToClient } from './coords.js';
import { errorText, findUi } from './dom.js';
import { attachGestures } from './gestures.js';
import { MessageLog } from './log.js';
import { PromptTools } from './prompt-tools.js';
import { PromptHistory } from './prompts.js';
import { RecordingsPanel } from './recordings.js';
import { Renderer } from './render.js';
import { SessionPanel } from './session-panel.js';
import { initialState } from './state.js';
import { StatusLine } from './status-line.js';

declare global {
  interface Window {
    /** For tests and debugging: the frame on screen and where a frame pixel is on the page. */
    sam2radViewer: {
      readonly frame: DecodedFrameMessage | null;
      frameToClient(x: number, y: number): { clientX: number; clientY: number };
    };
  }
}

const ui = findUi();
const { body } = ui;
const state = initialState();
const history = new PromptHistory();
const log = new MessageLog(ui);
const request: Connection['request'] = (message) => connection.request(message);
const control = replyingControl(request, log);
const renderer = new Renderer(ui, state, history);
const statusLine = new StatusLine(ui.status);
const session = new SessionPanel(ui, state, control);
const recordings = new RecordingsPanel(ui, request, log);
const tools = new PromptTools(ui, state, history, session, control, log);
attachGestures(ui, state, tools, log);

function onFrame(buffer: ArrayBuffer): void {
  let frame: DecodedFrameMessage;
  try {
    frame = decodeFrameMessage(new Uint8Array(buffer));
  } catch (err) {
    log.note(`bad frame: ${errorText(err)}`, true);
    return;
  }
  state.frame = frame;
  // Frozen: only the markers (which expire as frames arrive) need redrawing.
  if (state.frozen && state.displayed) state.overlayDirty = true;
  else state.frameDirty = true;
  state.framesReceived++;
  body.framesReceived = String(state.framesReceived);
  if (!state.haveSession) session.classesFromResults(frame.header.results);
}

function onMessage(message: ServerMessage): void {
  if (message.type === 'status') {
    statusLine.showStatus(message);
    recordings.showStatus(message);
    if (message.session) session.showSession(message.session);
  } else if (message.type === 'error') {
    log.reply(message.message, true);
  }
}

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
    statusLine.showConnection(wsState);
  },
});
tools.setTool('point');
renderer.start();
void recordings.load();
