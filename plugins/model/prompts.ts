/** Human prompts in source-frame pixels, and their encoding into the decoder's point slots. */
import type { Letterbox } from './letterbox.js';

export type PromptMode = 'auto' | 'semi' | 'manual';
export const PROMPT_MODES: readonly PromptMode[] = ['auto', 'semi', 'manual'];

export interface PointPrompt {
  readonly x: number;
  readonly y: number;
  /** 1 = positive (object), 0 = negative (background). */
  readonly label: 0 | 1;
}

export interface FramePrompts {
  readonly points?: readonly PointPrompt[];
  /** [x0, y0, x1, y1] */
  readonly box?: readonly [number, number, number, number];
}

export const LABEL = { padding: -1, negative: 0, positive: 1, boxTopLeft: 2, boxBottomRight: 3 } as const;

/** Point slots for one object: [learned box TL, learned box BR, manual box?, clicks...] in model pixels.
 * `learnedBox` is normalised to the model input; it is used only when the learned prompts are. */
export function encodePoints(
  learnedBox: ArrayLike<number> | null,
  prompts: FramePrompts | undefined,
  geometry: Letterbox,
): { coords: number[]; labels: number[] } {
  const s = geometry.size;
  const k = geometry.scale;
  const coords: number[] = [];
  const labels: number[] = [];
  if (learnedBox) {
    coords.push(learnedBox[0]! * s, learnedBox[1]! * s, learnedBox[2]! * s, learnedBox[3]! * s);
    labels.push(LABEL.boxTopLeft, LABEL.boxBottomRight);
  } else {
    coords.push(0, 0, 0, 0);
    labels.push(LABEL.padding, LABEL.padding);
  }
  if (prompts?.box) {
    const [x0, y0, x1, y1] = prompts.box;
    coords.push(x0 * k, y0 * k, x1 * k, y1 * k);
    labels.push(LABEL.boxTopLeft, LABEL.boxBottomRight);
  }
  for (const p of prompts?.points ?? []) {
    coords.push(p.x * k, p.y * k);
    labels.push(p.label);
  }
  return { coords, labels };
}

export function hasPrompts(prompts: FramePrompts | undefined): boolean {
  return Boolean(prompts && (prompts.box || (prompts.points && prompts.points.length > 0)));
}
