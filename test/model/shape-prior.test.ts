/** The ellipse shape prior: moments recover a drawn ellipse, only the largest logit region survives,
 * and a class with the prior is painted as its ellipse end to end; the span-based moments, ellipse
 * painting and prior give what the per-pixel code did (test/helpers/paint-reference.ts). */
import { describe, expect, it } from 'vitest';
import type { Ellipse } from '../../src/core/frames/frame.js';
import { letterboxGeometry } from '../../plugins/model/letterbox.js';
import { maskSpans, paintMask } from '../../plugins/model/mask-upsample.js';
import { noSpans } from '../../plugins/model/row-spans.js';
import { ellipseSpans, keepLargestRegion, momentEllipse, paintEllipse, paintEllipseMask } from '../../plugins/model/shape-prior.js';
import { momentEllipsePerPixel, paintEllipseMaskPerPixel, paintEllipsePerPixel } from '../helpers/paint-reference.js';
import { seeded } from '../helpers/seeded-random.js';

/** Each of the ellipse's numbers within `rel` of the reference's (relative, absolute below 1). */
function expectSameEllipse(got: Ellipse | undefined, want: Ellipse | undefined, rel: number, at: string): void {
  expect(got === undefined, at).toBe(want === undefined);
  if (!got || !want) return;
  for (const key of ['cx', 'cy', 'a', 'b', 'angle'] as const) {
    expect(Math.abs(got[key] - want[key]), `${at} ${key}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want[key])));
  }
}

describe('ellipse shape prior', () => {
  it('fits the ellipse a mask was drawn from', () => {
    const [w, h] = [400, 300];
    const truth = { cx: 210.3, cy: 140.7, a: 120, b: 70, angle: 0.6 };
    const mask = new Uint8Array(w * h);
    const area = paintEllipse(truth, w, h, 3, mask);
    expect(area).toBeCloseTo(Math.PI * 120 * 70, -2);
    const fit = momentEllipse(ellipseSpans(truth, w, h))!;
    expect(fit.cx).toBeCloseTo(truth.cx, 0);
    expect(fit.cy).toBeCloseTo(truth.cy, 0);
    expect(Math.abs(fit.a - truth.a)).toBeLessThan(0.5);
    expect(Math.abs(fit.b - truth.b)).toBeLessThan(0.5);
    expect(Math.abs(fit.angle - truth.angle)).toBeLessThan(0.01);
    expect(momentEllipse(noSpans())).toBeUndefined();
  });

  it('keeps only the largest 8-connected region of the logits', () => {
    const m = 8;
    const logits = new Float32Array(m * m).fill(-4);
    for (const i of [0, 1, 8, 9, 18]) logits[i] = 2; // five cells, the last joined diagonally
    for (const i of [44, 45]) logits[i] = 3; // a separate two-cell blob
    const kept = keepLargestRegion(logits, m);
    expect([...kept].flatMap((v, i) => (v > 0 ? [i] : []))).toEqual([0, 1, 8, 9, 18]);
    expect(logits[44]).toBe(3); // the input is left as it was
    const single = new Float32Array(m * m).fill(-1);
    single[10] = 1;
    expect(keepLargestRegion(single, m)).toBe(single);
  });

  it('paints a blob of logits as one ellipse at frame resolution and drops a stray region', () => {
    const m = 64;
    const logits = new Float32Array(m * m);
    for (let y = 0; y < m; y++) {
      for (let x = 0; x < m; x++) {
        const inside = ((x - 30) / 20) ** 2 + ((y - 24) / 12) ** 2;
        logits[y * m + x] = 4 * (1 - inside) + ((x + y) % 3 === 0 ? 0.5 : 0); // ragged edge
      }
    }
    logits[5 * m + 60] = 5; // stray blob, top right (mask cell 12.5 frame pixels)
    const box = letterboxGeometry(800, 540, 256);
    const out = new Uint8Array(800 * 540);
    const { area, ellipse } = paintEllipseMask(logits, m, box, 7, out);
    expect(out[Math.round(24 * 12.5 + 6) * 800 + Math.round(30 * 12.5 + 6)]).toBe(7);
    expect(out[Math.round(5.5 * 12.5) * 800 + Math.round(60.5 * 12.5)]).toBe(0); // the stray blob is not painted
    expect(area).toBe(out.filter((v) => v === 7).length);
    expect(ellipse!.a).toBeGreaterThan(ellipse!.b * 1.4);
    expect(Math.abs(ellipse!.angle)).toBeLessThan(0.1);
  });
});

describe('ellipse prior on row spans', () => {
  it('paints exactly the pixels the per-pixel test accepts (partly outside the frame, tiny b, a < b)', () => {
    const rnd = seeded(42);
    for (const [w, h] of [[1920, 1080], [640, 432], [37, 23]] as const) {
      const fast = new Uint8Array(w * h);
      const slow = new Uint8Array(w * h);
      for (let i = 0; i < 150; i++) {
        const a = [0.4, 3, 40, 300, 900][i % 5]! * (0.5 + rnd());
        const b = i % 7 === 0 ? [1e-3, 0.05, 0.3][i % 3]! : a * (i % 11 === 0 ? 1.5 : 0.05 + rnd() * 0.95);
        const ellipse = { cx: (rnd() * 1.6 - 0.3) * w, cy: (rnd() * 1.6 - 0.3) * h, a, b, angle: (rnd() - 0.5) * 2 * Math.PI };
        if (i % 13 === 0) ellipse.angle = [0, Math.PI / 2, Math.PI / 4][i % 3]!; // axis-aligned and diagonal
        if (i % 17 === 0) [ellipse.cx, ellipse.cy] = [Math.round(ellipse.cx) + 0.5, Math.round(ellipse.cy)]; // pixel centres: ties
        const at = `${w}x${h} ${JSON.stringify(ellipse)}`;
        expect(paintEllipse(ellipse, w, h, 5, fast), at).toBe(paintEllipsePerPixel(ellipse, w, h, 5, slow));
        expect(Buffer.from(fast).equals(Buffer.from(slow)), at).toBe(true);
        fast.fill(0);
        slow.fill(0);
      }
      // Pixels exactly on the outline (integer axes about a pixel centre): ties the quadratic may round off.
      for (let a = 1; a <= 97; a += 8) {
        for (const b of [1, 3, a, Math.max(1, a - 5)]) {
          for (const angle of [0, Math.PI / 2, Math.PI]) {
            const ellipse = { cx: Math.floor(w / 3) + 0.5, cy: Math.floor(h / 2) + 0.5, a, b, angle };
            expect(paintEllipse(ellipse, w, h, 5, fast)).toBe(paintEllipsePerPixel(ellipse, w, h, 5, slow));
            expect(Buffer.from(fast).equals(Buffer.from(slow)), JSON.stringify(ellipse)).toBe(true);
          }
        }
      }
      for (const degenerate of [{ a: 0, b: 0 }, { a: 0, b: 2 }, { a: 5, b: 0 }, { a: Number.NaN, b: 3 }, { a: 8, b: -1 }]) {
        const ellipse = { cx: w / 2, cy: h / 2, angle: 0.3, ...degenerate };
        expect(paintEllipse(ellipse, w, h, 5, fast)).toBe(paintEllipsePerPixel(ellipse, w, h, 5, slow));
        expect(Buffer.from(fast).equals(Buffer.from(slow))).toBe(true);
      }
    }
  });

  it('takes the moments of a mask from its spans, to rounding', () => {
    const rnd = seeded(7);
    const box = letterboxGeometry(1920, 1080, 256);
    const mask = new Uint8Array(1920 * 1080);
    for (let i = 0; i < 40; i++) {
      const m = [8, 16, 33, 64][i % 4]!;
      const logits = new Float32Array(m * m);
      const [cx, cy, r] = [rnd() * m, rnd() * m, 1 + rnd() * m * 0.5];
      for (let k = 0; k < m * m; k++) logits[k] = r - Math.hypot((k % m) - cx, Math.floor(k / m) - cy) + (rnd() - 0.5) * 3;
      const threshold = (rnd() - 0.5) * 2;
      const { bounds } = paintMask(logits, m, box, 1, mask, threshold);
      const at = `case ${i}`;
      expectSameEllipse(momentEllipse(maskSpans(logits, m, box, threshold)), momentEllipsePerPixel(mask, 1920, 1, bounds), 1e-9, at);
      mask.fill(0);
    }
  });

  it('fits and paints the same ellipse as the per-pixel prior, with no state between calls', () => {
    const rnd = seeded(3);
    for (const [w, h] of [[1920, 1080], [640, 432], [301, 299]] as const) {
      const box = letterboxGeometry(w, h, 256);
      const fast = new Uint8Array(w * h);
      const slow = new Uint8Array(w * h);
      for (let i = 0; i < 12; i++) {
        const m = [16, 64, 13][i % 3]!;
        const logits = new Float32Array(m * m);
        for (let blob = 0; blob < 1 + (i % 3); blob++) {
          const [cx, cy, rx, ry] = [rnd() * m, rnd() * m, 1 + rnd() * m * 0.4, 1 + rnd() * m * 0.3];
          for (let k = 0; k < m * m; k++) {
            const inside = 1 - ((k % m) - cx) ** 2 / rx ** 2 - (Math.floor(k / m) - cy) ** 2 / ry ** 2;
            logits[k] = Math.max(blob === 0 ? -6 : logits[k]!, 4 * inside + (rnd() - 0.5));
          }
        }
        const threshold = i % 4 === 0 ? -0.5 : 0;
        const got = paintEllipseMask(logits, m, box, 7, fast, threshold);
        const want = paintEllipseMaskPerPixel(logits, m, box, 7, slow, threshold);
        const at = `${w}x${h} case ${i}`;
        expect(got.area, at).toBe(want.area);
        expectSameEllipse(got.ellipse, want.ellipse, 1e-9, at);
        expect(Buffer.from(fast).equals(Buffer.from(slow)), at).toBe(true);
        fast.fill(0);
        slow.fill(0);
      }
    }
  });
});
