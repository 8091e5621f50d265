/** One overlay-blending kernel (src/core/frames/overlay-blend.ts) behind the recorded overlay.mp4, the
 * viewer's canvas and eval's overlay PNGs: the same pixels for the same inputs, and the same pixels each
 * of them drew with its own copy before the kernel was shared (the references below). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { classColour } from '../../src/core/frames/class-colours.js';
import { blendOverlay } from '../../src/core/frames/overlay-blend.js';
import { OVERLAY_ALPHA, renderOverlay } from '../../plugins/sinks/overlay.js';
import { writeOverlayPng } from '../../src/app/eval/overlay-png.js';
import { drawFrame, Scratch } from '../../src/app/viewer/render.js';
import type { DecodedFrameMessage } from '../../src/app/server/wire-format.js';
import { syntheticFrame } from '../server/synthetic-frames.js';

const { width, height, data: grey, classMap } = syntheticFrame(7, { width: 61, height: 47, twoClasses: true });

/** An outline pixel: labelled, on the frame edge or next to another label. */
function isEdge(labels: Uint8Array, x: number, y: number): boolean {
  const i = y * width + x;
  const c = labels[i];
  return x === 0 || y === 0 || x === width - 1 || y === height - 1 ||
    labels[i - 1] !== c || labels[i + 1] !== c || labels[i - width] !== c || labels[i + width] !== c;
}

/** The recorder's pixels before the kernel was shared (plugins/sinks/overlay.ts): rgb24. */
function referenceRecording(): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const g = grey[i]!;
      const c = classMap[i]!;
      const rgb = c === 0 ? [g, g, g]
        : isEdge(classMap, x, y) ? [...classColour(c)]
        : classColour(c).map((v) => Math.round(g * (1 - OVERLAY_ALPHA) + v * OVERLAY_ALPHA));
      out.set(rgb, i * 3);
    }
  }
  return out;
}

/** Eval's overlay PNG before the kernel was shared: prediction red at half opacity, truth outlined green. */
function referenceEval(pred: Uint8Array, truth: Uint8Array): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const g = grey[i]!;
      let rgb = pred[i] ? [Math.round(g * 0.5 + 127), Math.round(g * 0.5), Math.round(g * 0.5)] : [g, g, g];
      if (truth[i] && isEdge(truth, x, y)) rgb = [0, 255, 0];
      out.set([...rgb, 255], i * 4);
    }
  }
  return out;
}

/** The viewer's drawFrame on a stand-in 2D context: the RGBA pixels it puts on the canvas. */
function viewerPixels(opacity: number, style: 'fill' | 'contour'): Uint8ClampedArray {
  let put: Uint8ClampedArray | null = null;
  const ctx = {
    createImageData: (w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }),
    putImageData: (image: { data: Uint8ClampedArray }) => {
      put = image.data;
    },
  } as unknown as CanvasRenderingContext2D;
  const frame = { header: { width, height }, grey, classMap } as unknown as DecodedFrameMessage;
  drawFrame(ctx, frame, { opacity, style, hidden: new Set() }, new Scratch());
  return put!;
}

const rgbOf = (rgba: Uint8Array | Uint8ClampedArray) => Uint8Array.from({ length: width * height * 3 }, (_, k) => rgba[Math.floor(k / 3) * 4 + (k % 3)]!);

