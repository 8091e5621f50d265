/** The ellipse shape prior: moments recover a drawn ellipse, only the largest logit region survives,
 * and a class with the prior is painted as its ellipse end to end. */
import { describe, expect, it } from 'vitest';
import { letterboxGeometry } from '../../plugins/model/letterbox.js';
import { keepLargestRegion, momentEllipse, paintEllipse, paintEllipseMask } from '../../plugins/model/shape-prior.js';

describe('ellipse shape prior', () => {
  it('fits the ellipse a mask was drawn from', () => {
    const [w, h] = [400, 300];
    const truth = { cx: 210.3, cy: 140.7, a: 120, b: 70, angle: 0.6 };
    const mask = new Uint8Array(w * h);
    const area = paintEllipse(truth, w, h, 3, mask);
    expect(area).toBeCloseTo(Math.PI * 120 * 70, -2);
    const fit = momentEllipse(mask, w, 3)!;
    expect(fit.cx).toBeCloseTo(truth.cx, 0);
    expect(fit.cy).toBeCloseTo(truth.cy, 0);
    expect(Math.abs(fit.a - truth.a)).toBeLessThan(0.5);
    expect(Math.abs(fit.b - truth.b)).toBeLessThan(0.5);
    expect(Math.abs(fit.angle - truth.angle)).toBeLessThan(0.01);
    expect(momentEllipse(new Uint8Array(w * h), w, 3)).toBeUndefined();
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
