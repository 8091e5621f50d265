// Viewer entry point (bundled by scripts/build-viewer.mjs into viewer.js): wires the socket, the canvas,
// the controls, the prompt tools, the frame history, snapshots, the model line, and the recordings list
// with its player.
//
// Test hooks on <body>: data-frames-received, data-ws-state, data-recording, data-recordings-count,
// data-mode (session mode from the server), data-tool (point | brush), data-prompt-class,
// data-tracked (comma-separated tracked classes), data-frame-index (index of the frame on screen),
// data-roi, data-prompts-sent (prompt messages sent), data-pending-prompts (prompt markers on screen),
// data-frozen, data-last-ack / data-last-error (text of the last reply or local refusal), data-display-fps
// (frames painted per second, last 3 s), data-hidden (classes hidden on screen), data-model (the model
// line), data-history / data-history-position (frames kept for stepping; the one on screen while frozen),
// data-snapshots (snapshots saved), data-playing (recording/file in the player), data-calibration ('' |
// picking | two-click: the page's two-click calibration). `window.sam2radViewer` exposes the displayed
// frame, the frame → page coordinate mapping, what the page paints (`display`: fps, frame-to-paint
// percentiles, every paint), the server's last status (`server`) and the head biometry readout of the frame
// on screen (`biometry`).
//
// Frames come compressed (protocol version 2: the viewer subscribes on connecting, asking for images no
// larger than its canvas can show) and are decoded one at a time, newest first: a frame that arrives while
// another is decoding waits, and a newer one replaces it, so the display keeps up instead of catching up.
import { COMPRESSED_PROTOCOL_VERSION } from '../server/compressed-frame.js';
import type { ServerMessage, StatusMessage } from '../server/wire-format.js';
import { BiometryView, type BiometryReadout } from './biometry.js';
import { TwoClickCalibration } from './calibration.js';
import { Connection, type ControlRequest } from './connection.js';
import { replyingControl } from './control.js';
import { frameToClient } from './coords.js';
import { findUi } from './dom.js';
import { DisplayStats, type DisplaySummary, type Paint } from './display-stats.js';
import { FrameHistory } from './frame-history.js';
import { FrameIntake } from './frame-intake.js';
import type { ViewerFrame } from './frames.js';
import { hasToken, wsUrl } from './http.js';
import { showModelInfo } from './model-info.js';
import { Player } from './playback.js';
import { attachSnapshot } from './snapshot.js';
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
    /** For tests and debugging: the frame on screen and where a frame pixel is on the page; what the page
     * paints (`display`) and what the server reported last (`server`). */
    sam2radViewer: {
      readonly frame: ViewerFrame | null;
      frameToClient(x: number, y: number): { clientX: number; clientY: number };
      readonly display: DisplaySummary & {
        /** Server clock minus page clock (ms), half the subscribe round trip (ms), and whether frame
         * deliveries refined the estimate (display-stats.ts, ServerClock); null until a compressed stream starts. */
        readonly clock: { readonly offsetMs: number; readonly roundTripBoundMs: number | null; readonly method: string | null } | null;
        /** Frames that arrived but were replaced by newer ones before they could be decoded. */
        readonly notDecoded: number;
        readonly received: number;
        /** Every paint (bounded), oldest first. */
        readonly paints: readonly Paint[];
      };
      readonly server: StatusMessage | null;
      /** Whether the page carries an access token (http.ts; the token itself is not exposed). */
      readonly hasToken: boolean;
      /** HC, BPD and OFD of the frame on screen as the readout shows them (biometry.ts); null before a frame. */
      readonly biometry: BiometryReadout | null;
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
const display = new DisplayStats();
const biometry = new BiometryView(ui, new TwoClickCalibration(ui, state, log));
const renderer = new Renderer(ui, state, history, biometry, (frame, at) => display.record(frame, at));
const statusLine = new StatusLine(ui.status);
let lastStatus: StatusMessage | null = null;
const session = new SessionPanel(ui, state, control);
const player = new Player(ui, log);
const recordings = new RecordingsPanel(ui, request, log, player);
const frames = new FrameHistory(ui, state, log, (frame) => {
  state.pinned = frame;
  state.frameDirty = true;
});
const tools = new PromptTools(ui, state, history, session, control, log, (frozen) => (frozen ? frames.freeze() : frames.thaw()));
const intake = new FrameIntake(ui, state, frames, log, (frame) => {
  if (!state.haveSession) session.classesFromResults(frame.header.results);
});
attachGestures(ui, state, tools, log);
attachSnapshot(ui, state, log);

/** JPEG quality asked for; the server lowers it while this page falls behind. */
const QUALITY = 75;

/** Compressed frames no larger than the canvas can show on this screen (its column, the window's height). */
function subscription(): ControlRequest {
  const dpr = window.devicePixelRatio || 1;
  const stage = ui.canvas.parentElement ?? document.body;
  return {
    type: 'subscribe',
    version: COMPRESSED_PROTOCOL_VERSION,
    maxWidth: Math.max(16, Math.ceil(stage.clientWidth * dpr)),
    maxHeight: Math.max(16, Math.ceil((window.innerHeight - 7 * 16) * dpr)),
    quality: QUALITY,
  };
}

function onMessage(message: ServerMessage): void {
  if (message.type === 'status') {
    lastStatus = message;
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
  get display() {
    const { clock } = display;
    const offsetMs = clock.offsetMs;
    return {
      ...display.summary(),
      clock: offsetMs === null ? null : { offsetMs, roundTripBoundMs: clock.roundTripBound, method: clock.method },
      notDecoded: intake.notDecoded,
      received: state.framesReceived,
      paints: display.paints,
    };
  },
  get server() {
    return lastStatus;
  },
  get hasToken() {
    return hasToken();
  },
  get biometry() {
    return biometry.readout;
  },
};
setInterval(() => {
  const summary = display.summary();
  statusLine.showDisplay(summary);
  body.displayFps = String(summary.fps);
}, 500);

const connection = new Connection(wsUrl(), {
  onFrame: (buffer, receivedAt) => intake.receive(buffer, receivedAt),
  onMessage,
  subscription,
  onStream(_stream, clock) {
    display.clock.fromRoundTrip(clock);
  },
  onSubscribeRefused(reason) {
    log.note(`this server sends uncompressed frames (${reason})`, true);
  },
  onState(wsState) {
    body.wsState = wsState;
    statusLine.showConnection(wsState);
    if (wsState === 'open') void showModelInfo(ui);
  },
});
tools.setTool('point');
renderer.start();
void recordings.load();
