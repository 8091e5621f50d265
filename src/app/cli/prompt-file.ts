import * as z from 'zod';
import { humanPromptSchema } from '../../../plugins/model/parse-prompt.js';
import type { HumanPrompt } from '../../../plugins/model/segmentation-session.js';
import { checkSchema, says } from '../../core/schema/schema-errors.js';

/** A `--prompts` file: a JSON list of prompts ({frame, class, points?, box?}, docs/protocol.md). */
export const promptFileSchema = z.array(humanPromptSchema, { error: says('expected a JSON list of prompts') });

/** Errors name the file and the field: `clip.json[2].points[0]: expected numeric x and y`. */
export function parsePromptFile(file: string, text: string): HumanPrompt[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const checked = checkSchema(promptFileSchema, value, file, 'path');
  if (!checked.ok) throw new Error(checked.message);
  return checked.value;
}
