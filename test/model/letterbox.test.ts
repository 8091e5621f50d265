/** The runtime's letterbox must give the pixels training saw (PIL's antialiased bilinear resize). */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readGreyImage } from '../../src/core/frames/read-image.js';
import { letterboxGeometry, letterboxGrey } from '../../plugins/model/letterbox.js';

const run = promisify(execFile);

describe('letterbox', () => {
  it.each([
    ['hc18_fetal_head_us/images/010_HC.png'],
    ['lumbar_spine_bone_us/images/lumbar_f0182.jpg'],
  ])('matches training preprocessing on %s', async (rel) => {
    const file = path.resolve('../shared/datasets', rel);
    const script = [
      'import sys',
      'from PIL import Image',
      'from training.data.datasets import letterbox, load_grey',
      'import numpy as np',
      `a = letterbox(load_grey(${JSON.stringify(file)}), 256, Image.BILINEAR)`,
      'sys.stdout.buffer.write(np.round(a).astype(np.uint8).tobytes())',
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script], { encoding: 'buffer', maxBuffer: 1 << 20 });
    const image = await readGreyImage(file);
    const ours = letterboxGrey(image.data, letterboxGeometry(image.width, image.height, 256));
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - stdout[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});
