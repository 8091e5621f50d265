/** Masks found as row spans (maskSpans, paintMask) are the masks per-pixel sampling paints: the same
 * pixels, area and box, over random logits, logit grids, letterbox geometries and thresholds, ties and
 * the all-or-nothing cases included. */
import { describe, expect, it } from 'vitest';
import { letterboxGeometry } from '../../plugins/model/letterbox.js';
import { maskSpans, paintMask } from '../../plugins/model/mask-upsample.js';
import { paintEllipseMask } from '../../plugins/model/shape-prior.js';
import { paintMaskPerPixel } from '../helpers/paint-reference.js';
import { seeded } from '../helpers/seeded-random.js';

/** Logit maps m x m of several kinds, for a threshold t. */
function logitMaps(m: number, t: number, rnd: () => number): [string, Float32Array][] {
  const map = (f: (x: number, y: number) => number) => {
    const out = new Float32Array(m * m);
    for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) out[y * m + x] = f(x, y);
    return out;
  };
  const blobs = Array.from({ length: 3 }, () => [rnd() * m, rnd() * m, 1 + rnd() * m * 0.4, 0.3 + rnd() * 2]);
  const levels = [t, t, t - 1, t + 1, t + 0.5, Math.fround(t + 1e-7)];
  return [
    ['blobs', map((x, y) => Math.max(-8, ...blobs.map(([cx, cy, r, k]) => (r! - Math.hypot(x - cx!, y - cy!)) * k!)) + t)],
    ['noise', map(() => t + (rnd() - 0.5) * 6)],
    ['ties', map(() => levels[Math.floor(rnd() * levels.length)]!)],
    ['plateau', map((x, y) => (Math.hypot(x - m / 2, y - m / 3) < m / 4 ? t : t - 2))], // exactly at t
    ['all above', map(() => t + 1 + rnd())],
    ['none above', map(() => t - 1 - rnd())],
    ['at threshold', map(() => t)],
    ['corners', map((x, y) => ((x === 0 || x === m - 1) && (y === 0 || y === m - 1) ? t + 3 : t - 3))],
  ];
}

describe('masks from row spans', () => {
  it('paint exactly the pixels, area and box of per-pixel sampling', () => {
    const rnd = seeded(18);
    const geometries = [
      [1920, 1080, 256],
      [1920, 1080, 1024],
      [640, 432, 256],
      [458, 638, 256],
      [37, 23, 256],
      [301, 299, 96],
      [1, 1, 256],
    ] as const;
    let cases = 0;
    let painted = 0;
    for (const [w, h, size] of geometries) {
      const box = letterboxGeometry(w, h, size);
      const fast = new Uint8Array(w * h);
      const slow = new Uint8Array(w * h);
      for (const m of [8, 13, 32, 64]) {
        for (const t of [0, -0.5, 0.7, Math.fround(-2.3)]) {
          for (const [kind, logits] of logitMaps(m, t, rnd)) {
            // Pixels outside the mask are left as they were.
            for (let i = 0; i < w * h; i += 97) fast[i] = slow[i] = 9;
            const got = paintMask(logits, m, box, 3, fast, t);
            const want = paintMaskPerPixel(logits, m, box, 3, slow, t);
            const at = `${w}x${h}/${size} m=${m} t=${t} ${kind}`;
            expect(got, at).toEqual(want);
            expect(Buffer.from(fast).equals(Buffer.from(slow)), at).toBe(true);
            cases++;
            if (want.area > 0) painted++;
            fast.fill(0);
            slow.fill(0);
          }
        }
      }
    }
    expect(cases).toBe(7 * 4 * 4 * 8);
    expect(painted).toBeGreaterThan(cases / 2);
  });

  it('give spans in order, disjoint and not touching, with the area and box of their pixels', () => {
    const rnd = seeded(5);
    const m = 32;
    const box = letterboxGeometry(1000, 700, 256);
    for (const [, logits] of logitMaps(m, 0, rnd)) {
      const spans = maskSpans(logits, m, box, 0);
      let area = 0;
      for (let r = 0; r + 1 < spans.rowStart.length; r++) {
        let end = -1;
        for (let i = spans.rowStart[r]!; i < spans.rowStart[r + 1]!; i++) {
          const [x0, x1] = [spans.xs[2 * i]!, spans.xs[2 * i + 1]!];
          expect(x0).toBeGreaterThan(end);
          expect(x1).toBeGreaterThan(x0);
          expect(x0 >= spans.bounds[0] && x1 <= spans.bounds[2]).toBe(true);
          end = x1;
          area += x1 - x0;
        }
      }
      expect(area).toBe(spans.area);
    }
  });

  it('paint a crop straight into the source frame\'s mask at the crop\'s place (plain and ellipse)', () => {
    const rnd = seeded(7);
    const [sw, sh] = [97, 61];
    const roi = { x: 13, y: 9, width: 64, height: 41 };
    const box = letterboxGeometry(roi.width, roi.height, 64);
    const at = { stride: sw, x: roi.x, y: roi.y };
    for (const [kind, logits] of logitMaps(16, 0, rnd)) {
      for (const paint of [
        (out: Uint8Array, place?: typeof at) => paintMask(logits, 16, box, 5, out, 0, place).area,
        (out: Uint8Array, place?: typeof at) => paintEllipseMask(logits, 16, box, 5, out, 0, place).area,
      ]) {
        const crop = new Uint8Array(roi.width * roi.height);
        const areaInCrop = paint(crop);
        const source = new Uint8Array(sw * sh);
        expect(paint(source, at), kind).toBe(areaInCrop);
        const expected = new Uint8Array(sw * sh);
        for (let y = 0; y < roi.height; y++) expected.set(crop.subarray(y * roi.width, (y + 1) * roi.width), (roi.y + y) * sw + roi.x);
        expect(Buffer.from(source).equals(Buffer.from(expected)), kind).toBe(true);
      }
    }
  });
});
