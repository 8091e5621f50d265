/** Deterministic ultrasound artefacts for clip evaluation (`sam2rad eval --clip --perturb`): what a
 * per-frame model cannot see through but a memory can. They are applied to the crop the model sees;
 * the ground truth stays the clean frames' masks. Training draws the same kinds
 * (training/data/artefacts.py).
 *
 * Every decision comes from (seed, kind, frame index) alone, so the same seed gives the same frames
 * whatever was evaluated before, and artefacts come in episodes of EPISODE frames as real ones do:
 *   shadow   a dark band along the beam (columns), 10-35 % of the width, drifting across the image
 *   dropout  a lost frame (black) or a frozen one (the previous input repeated)
 *   gain     a gain drop (x 0.15-0.45) for a whole episode
 *   speckle  a burst of coarse multiplicative speckle */
import type { Frame } from '../../core/frames/frame.js';

export const PERTURBATION_KINDS = ['shadow', 'dropout', 'gain', 'speckle'] as const;
export type PerturbationKind = (typeof PERTURBATION_KINDS)[number];

/** Frames per artefact episode (0.8 s at 10 fps). */
const EPISODE = 8;
/** Share of episodes in which a kind is active; dropout is drawn per frame within its episodes. */
const ACTIVE = 0.5;
const DROP_P = 0.5;

/** 'shadow,dropout' -> the kinds, or an error naming the unknown one. */
export function parsePerturbations(spec: string): PerturbationKind[] {
  const kinds = spec.split(',').map((k) => k.trim()).filter(Boolean);
  if (kinds.length === 0) throw new Error(`--perturb: no kind given (expected ${PERTURBATION_KINDS.join(', ')})`);
  for (const kind of kinds) {
    if (!PERTURBATION_KINDS.includes(kind as PerturbationKind)) {
      throw new Error(`--perturb: unknown kind "${kind}" (expected ${PERTURBATION_KINDS.join(', ')})`);
    }
  }
  return [...new Set(kinds)] as PerturbationKind[];
}

/** mulberry32 over a hash of the inputs: a small, fast, well-mixed stream of [0, 1) numbers. */
function random(...keys: number[]): () => number {
  let h = 0x9e3779b9;
  for (const k of keys) h = Math.imul(h ^ (k >>> 0), 0x85ebca6b) ^ (h >>> 13);
  return () => {
    h = (h + 0x6d2b79f5) | 0;
    let t = Math.imul(h ^ (h >>> 15), 1 | h);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stateful map over one clip's frames in order (dropout's frozen frames repeat the previous input). */
export function perturber<T extends Frame>(kinds: readonly PerturbationKind[], seed: number): (frame: T) => T {
  let previous: Uint8Array | undefined;
  return (frame) => {
    let data = frame.data;
    for (const kind of kinds) data = apply(kind, data, frame, seed, previous);
    previous = data;
    return data === frame.data ? frame : { ...frame, data };
  };
}

function apply(kind: PerturbationKind, data: Uint8Array, frame: Frame, seed: number, previous?: Uint8Array): Uint8Array {
  const k = PERTURBATION_KINDS.indexOf(kind);
  const episode = Math.floor(frame.index / EPISODE);
  const draw = random(seed, k, episode);
  if (draw() >= ACTIVE) return data;
  const { width, height } = frame;
  const out = new Uint8Array(data.length);
  switch (kind) {
    case 'shadow': {
      const half = (0.05 + 0.125 * draw()) * width;
      const speed = (draw() - 0.5) * 0.06 * width;
      const centre = draw() * width + speed * (frame.index - episode * EPISODE);
      const depth = 0.1 + 0.2 * draw();
      const factor = new Float32Array(width);
      for (let x = 0; x < width; x++) factor[x] = Math.abs(x - centre) < half ? depth : 1;
      for (let i = 0; i < data.length; i++) out[i] = Math.round(data[i]! * factor[i % width]!);
      return out;
    }
    case 'dropout': {
      const frameDraw = random(seed, k, episode, frame.index);
      if (frameDraw() >= DROP_P) return data;
      if (previous && frameDraw() < 0.5 && previous.length === data.length) return previous;
      return out; // black: the signal is lost
    }
    case 'gain': {
      const gain = 0.15 + 0.3 * draw();
      for (let i = 0; i < data.length; i++) out[i] = Math.round(data[i]! * gain);
      return out;
    }
    case 'speckle': {
      const frameDraw = random(seed, k, frame.index);
      const cell = 4;
      const cols = Math.ceil(width / cell);
      const noise = new Float32Array(cols * Math.ceil(height / cell));
      // Roughly unit-variance Gaussian noise per 4x4 cell (sum of uniforms), as training draws it.
      for (let i = 0; i < noise.length; i++) noise[i] = (frameDraw() + frameDraw() + frameDraw() - 1.5) * 2;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = y * width + x;
          out[i] = Math.min(255, Math.max(0, Math.round(data[i]! * (1 + 0.8 * noise[Math.floor(y / cell) * cols + Math.floor(x / cell)]!))));
        }
      }
      return out;
    }
  }
}
