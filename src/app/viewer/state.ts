// The viewer's state, shared by its modules (one object, mutated in place; the render loop reads it).
import type { FramePoint } from './coords.js';
import type { ViewerFrame } from './frames.js';
import type { Tool } from './prompts.js';

/** A pointer gesture in progress on the canvas. */
export interface Gesture {
  readonly pointerId: number;
  readonly tool: Tool;
  readonly negative: boolean;
  /** Index of the frame on screen when the gesture started: the prompt is sent for it. */
  readonly frame: number;
  readonly width: number;
  readonly height: number;
  /** Where the press was, in client pixels (for the drag threshold). */
  readonly start: { readonly x: number; readonly y: number };
  /** Every pointer position, in frame pixels; the first is the press. */
  readonly stroke: FramePoint[];
  dragged: boolean;
}

export interface ViewerState {
  /** Latest decoded frame; older ones are never drawn (the display keeps up, not catches up). */
  frame: ViewerFrame | null;
  /** The frame on screen: prompts are drawn on (and sent for) this one. */
  displayed: ViewerFrame | null;
  /** The frame (with its overlay) must be drawn again. */
  frameDirty: boolean;
  /** Only the marks over the frame must be drawn again. */
  overlayDirty: boolean;
  framesReceived: number;
  /** className by class value (manifest index + 1). From status `session.classes`, else frame results. */
  classes: Map<number, string>;
  /** True once the server described its session; frame results are then not used for the class list. */
  haveSession: boolean;
  tracked: string[];
  /** Session mode as last reported ('' until known). */
  mode: string;
  tool: Tool;
  /** Class that prompts are drawn for; follows the first tracked class until the user picks one. */
  promptClass: string;
  promptClassPicked: boolean;
  /** The pointer gesture in progress. */
  gesture: Gesture | null;
  /** While frozen the display keeps its frame (frames still arrive and are counted). */
  frozen: boolean;
  /** Frozen: the frame to show (the one on screen when frozen, or one stepped to: frame-history.ts). */
  pinned: ViewerFrame | null;
  /** Class values not drawn on screen (their tracking goes on). */
  hidden: Set<number>;
}

export function initialState(): ViewerState {
  return {
    frame: null,
    displayed: null,
    frameDirty: false,
    overlayDirty: false,
    framesReceived: 0,
    classes: new Map(),
    haveSession: false,
    tracked: [],
    mode: '',
    tool: 'point',
    promptClass: '',
    promptClassPicked: false,
    gesture: null,
    frozen: false,
    pinned: null,
    hidden: new Set(),
  };
}

/** The class value of a class name (1 if unknown). */
export function valueOf(state: ViewerState, className: string): number {
  for (const [value, name] of state.classes) if (name === className) return value;
  return 1;
}
