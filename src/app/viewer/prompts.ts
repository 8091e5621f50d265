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

import type { FramePoint } from './coords.js';

/** Most points a brush stroke turns into. */
export const MAX_BRUSH_POINTS = 12;
/** The server accepts at most this many points per prompt; older points of a frame are dropped first. */
export const MAX_PROMPT_POINTS = 32;
/** A press that moves less than this (CSS pixels) is a click, not a drag. */
export const DRAG_THRESHOLD_PX = 5;
/** Prompt markers stay on top of the overlay for this many received frames. */
export const MARKER_FRAMES = 15;

export type Tool = 'point' | 'brush';
export type Box = readonly [number, number, number, number];

export interface PromptPoint extends FramePoint {
  /** 1 positive (object), 0 negative (background). */
  readonly label: 0 | 1;
}

/** One drawn prompt, in frame pixels. */
export interface PromptAction {
  readonly kind: 'point' | 'box' | 'brush';
  readonly points?: readonly PromptPoint[];
  readonly box?: Box;
}

/** A stored action: its marker is shown until `shownUntil` frames were received. */
export interface HistoryEntry extends PromptAction {
  shownUntil: number;
}

/** The `prompt` control message (docs/protocol.md, "Session control"). */
export interface PromptMessage {
  readonly type: 'prompt';
  readonly frame: number;
  readonly class: string;
  readonly points?: readonly PromptPoint[];
  readonly box?: Box;
}

/** A finished pointer gesture; `stroke` is every pointer position in frame pixels, the first = the press. */
export interface FinishedGesture {
  readonly tool: Tool;
  readonly negative: boolean;
  readonly dragged: boolean;
  readonly stroke: readonly FramePoint[];
  readonly width: number;
  readonly height: number;
}

const round = (v: number): number => Math.round(v * 10) / 10;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Resample a stroke (frame pixels) to at most `max` points evenly spaced along its length, ends included. */
export function sampleStroke(stroke: readonly FramePoint[], max = MAX_BRUSH_POINTS): FramePoint[] {
  if (stroke.length === 0) return [];
  const lengths = [0];
  for (let i = 1; i < stroke.length; i++) {
    lengths.push(lengths[i - 1]! + Math.hypot(stroke[i]!.x - stroke[i - 1]!.x, stroke[i]!.y - stroke[i - 1]!.y));
  }
  const total = lengths[lengths.length - 1]!;
  // Roughly one point per 8 frame pixels of stroke, never more than `max`.
  const count = total === 0 ? 1 : Math.max(2, Math.min(max, Math.round(total / 8) + 1));
  if (count === 1) return [{ ...stroke[0]! }];
  const out: FramePoint[] = [];
  let j = 0;
  for (let k = 0; k < count; k++) {
    const target = (total * k) / (count - 1);
    while (j < stroke.length - 2 && lengths[j + 1]! < target) j++;
    const a = stroke[j]!;
    const b = stroke[j + 1]!;
    const span = lengths[j + 1]! - lengths[j]!;
    const t = span > 0 ? (target - lengths[j]!) / span : 0;
    out.push({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
  }
  return out;
}

/** Turn a finished pointer gesture into a prompt action (frame pixels), or null if it is not one. */
export function gestureToAction({ tool, negative, dragged, stroke, width, height }: FinishedGesture): PromptAction | null {
  if (stroke.length === 0) return null;
  const label = negative ? 0 : 1;
  const inFrame = (p: FramePoint): FramePoint => ({ x: round(clamp(p.x, 0, width - 1)), y: round(clamp(p.y, 0, height - 1)) });
  if (tool === 'brush') {
    const points = sampleStroke(stroke).map((p) => ({ ...inFrame(p), label }) as const);
    return { kind: 'brush', points };
  }
  const start = stroke[0]!;
  if (!dragged) return { kind: 'point', points: [{ ...inFrame(start), label }] };
  const end = stroke[stroke.length - 1]!;
  const x0 = round(clamp(Math.min(start.x, end.x), 0, width));
  const y0 = round(clamp(Math.min(start.y, end.y), 0, height));
  const x1 = round(clamp(Math.max(start.x, end.x), 0, width));
  const y1 = round(clamp(Math.max(start.y, end.y), 0, height));
  if (x1 - x0 < 1 || y1 - y0 < 1) return { kind: 'point', points: [{ ...inFrame(start), label }] };
  return { kind: 'box', box: [x0, y0, x1, y1] };
}

/** The prompt message for a class's actions on one frame: all points (newest 32) and the latest box. */
export function mergePrompt(className: string, frame: number, actions: readonly PromptAction[]): PromptMessage {
  const points = actions.flatMap((a) => a.points ?? []).slice(-MAX_PROMPT_POINTS);
  const box = actions.reduce<Box | undefined>((found, a) => a.box ?? found, undefined);
  return { type: 'prompt', frame, class: className, ...(points.length ? { points } : {}), ...(box ? { box } : {}) };
}

/** Per class, the frame last prompted and the actions drawn on it (newest last). */
export class PromptHistory {
  private readonly byClass = new Map<string, { frame: number; actions: HistoryEntry[] }>();

  /**
   * Record an action drawn on `frame`. Returns the prompt message to send and the stored action
   * (pass it to `remove` if the server refuses the prompt).
   */
  add(className: string, frame: number, action: PromptAction, shownUntil: number): { message: PromptMessage; entry: HistoryEntry } {
    let current = this.byClass.get(className);
    if (!current || current.frame !== frame) {
      current = { frame, actions: [] };
      this.byClass.set(className, current);
    }
    const entry: HistoryEntry = { ...action, shownUntil };
    current.actions.push(entry);
    return { message: mergePrompt(className, frame, current.actions), entry };
  }

  /** Forget one stored action (e.g. one the server refused). */
  remove(className: string, entry: HistoryEntry): void {
    const current = this.byClass.get(className);
    if (!current) return;
    current.actions = current.actions.filter((a) => a !== entry);
    if (current.actions.length === 0) this.byClass.delete(className);
  }

  /**
   * Drop the class's last action. Returns null when there is nothing to undo, else the prompt that
   * re-creates the remaining actions (null when none remain).
   */
  undo(className: string, shownUntil: number): { resend: PromptMessage | null } | null {
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

  clear(className?: string): void {
    if (className === undefined) this.byClass.clear();
    else this.byClass.delete(className);
  }

  /** Actions whose markers are still shown (and all those drawn on `frozenFrame`), with their class name. */
  visible(framesReceived: number, frozenFrame?: number): (HistoryEntry & { className: string })[] {
    const out: (HistoryEntry & { className: string })[] = [];
    for (const [className, entry] of this.byClass) {
      const keep = entry.frame === frozenFrame;
      for (const action of entry.actions) if (keep || action.shownUntil > framesReceived) out.push({ className, ...action });
    }
    return out;
  }
}
