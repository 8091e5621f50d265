/** `sam2rad roi`: the crop `--roi auto` gives a screen grab, as JSON lines (training reads them too). */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = 'dist/src/cli/main.js';
let root: string;

/** A 640x480 dark screen with a speckled 300x200 "image" at (250, 150) and a bright label at (10, 10). */
async function screenGrab(file: string): Promise<void> {
  const png = new PNG({ width: 640, height: 480 });
  for (let y = 0; y < 480; y++) {
    for (let x = 0; x < 640; x++) {
      const inImage = x >= 250 && x < 550 && y >= 150 && y < 350;
      const inLabel = x >= 10 && x < 90 && y >= 10 && y < 30;
      const v = inImage ? 40 + ((x * 7919 + y * 104729) % 160) : inLabel ? 255 : 5;
      png.data.set([v, v, v, 255], (y * 640 + x) * 4);
    }
  }
  await writeFile(file, PNG.sync.write(png));
}

describe('sam2rad roi', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-roi-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('prints the image rectangle of each screen grab', async () => {
    const file = path.join(root, 'grab.png');
    await screenGrab(file);
    const { stdout } = await run('node', [CLI, 'roi', file, file]);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ file, width: 640, height: 480, rect: { x: 250, y: 150, width: 300, height: 200 }, method: 'brightness' });
  });

  it('names an image it cannot read', async () => {
    await expect(run('node', [CLI, 'roi', path.join(root, 'missing.png')])).rejects.toMatchObject({
      stderr: expect.stringMatching(/missing\.png: cannot decode image/),
    });
  });
});
