import { parseHumanPrompt } from '../../../plugins/model/parse-prompt.js';
import type { HumanPrompt } from '../../../plugins/model/segmentation-session.js';

/** A `--prompts` file: a JSON list of prompts ({frame, class, points?, box?}). */
export function parsePromptFile(file: string, text: string): HumanPrompt[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(value)) throw new Error(`${file}: expected a JSON list of prompts`);
  return value.map((p, i) => parseHumanPrompt(p, `${file}[${i}]`));
}
