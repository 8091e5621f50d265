/** Validation of human prompts arriving as JSON (WebSocket messages, `segment --prompts` files).
 * Errors say which field was wrong and where. */
import { PromptError, type HumanPrompt } from './segmentation-session.js';
import type { PointPrompt } from './prompts.js';

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** { frame, class, points?: [{x, y, label: 0|1}], box?: [x0, y0, x1, y1] } -> HumanPrompt */
export function parseHumanPrompt(value: unknown, where: string): HumanPrompt {
  if (typeof value !== 'object' || value === null) throw new PromptError(`${where}: a prompt must be an object`);
  const v = value as Record<string, unknown>;
  if (!Number.isInteger(v.frame) || (v.frame as number) < 0) throw new PromptError(`${where}.frame: expected a frame index (integer >= 0)`);
  if (typeof v.class !== 'string') throw new PromptError(`${where}.class: expected a class name`);
  let points: PointPrompt[] | undefined;
  if (v.points !== undefined) {
    if (!Array.isArray(v.points)) throw new PromptError(`${where}.points: expected a list of {x, y, label}`);
    points = v.points.map((p: unknown, i) => {
      const q = p as Record<string, unknown> | null;
      if (!q || !finite(q.x) || !finite(q.y)) throw new PromptError(`${where}.points[${i}]: expected numeric x and y`);
      const label = q.label ?? 1;
      if (label !== 0 && label !== 1) throw new PromptError(`${where}.points[${i}].label: expected 1 (positive) or 0 (negative)`);
      return { x: q.x, y: q.y, label };
    });
    if (points.length > 32) throw new PromptError(`${where}.points: at most 32 points per prompt`);
  }
  let box: [number, number, number, number] | undefined;
  if (v.box !== undefined) {
    if (!Array.isArray(v.box) || v.box.length !== 4 || !v.box.every(finite)) {
      throw new PromptError(`${where}.box: expected [x0, y0, x1, y1]`);
    }
    box = v.box as [number, number, number, number];
  }
  if (!box && !points?.length) throw new PromptError(`${where}: a prompt needs points or a box`);
  return { frame: v.frame as number, className: v.class, points, box };
}
