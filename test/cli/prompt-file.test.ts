/** `sam2rad segment --prompts FILE`: the file is checked against the prompt schema, and every error names
 * the file and the field (`clip.json[1].box: …`). */
import { describe, expect, it } from 'vitest';
import { parsePromptFile } from '../../src/app/cli/prompt-file.js';

describe('prompt files', () => {
  it('reads a list of prompts, with a point label of 1 unless given', () => {
    const text = JSON.stringify([
      { frame: 5, class: 'lumbar_bone', box: [50, 100, 200, 190], points: [{ x: 120, y: 140 }, { x: 80.5, y: 90, label: 0 }] },
      { frame: 9, class: 'hip_bone', box: [1, 2, 3, 4] },
    ]);
    expect(parsePromptFile('clip.json', text)).toEqual([
      { frame: 5, className: 'lumbar_bone', box: [50, 100, 200, 190], points: [{ x: 120, y: 140, label: 1 }, { x: 80.5, y: 90, label: 0 }] },
      { frame: 9, className: 'hip_bone', box: [1, 2, 3, 4], points: undefined },
    ]);
  });

  it.each([
    ['{"frame": ', /^clip\.json: not valid JSON/],
    ['{"frame": 1}', 'clip.json: expected a JSON list of prompts (got {"frame":1})'],
    ['[{"frame": 1, "class": "hip_bone", "points": [{"x": "left", "y": 3}]}]', 'clip.json[0].points[0]: expected numeric x and y (got {"x":"left","y":3})'],
    ['[{"frame": 1, "class": "hip_bone", "box": [1, 2, 3, 4], "boxes": []}]', 'clip.json[0].boxes: is not a known field (frame, class, points, box)'],
    ['[{"frame": 1, "class": "hip_bone"}]', 'clip.json[0]: a prompt needs points or a box'],
    ['[7]', 'clip.json[0]: a prompt must be an object'],
    [
      '[{"frame": 1, "class": "hip_bone", "box": [1, 2, 3, 4]}, {"frame": 2.5, "box": [1, 2, 3]}]',
      'clip.json[1].frame: expected a frame index, an integer >= 0 (got 2.5); clip.json[1].class: expected a class name; ' +
        'clip.json[1].box: expected [x0, y0, x1, y1] (got [1,2,3])',
    ],
    [
      JSON.stringify([{ frame: 1, class: 'hip_bone', points: Array.from({ length: 33 }, () => ({ x: 1, y: 1 })) }]),
      'clip.json[0].points: at most 32 points per prompt',
    ],
  ])('names the file and the field (case %#)', (text, message) => {
    expect(() => parsePromptFile('clip.json', text)).toThrow(message);
  });
});
