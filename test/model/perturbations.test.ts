/** `eval --perturb`: deterministic artefacts on the frames the model sees. */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frames/frame.js';
import { parsePerturbations, perturber, PERTURBATION_KINDS, type PerturbationKind } from '../../src/app/eval/perturbations.js';

const W = 64;
const H = 48;

/** A textured clip: every frame differs, so a frozen frame is visible. */
function clip(n: number): Frame[] {
  return Array.from({ length: n }, (_, index) => ({
    index,
    width: W,
    height: H,
    data: Uint8Array.from({ length: W * H }, (_, i) => 60 + ((i * 7 + index * 13) % 150)),
    timestamps: {},
  }));
}

const run = (kinds: PerturbationKind[], seed: number, frames = clip(64)) => frames.map(perturber(kinds, seed));

describe('perturbations', () => {
  it('the same seed gives identical frames; another seed gives others', () => {
    const kinds = [...PERTURBATION_KINDS];
    const a = run(kinds, 7);
    const b = run(kinds, 7);
    const c = run(kinds, 8);
    a.forEach((f, i) => expect(Buffer.compare(f.data, b[i]!.data), `frame ${i}`).toBe(0));
    expect(a.some((f, i) => Buffer.compare(f.data, c[i]!.data) !== 0)).toBe(true);
  });

  it('each kind alters some frames, leaves others and never the clean input', () => {
    for (const kind of PERTURBATION_KINDS) {
      const clean = clip(64);
      const snapshot = clean.map((f) => Uint8Array.from(f.data));
      const out = run([kind], 3, clean);
      const changed = out.filter((f, i) => Buffer.compare(f.data, snapshot[i]!) !== 0).length;
      expect(changed, kind).toBeGreaterThan(0);
      expect(changed, kind).toBeLessThan(64);
      clean.forEach((f, i) => expect(Buffer.compare(f.data, snapshot[i]!), `${kind} input ${i}`).toBe(0));
      out.forEach((f) => expect(f.data.length).toBe(W * H));
    }
  });

  it('a shadow darkens a band of columns; dropout loses or freezes whole frames', () => {
    const clean = clip(64);
    const shadowed = run(['shadow'], 1, clean);
    const hit = shadowed.findIndex((f, i) => Buffer.compare(f.data, clean[i]!.data) !== 0);
    const darker = (x: number) => shadowed[hit]!.data[x]! < clean[hit]!.data[x]!;
    const columns = Array.from({ length: W }, (_, x) => x).filter(darker);
    expect(columns.length).toBeGreaterThan(W * 0.05);
    expect(columns.length).toBeLessThan(W * 0.5);
    for (const x of columns) for (let y = 0; y < H; y++) expect(shadowed[hit]!.data[y * W + x]!).toBeLessThanOrEqual(clean[hit]!.data[y * W + x]!);

    const dropped = run(['dropout'], 1, clean);
    const black = dropped.filter((f) => f.data.every((v) => v === 0)).length;
    const frozen = dropped.filter((f, i) => i > 0 && Buffer.compare(f.data, dropped[i - 1]!.data) === 0).length;
    expect(black).toBeGreaterThan(0);
    expect(frozen).toBeGreaterThan(0);
  });

  it('rejects an unknown kind by name', () => {
    expect(() => parsePerturbations('shadow,fog')).toThrow(/--perturb: unknown kind "fog" \(expected shadow, dropout, gain, speckle\)/);
    expect(parsePerturbations('shadow, dropout,shadow')).toEqual(['shadow', 'dropout']);
  });
});
