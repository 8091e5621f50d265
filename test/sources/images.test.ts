import { mkdir } from 'node:fs/promises';
import { firstValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../plugins/sources/index.js';
import { readImageHeader } from '../../plugins/sources/image-header.js';
import { makeImage, makeTempDir, mean } from './clips.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(() => temp.remove());

describe('images folder source', () => {
  it('plays .png and .jpg in natural name order, scaling odd sizes to the first with a warning', async () => {
    const dir = `${temp.dir}/cine`;
    await mkdir(dir);
    await makeImage(`${dir}/img1.png`, '40x30', 0x20);
    await makeImage(`${dir}/img2.png`, '40x30', 0x40);
    await makeImage(`${dir}/img3.jpg`, '50x20', 0xa0);
    await makeImage(`${dir}/img10.png`, '40x30', 0x60);
    expect(await readImageHeader(`${dir}/img3.jpg`)).toEqual({ format: 'jpeg', width: 50, height: 20 });

    const warnings: string[] = [];
    const source = await openSource(dir, { realtime: false, onWarning: (w) => warnings.push(w) });
    expect(source).toMatchObject({ kind: 'images', info: { width: 40, height: 30, frameCount: 4 } });
    expect(warnings).toEqual([expect.stringMatching(/1 of 4 images are not 40x30.*img3\.jpg is 50x20.*scaled to 40x30/)]);

    const frames = await firstValueFrom(source.frames.pipe(toArray()));
    expect(frames.map((f) => [f.index, f.width, f.height])).toEqual([0, 1, 2, 3].map((i) => [i, 40, 30]));
    const levels = frames.map((f) => mean(f.data));
    [0x20, 0x40, 0xa0, 0x60].forEach((level, i) => expect(Math.abs(levels[i]! - level)).toBeLessThan(5));
  });

  it('rejects a folder without images, and a broken image, naming them', async () => {
    const empty = `${temp.dir}/empty`;
    await mkdir(empty);
    await expect(openSource(empty)).rejects.toThrow(`${empty}: no .png or .jpg images in this directory`);
    const broken = `${temp.dir}/broken`;
    await mkdir(broken);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${broken}/a.png`, 'not a png');
    await expect(openSource(broken)).rejects.toThrow(`${broken}/a.png: not a PNG or JPEG image`);
  });
});
