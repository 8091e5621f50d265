import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frames/frame.js';
import { boxToSource, cropFrame } from '../../src/core/frames/roi.js';
import { cropToRoi } from '../../src/core/frames/roi-crop.js';
import { detectRoi, type RoiDetection } from '../../src/core/frames/roi-detection.js';

const W = 320;
const H = 240;
/** The ultrasound image inside the synthetic scanner screen. */
const IMAGE = { x: 60, y: 30, width: 200, height: 170 };

/** Deterministic pseudo-random numbers (LCG), so the test never depends on chance. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A scanner screen: static UI (text, a grey-scale panel right next to the image, a logo), a small clock
 * that changes, and the image: speckle that changes every frame, with dark quiet fluid inside. */
function screen(index: number): Frame {
  const random = rng(index + 1);
  const data = new Uint8Array(W * H);
  const fill = (x0: number, y0: number, w: number, h: number, value: (x: number, y: number) => number) => {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * W + x] = value(x, y);
  };
  fill(4, 4, 80, 10, (x) => (x % 4 < 2 ? 200 : 0)); // header text
  fill(264, 40, 20, 150, (_, y) => 40 + y); // grey-scale panel, 4 px right of the image
  fill(270, 220, 40, 14, () => 180); // logo
  fill(4, 225, 20, 10, () => (index % 2 ? 230 : 90)); // clock
  fill(IMAGE.x, IMAGE.y, IMAGE.width, IMAGE.height, () => 40 + Math.floor(random() * 180)); // speckle
  fill(120, 80, 60, 50, () => Math.floor(random() * 6)); // fluid
  return { index, width: W, height: H, data, timestamps: {} };
}

const frames = Array.from({ length: 40 }, (_, i) => screen(i));

describe('ROI detection', () => {
  it('finds the moving image inside static scanner UI, even UI touching it', () => {
    const samples = [0, 4, 8, 12, 16, 20, 24, 28].map((i) => frames[i]!);
    expect(detectRoi(samples)).toEqual({ rect: IMAGE, method: 'motion' });
  });

  it('falls back to the largest non-dark region on a single (frozen) frame', () => {
    // Without motion a panel as wide as the image's own parts cannot be told apart from it: the crop includes it.
    expect(detectRoi([frames[0]!])).toEqual({ rect: { ...IMAGE, width: 284 - IMAGE.x }, method: 'brightness' });
  });

  it('leaves out text and thin bars drawn against the image on a single frame', () => {
    // Like Radiopaedia screen grabs: a column of scanner settings touching the image's left edge, a
    // depth scale touching its right edge.
    const random = rng(3);
    const data = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inImage = x >= IMAGE.x && x < IMAGE.x + IMAGE.width && y >= IMAGE.y && y < IMAGE.y + IMAGE.height;
        const text = x >= 20 && x < IMAGE.x && y >= 40 && y < 120 && y % 8 < 5 && (x * 3 + y) % 5 < 3;
        const scale = x >= IMAGE.x + IMAGE.width && x < IMAGE.x + IMAGE.width + 4 && y >= 40 && y < 190;
        data[y * W + x] = inImage ? 40 + Math.floor(random() * 180) : text || scale ? 230 : 0;
      }
    }
    // The box grows by one block (3 px here) past the image's solid core to reach its edge pixels, so it
    // keeps what touches the image within that block: 3 px of text, the 4 px scale.
    const rect = { x: IMAGE.x - 3, y: IMAGE.y, width: IMAGE.width + 7, height: IMAGE.height };
    expect(detectRoi([{ index: 0, width: W, height: H, data, timestamps: {} }])).toEqual({ rect, method: 'brightness' });
  });

  it("keeps a low-gain image's deep field, darker than 16 grey but not the screen's flat black", () => {
    // Like many HC18 frames: the lower half of the image is speckle of grey 2-9 on a screen of 0-1.
    const random = rng(7);
    const data = Uint8Array.from({ length: W * H }, () => (random() < 0.1 ? 1 : 0));
    for (let y = IMAGE.y; y < IMAGE.y + IMAGE.height; y++) {
      const deep = y >= IMAGE.y + IMAGE.height / 2;
      for (let x = IMAGE.x; x < IMAGE.x + IMAGE.width; x++) data[y * W + x] = deep ? 2 + Math.floor(random() * 8) : 40 + Math.floor(random() * 180);
    }
    expect(detectRoi([{ index: 0, width: W, height: H, data, timestamps: {} }])).toEqual({ rect: IMAGE, method: 'brightness' });
  });

  it('gives the full frame for a black screen', () => {
    const black: Frame = { index: 0, width: W, height: H, data: new Uint8Array(W * H), timestamps: {} };
    expect(detectRoi([black, black])).toEqual({ rect: { x: 0, y: 0, width: W, height: H }, method: 'full-frame' });
  });
});

describe('cropToRoi', () => {
  it('auto: crops from the first frame, then switches to the motion ROI once after sampling', async () => {
    const changes: [RoiDetection['method'], number][] = [];
    const cropped = await firstValueFrom(
      from(frames).pipe(
        cropToRoi('auto', { samples: 6, sampleEvery: 2, redetectEvery: 0, onChange: (d, f) => changes.push([d.method, f.index]) }),
        toArray(),
      ),
    );
    expect(changes).toEqual([['brightness', 0], ['motion', 10]]);
    expect(cropped[0]!.roi).toEqual({ ...IMAGE, width: 224 });
    for (const frame of cropped.slice(10)) {
      expect(frame).toMatchObject({ roi: IMAGE, width: IMAGE.width, height: IMAGE.height, sourceWidth: W, sourceHeight: H });
    }
    // The crop holds the source pixels.
    const last = cropped.at(-1)!;
    expect(last.data[0]).toBe(frames[39]!.data[IMAGE.y * W + IMAGE.x]);
  });

  it('a fixed rectangle crops every frame; one outside the frame is a clear error', async () => {
    const rect = { x: 10, y: 20, width: 30, height: 40 };
    const [frame] = await firstValueFrom(from(frames.slice(0, 1)).pipe(cropToRoi(rect), toArray()));
    expect(frame).toMatchObject({ roi: rect, width: 30, height: 40 });
    await expect(firstValueFrom(from(frames).pipe(cropToRoi({ x: 300, y: 0, width: 40, height: 10 })))).rejects.toThrow(
      'ROI 40x10 at (300, 0) does not fit in the 320x240 frame',
    );
  });

  it("'none' passes the frame whole without copying", async () => {
    const frame = await firstValueFrom(from(frames.slice(0, 1)).pipe(cropToRoi('none')));
    expect(frame.data).toBe(frames[0]!.data);
    expect(frame.roi).toEqual({ x: 0, y: 0, width: W, height: H });
  });
});

describe('mapping results back', () => {
  it('places a crop box into source coordinates', () => {
    const crop = cropFrame(frames[0]!, { x: 5, y: 7, width: 3, height: 2 });
    expect(boxToSource([0, 0, 2, 1], crop)).toEqual([5, 7, 7, 8]);
  });
});
