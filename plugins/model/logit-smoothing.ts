/** Exponential moving average of one object's mask logits and object score over frames: the simplest
 * way to steady a per-frame model in time, kept as the baseline the memory is compared with
 * (`sam2rad eval --clip --no-memory --smooth ALPHA`).
 *
 *   smoothed_t = alpha * logits_t + (1 - alpha) * smoothed_{t-1}
 *
 * The average restarts when the logits' size changes (a new ROI or model input geometry). */
export class LogitSmoothing {
  private logits: Float32Array | undefined;
  private score = 0;

  constructor(readonly alpha: number) {
    if (!(alpha > 0 && alpha <= 1)) throw new Error(`smoothing alpha must be in (0, 1], got ${alpha}`);
  }

  /** -> the smoothed logits (a buffer this object owns: copy it to keep it) and object score. */
  update(logits: Float32Array, objectScore: number): { logits: Float32Array; objectScore: number } {
    if (!this.logits || this.logits.length !== logits.length) {
      this.logits = Float32Array.from(logits);
      this.score = objectScore;
    } else {
      const a = this.alpha;
      for (let i = 0; i < logits.length; i++) this.logits[i] = a * logits[i]! + (1 - a) * this.logits[i]!;
      this.score = a * objectScore + (1 - a) * this.score;
    }
    return { logits: this.logits, objectScore: this.score };
  }
}
