// Prompt tools: pointer gestures → prompt actions, and the per-class prompt history behind undo.
//
// Point/box tool: click = positive point, shift-click or right-click = negative point, drag = box.
// Brush tool: a stroke becomes up to MAX_BRUSH_POINTS positive points spaced evenly along it
// (shift or the right button: negative points).
//
// Prompts on the same frame accumulate, as SAM2 clicks do: each new prompt on frame F is sent as all of
// that class's points on F so far plus its latest box. A prompt on another frame starts a new set
// (the earlier frame's correction lives on in the session's memory). Undo removes the class's last
// action: it clears the class on the server, then re-sends what remains on that frame. To place several
// prompts on one frame of a live stream, freeze the display first (the session keeps the last ~90 frames).

/** Most points a brush stroke turns into. */
export const MAX_BRUSH_POINTS = 12;
/** The server accepts at most this many points per prompt; older points of a frame are dropped first. */
export const MAX_PROMPT_POINTS = 32;
/** A press that moves less than this (CSS pixels) is a click, not a drag. */
export const DRAG_THRESHOLD_PX = 5;
/** Prompt markers stay on top of the overlay for this many received frames. */
export const MARKER_FRAMES = 15;

const round = (v) => Math.round(v * 10) / 10;
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/**
 * Resample a stroke (frame pixels) to at most `max` points evenly spaced along its length, ends included.
 * @param {{x: number, y: number}[]} stroke
 * @returns {{x: number, y: number}[]}
 */
export function sampleStroke(stroke, max = MAX_BRUSH_POINTS) {
  if (stroke.length === 0) return [];
  const lengths = [0];
  for (let i = 1; i < stroke.length; i++) {
    lengths.push(lengths[i - 1] + Math.hypot(stroke[i].x - stroke[i - 1].x, stroke[i].y - stroke[i - 1].y));
  }
  const total = lengths[lengths.length - 1];
  // Roughly one point per 8 frame pixels of stroke, never more than `max`.
  const count = total === 0 ? 1 : Math.max(2, Math.min(max, Math.round(total / 8) + 1));
  if (count === 1) return [{ ...stroke[0] }];
  const out = [];
  let j = 0;
  for (let k = 0; k < count; k++) {
    const target = (total * k) / (count - 1);
    while (j < stroke.length - 2 && lengths[j + 1] < target) j++;
    const span = lengths[j + 1] - lengths[j];
    const t = span > 0 ? (target - lengths[j]) / span : 0;
    out.push({ x: stroke[j].x + (stroke[j + 1].x - stroke[j].x) * t, y: stroke[j].y + (stroke[j + 1].y - stroke[j].y) * t });
  }
  return out;
}

/**
 * Turn a finished pointer gesture into a prompt action (frame pixels), or null if it is not one.
 * @param {{ tool: 'point' | 'brush', negative: boolean, dragged: boolean, stroke: {x: number, y: number}[],
 *           width: number, height: number }} gesture stroke = every pointer position, first = press
 * @returns {{ kind: 'point' | 'box' | 'brush', points?: {x: number, y: number, label: 0 | 1}[],
 *             box?: [number, number, number, number] } | null}
 */
export function gestureToAction({ tool, negative, dragged, stroke, width, height }) {
  if (stroke.length === 0) return null;
  const label = negative ? 0 : 1;
  const inFrame = (p) => ({ x: round(clamp(p.x, 0, width - 1)), y: round(clamp(p.y, 0, height - 1)) });
  if (tool === 'brush') {
    const points = sampleStroke(stroke).map((p) => ({ ...inFrame(p), label }));
    return { kind: 'brush', points };
  }
  const start = stroke[0];
  if (!dragged) return { kind: 'point', points: [{ ...inFrame(start), label }] };
  const end = stroke[stroke.length - 1];
  const x0 = round(clamp(Math.min(start.x, end.x), 0, width));
  const y0 = round(clamp(Math.min(start.y, end.y), 0, height));
  const x1 = round(clamp(Math.max(start.x, end.x), 0, width));
  const y1 = round(clamp(Math.max(start.y, end.y), 0, height));
  if (x1 - x0 < 1 || y1 - y0 < 1) return { kind: 'point', points: [{ ...inFrame(start), label }] };
  return { kind: 'box', box: [x0, y0, x1, y1] };
}

/** The prompt message for a class's actions on one frame: all points (newest 32) and the latest box. */
export function mergePrompt(className, frame, actions) {
  const points = actions.flatMap((a) => a.points ?? []).slice(-MAX_PROMPT_POINTS);
  const box = actions.reduce((found, a) => a.box ?? found, undefined);
  return { type: 'prompt', frame, class: className, ...(points.length ? { points } : {}), ...(box ? { box } : {}) };
}

/** Per class, the frame last prompted and the actions drawn on it (newest last). */
export class PromptHistory {
  constructor() {
    /** @type {Map<string, { frame: number, actions: object[] }>} */
    this.byClass = new Map();
  }

  /**
   * Record an action drawn on `frame`. Returns the prompt message to send and the stored action
   * (pass it to `remove` if the server refuses the prompt).
   */
  add(className, frame, action, shownUntil) {
    let current = this.byClass.get(className);
    if (!current || current.frame !== frame) {
      current = { frame, actions: [] };
      this.byClass.set(className, current);
    }
    const entry = { ...action, shownUntil };
    current.actions.push(entry);
    return { message: mergePrompt(className, frame, current.actions), entry };
  }

  /** Forget one stored action (e.g. one the server refused). */
  remove(className, entry) {
    const current = this.byClass.get(className);
    if (!current) return;
    current.actions = current.actions.filter((a) => a !== entry);
    if (current.actions.length === 0) this.byClass.delete(className);
  }

  /**
   * Drop the class's last action. Returns null when there is nothing to undo, else the prompt that
   * re-creates the remaining actions (null when none remain).
   */
  undo(className, shownUntil) {
    const entry = this.byClass.get(className);
    if (!entry || entry.actions.length === 0) return null;
    entry.actions.pop();
    if (entry.actions.length === 0) {
      this.byClass.delete(className);
      return { resend: null };
    }
    for (const action of entry.actions) action.shownUntil = Math.max(action.shownUntil, shownUntil);
    return { resend: mergePrompt(className, entry.frame, entry.actions) };
  }

  clear(className) {
    if (className === undefined) this.byClass.clear();
    else this.byClass.delete(className);
  }

  /** Actions whose markers are still shown (and all those drawn on `frozenFrame`), with their class name. */
  visible(framesReceived, frozenFrame) {
    const out = [];
    for (const [className, entry] of this.byClass) {
      const keep = entry.frame === frozenFrame;
      for (const action of entry.actions) if (keep || action.shownUntil > framesReceived) out.push({ className, ...action });
    }
    return out;
  }
}
