/** A bounded SAM2 memory bank for one object (class): a fixed number of slots that never grows with
 * the length of the session. Slot 0 holds the conditioning frame (a frame the user prompted); slots
 * 1..M-1 are a ring of the most recent frames, newest first. Empty slots are masked out, so the memory
 * attention graph always sees the same static shape. */

export interface MemoryLayout {
  readonly frames: number;
  readonly dim: number;
  readonly size: number;
  readonly pointerDim: number;
}

export class MemoryBank {
  readonly memory: Float32Array;
  readonly valid: Float32Array;
  readonly pointers: Float32Array;
  private readonly slotSize: number;
  /** Frames seen since the conditioning frame was stored (for ageing it out). */
  private conditioningAge = 0;

  constructor(
    readonly layout: MemoryLayout,
    /** The conditioning frame stops influencing the masks after this many frames. */
    readonly conditioningMaxAge: number = 300,
  ) {
    this.slotSize = layout.dim * layout.size * layout.size;
    this.memory = new Float32Array(layout.frames * this.slotSize);
    this.valid = new Float32Array(layout.frames);
    this.pointers = new Float32Array(layout.frames * layout.pointerDim);
  }

  get hasConditioning(): boolean {
    return this.valid[0] === 1;
  }

  get recentCount(): number {
    let n = 0;
    for (let i = 1; i < this.layout.frames; i++) n += this.valid[i]!;
    return n;
  }

  /** Adds a frame's memory: as the conditioning frame, or at the head of the recent ring. */
  push(memory: Float32Array, pointer: Float32Array, asConditioning: boolean): void {
    if (asConditioning) {
      this.write(0, memory, pointer);
      this.conditioningAge = 0;
      return;
    }
    if (this.hasConditioning && ++this.conditioningAge > this.conditioningMaxAge) this.clearSlot(0);
    const { frames, pointerDim } = this.layout;
    // Shift slots 1..M-2 one place older; the oldest falls off.
    this.memory.copyWithin(2 * this.slotSize, this.slotSize, (frames - 1) * this.slotSize);
    this.pointers.copyWithin(2 * pointerDim, pointerDim, (frames - 1) * pointerDim);
    this.valid.copyWithin(2, 1, frames - 1);
    this.write(1, memory, pointer);
  }

  clear(): void {
    this.memory.fill(0);
    this.pointers.fill(0);
    this.valid.fill(0);
    this.conditioningAge = 0;
  }

  private write(slot: number, memory: Float32Array, pointer: Float32Array): void {
    this.memory.set(memory, slot * this.slotSize);
    this.pointers.set(pointer, slot * this.layout.pointerDim);
    this.valid[slot] = 1;
  }

  private clearSlot(slot: number): void {
    this.memory.fill(0, slot * this.slotSize, (slot + 1) * this.slotSize);
    this.pointers.fill(0, slot * this.layout.pointerDim, (slot + 1) * this.layout.pointerDim);
    this.valid[slot] = 0;
  }
}
