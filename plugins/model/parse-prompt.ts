/** Human prompts arriving as JSON (the WebSocket `prompt` message, `segment --prompts` files): one schema
 * gives their type, checks and messages, which say which field was wrong and where
 * (`prompt.points[0]: expected numeric x and y`, `clip.json[3].box: expected [x0, y0, x1, y1]`). */
import * as z from 'zod';
import { checkSchema, says } from '../../src/core/schema/schema-errors.js';
import { PromptError, type HumanPrompt } from './segmentation-session.js';
import type { PointPrompt } from './prompts.js';

const isCoordinate = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const numericXY = says('expected numeric x and y');

/** { x, y, label: 1 (positive, the default) | 0 (negative) }. x and y are checked together, so that the
 * message names the point. */
const point = z
  .strictObject(
    {
      x: z.unknown().optional(),
      y: z.unknown().optional(),
      label: z.literal([0, 1], { error: says('expected 1 (positive) or 0 (negative)') }).optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? numericXY(issue) : undefined) },
  )
  .refine((p) => isCoordinate(p.x) && isCoordinate(p.y), { error: numericXY })
  .transform((p): PointPrompt => ({ x: p.x as number, y: p.y as number, label: p.label ?? 1 }));

/** { frame, class, points?: [{x, y, label}], box?: [x0, y0, x1, y1] } -> HumanPrompt. Coordinates are
 * source-frame pixels; whether they lie inside the frame is the session's check (it knows the frame). */
export const humanPromptSchema = z
  .strictObject(
    {
      frame: z.int({ error: says('expected a frame index, an integer >= 0') }).nonnegative(),
      class: z.string({ error: says('expected a class name') }),
      points: z
        .array(point, { error: says('expected a list of {x, y, label}') })
        .max(32, { error: 'at most 32 points per prompt' })
        .optional(),
      box: z.tuple([z.number(), z.number(), z.number(), z.number()], { error: says('expected [x0, y0, x1, y1]') }).optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'a prompt must be an object' : undefined) },
  )
  .refine((p) => p.box !== undefined || (p.points?.length ?? 0) > 0, { error: 'a prompt needs points or a box' })
  .transform((p): HumanPrompt => ({ frame: p.frame, className: p.class, points: p.points, box: p.box }));

/** One prompt; `where` starts each message (`prompt` for a WebSocket message, `FILE[i]` in a file). */
export function parseHumanPrompt(value: unknown, where: string): HumanPrompt {
  const checked = checkSchema(humanPromptSchema, value, where, 'path');
  if (!checked.ok) throw new PromptError(checked.message);
  return checked.value;
}