describe('the overlay-blending kernel', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('gives the same pixels for the same inputs, in rgb24 and RGBA', () => {
    const layers = [{ labels: classMap, fill: 0.4, outline: true }];
    const a = new Uint8Array(width * height * 3);
    const b = new Uint8Array(width * height * 3);
    blendOverlay(grey, width, height, layers, { data: a, channels: 3 });
    blendOverlay(grey, width, height, layers, { data: b, channels: 3 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const rgba = new Uint8ClampedArray(width * height * 4);
    blendOverlay(grey, width, height, layers, { data: rgba, channels: 4 });
    expect(Buffer.from(rgbOf(rgba)).equals(Buffer.from(a))).toBe(true);
    expect(rgba.filter((_, k) => k % 4 === 3).every((v) => v === 255)).toBe(true);
  });

  it('draws one layer (its own fast path) as the general path does: fills, outline or not, rgb24, RGBA, unaligned', () => {
    const empty = new Uint8Array(width * height);
    for (const fill of [0, 0.25, 0.4, 0.5, 1]) {
      for (const outline of [true, false]) {
        for (const colour of [undefined, (c: number) => [c * 40, 255 - c * 30, 77] as const]) {
          const layer = { labels: classMap, fill, outline, colour };
          // An empty second layer draws nothing but takes the general (several-layer) path.
          const general = { data: new Uint8Array(width * height * 4), channels: 4 } as const;
          blendOverlay(grey, width, height, [layer, { labels: empty, fill: 0.5, outline: true }], general);
          const rgba = { data: new Uint8ClampedArray(width * height * 4), channels: 4 } as const;
          blendOverlay(grey, width, height, [layer], rgba);
          expect(Buffer.from(rgba.data).equals(Buffer.from(general.data))).toBe(true);
          // Byte by byte where the target is not word-aligned.
          const unaligned = { data: new Uint8ClampedArray(width * height * 4 + 1).subarray(1), channels: 4 } as const;
          blendOverlay(grey, width, height, [layer], unaligned);
          expect(Buffer.from(unaligned.data).equals(Buffer.from(general.data))).toBe(true);
          const rgb = { data: new Uint8Array(width * height * 3), channels: 3 } as const;
          blendOverlay(grey, width, height, [layer], rgb);
          expect(Buffer.from(rgb.data).equals(Buffer.from(rgbOf(general.data)))).toBe(true);
        }
      }
    }
  });

  it('computes a small case by hand: solid outline, blended inside, grey elsewhere', () => {
    // 4x4 frame, grey 100, class 1 on the inner 2x2 plus the column x = 3 on rows 1..2 (touching the edge).
    const g = new Uint8Array(16).fill(100);
    const labels = Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0]);
    const out = new Uint8Array(16 * 3);
    blendOverlay(g, 4, 4, [{ labels, fill: 0.5, outline: true, colour: () => [200, 0, 50] }], { data: out, channels: 3 });
    const px = (i: number) => [...out.subarray(i * 3, i * 3 + 3)];
    expect(px(0)).toEqual([100, 100, 100]);
    expect(px(5)).toEqual([200, 0, 50]); // next to background: outline
    expect(px(7)).toEqual([200, 0, 50]); // frame edge: outline
    const inside = new Uint8Array(16 * 3);
    blendOverlay(g, 4, 4, [{ labels, fill: 0.5, outline: false, colour: () => [200, 0, 50] }], { data: inside, channels: 3 });
    expect([...inside.subarray(15, 18)]).toEqual([150, 50, 75]); // pixel 5 filled: 100 * 0.5 + colour * 0.5
  });

  it('draws the recorded overlay as the recorder always did', () => {
    const recorded = renderOverlay(grey, classMap, width, height);
    expect(recorded.equals(Buffer.from(referenceRecording()))).toBe(true);
  });

  it('draws the viewer canvas at the recording opacity exactly like overlay.mp4', () => {
    const rgba = viewerPixels(OVERLAY_ALPHA, 'fill');
    expect(Buffer.from(rgbOf(rgba)).equals(renderOverlay(grey, classMap, width, height))).toBe(true);
  });

  it('draws the viewer contour style as outline only, and nothing at opacity 0', () => {
    const contour = rgbOf(viewerPixels(0.7, 'contour'));
    const none = rgbOf(viewerPixels(0, 'fill'));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const g = grey[i]!;
        const c = classMap[i]!;
        const expected = c !== 0 && isEdge(classMap, x, y) ? [...classColour(c)] : [g, g, g];
        expect([...contour.subarray(i * 3, i * 3 + 3)]).toEqual(expected);
        expect([...none.subarray(i * 3, i * 3 + 3)]).toEqual([g, g, g]);
      }
    }
  });

  it("draws eval's overlay PNGs as before: prediction filled red, truth outlined green", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-overlay-'));
    dirs.push(dir);
    const pred = classMap.map((v) => (v === 1 ? 1 : 0));
    const truth = classMap.map((v) => (v === 2 ? 1 : 0));
    truth.fill(1, 20 * width + 10, 20 * width + 30); // overlap the prediction
    const file = path.join(dir, 'x.png');
    await writeOverlayPng(file, grey, pred, truth, width, height);
    const png = PNG.sync.read(await readFile(file));
    expect([png.width, png.height]).toEqual([width, height]);
    expect(Buffer.from(png.data).equals(Buffer.from(referenceEval(pred, truth)))).toBe(true);
  });
});
