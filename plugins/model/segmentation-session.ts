/** The state of one live segmentation: which classes are tracked (each with its own bounded memory
 * bank), the prompt mode, a short history of frames so that a human prompt drawn on an older frame
 * is applied to that frame, and the queue of prompts not yet applied.
 *
 * A prompt drawn on frame k is run on frame k itself (from the history) and that result becomes the
 * object's conditioning memory, so the correction carries forward to the following frames the way
 * SAM2 propagates a prompted frame. */
import type { Frame, SegmentedFrame } from '../../src/core/frames/frame.js';
import { sourceSize } from '../../src/core/frames/roi.js';
import { inferFrame, prepareFrame, segmentFrame } from './frame-segmenter.js';
import type { MemoryBank } from './memory-bank.js';
import { PROMPT_MODES, type FramePrompts, type PointPrompt, type PromptMode } from './prompts.js';
import type { PreparedImage } from './image-preparer.js';
import type { ObjectQuery } from './object-query.js';
import type { Sam2RadModel } from './sam2rad-model.js';

export interface HumanPrompt {
  /** Index of the frame the prompt was drawn on. */
  readonly frame: number;
  readonly className: string;
  readonly points?: readonly PointPrompt[];
  readonly box?: readonly [number, number, number, number];
}

export class PromptError extends Error {
  override readonly name = 'PromptError';
}

export interface SessionOptions {
  readonly classes: readonly string[];
  readonly mode?: PromptMode;
  /** Keep memory across frames (false = every frame on its own). */
  readonly memory?: boolean;
  /** Frames kept for mapping late prompts (bounded). */
  readonly historyFrames?: number;
}

interface Track {
  readonly classIndex: number;
  readonly bank: MemoryBank;
}

export class SegmentationSession {
  private readonly tracks = new Map<string, Track>();
  private readonly history: Frame[] = [];
  private readonly pending: HumanPrompt[] = [];
  private currentMode: PromptMode;
  private readonly memory: boolean;
  private readonly historyFrames: number;

  constructor(
    readonly model: Sam2RadModel,
    options: SessionOptions,
  ) {
    this.currentMode = options.mode ?? 'auto';
    this.memory = options.memory ?? true;
    this.historyFrames = options.historyFrames ?? 90;
    if (options.classes.length === 0) throw new Error('at least one class must be tracked');
    for (const name of options.classes) this.enableClass(name);
  }

  get mode(): PromptMode {
    return this.currentMode;
  }

  get classes(): string[] {
    return [...this.tracks.keys()];
  }

  setMode(mode: string): void {
    if (!PROMPT_MODES.includes(mode as PromptMode)) {
      throw new PromptError(`unknown mode "${mode}" (expected ${PROMPT_MODES.join(', ')})`);
    }
    this.currentMode = mode as PromptMode;
  }

  /** Starts tracking a class (mid-stream is fine); unknown names are an error. */
  enableClass(name: string): void {
    if (this.tracks.has(name)) return;
    let classIndex: number;
    try {
      classIndex = this.model.classIndex(name);
    } catch (err) {
      throw new PromptError((err as Error).message);
    }
    this.tracks.set(name, { classIndex, bank: this.model.newBank() });
  }

  disableClass(name: string): void {
    if (!this.tracks.has(name)) throw new PromptError(`class "${name}" is not being tracked`);
    if (this.tracks.size === 1) throw new PromptError('cannot stop the last tracked class');
    this.tracks.delete(name);
  }

  /** Validates a prompt and queues it for the next processed frame. */
  addPrompt(prompt: HumanPrompt): void {
    if (!this.tracks.has(prompt.className)) {
      throw new PromptError(`class "${prompt.className}" is not tracked (tracked: ${this.classes.join(', ')})`);
    }
    const frame = this.history.find((f) => f.index === prompt.frame);
    if (!frame) {
      const oldest = this.history[0]?.index;
      const newest = this.history.at(-1)?.index;
      throw new PromptError(
        `frame ${prompt.frame} is not available (the session keeps frames ${oldest ?? '-'}..${newest ?? '-'})`,
      );
    }
    const { width, height } = sourceSize(frame);
    const inside = (x: number, y: number) => x >= 0 && y >= 0 && x <= width && y <= height;
    for (const p of prompt.points ?? []) {
      if (!inside(p.x, p.y)) {
        throw new PromptError(`point (${p.x}, ${p.y}) is outside frame ${frame.index} (${width}x${height})`);
      }
    }
    if (prompt.box) {
      const [x0, y0, x1, y1] = prompt.box;
      if (!inside(x0, y0) || !inside(x1, y1) || x1 <= x0 || y1 <= y0) {
        throw new PromptError(`box [${prompt.box.join(', ')}] is not a box inside frame ${frame.index} (${width}x${height})`);
      }
    }
    if (!prompt.box && !(prompt.points?.length)) throw new PromptError('a prompt needs points or a box');
    this.pending.push(prompt);
  }

  /** Forgets all corrections and memory (of one class, or of all). */
  clear(className?: string): void {
    const names = className ? [className] : this.classes;
    for (const name of names) {
      const track = this.tracks.get(name);
      if (!track) throw new PromptError(`class "${name}" is not tracked`);
      track.bank.clear();
    }
    this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => !names.includes(p.className)));
  }

  /** The model's input for `frame`, made ahead of `process` (e.g. while the previous frame is in the
   * model); changes nothing in the session. Pass it to `process(frame, prompts, prepared)`, or give it back
   * with `discard` if the frame will not be processed. */
  prepare(frame: Frame): PreparedImage {
    return prepareFrame(this.model, frame);
  }

  /** Whether `prepareAsync` overlaps a frame in the model here (Sam2RadModel.preparesAhead). */
  get preparesAhead(): boolean {
    return this.model.preparesAhead;
  }

  /** `prepare` on a worker thread (Sam2RadModel.prepareAsync): it overlaps a frame in the model. */
  prepareAsync(frame: Frame): Promise<PreparedImage> {
    return this.model.prepareAsync(frame.data, frame.width, frame.height);
  }

  discard(prepared: PreparedImage): void {
    this.model.discard(prepared);
  }

  /** Segments `frame`. Prompts drawn on it (offline use) or queued for earlier frames are applied
   * first: each prompted frame becomes its objects' conditioning memory. `prepared`: `prepare(frame)`. */
  async process(frame: Frame, prompts: readonly HumanPrompt[] = [], prepared?: PreparedImage): Promise<SegmentedFrame> {
    return (await this.infer(frame, prompts, prepared))();
  }

  /** `process` in two steps: resolves once the model is done with the frame (graphs run, memory updated),
   * with a function that paints its masks (synchronous). The next frame may go into the model before it
   * is called; call each in frame order. */
  async infer(frame: Frame, prompts: readonly HumanPrompt[] = [], prepared?: PreparedImage): Promise<() => SegmentedFrame> {
    this.history.push(frame);
    if (this.history.length > this.historyFrames) this.history.shift();
    try {
      for (const prompt of prompts) this.addPrompt(prompt);
    } catch (err) {
      if (prepared) this.discard(prepared);
      throw err;
    }
    if (this.currentMode === 'auto') {
      this.pending.length = 0;
      return inferFrame(this.model, frame, this.queries(), prepared);
    }
    for (let [index, batch] = this.takePending(); batch.size > 0; [index, batch] = this.takePending()) {
      if (index === frame.index) return inferFrame(this.model, frame, this.queries(batch), prepared);
      const past = this.history.find((f) => f.index === index);
      if (past) await segmentFrame(this.model, past, this.queries(batch, true));
    }
    return inferFrame(this.model, frame, this.queries(), prepared);
  }

  /** Per object: its bank, the mode, and its prompts on this frame (prompted objects only when `onlyPrompted`). */
  private queries(prompts?: ReadonlyMap<string, FramePrompts>, onlyPrompted = false): ObjectQuery[] {
    return [...this.tracks.entries()]
      .filter(([name]) => !onlyPrompted || prompts?.has(name))
      .map(([name, track]) => ({
        classIndex: track.classIndex,
        bank: track.bank,
        mode: this.currentMode,
        prompts: prompts?.get(name),
        updateMemory: this.memory,
      }));
  }

  /** The queued prompts of the oldest prompted frame, merged per class. */
  private takePending(): [number, Map<string, FramePrompts>] {
    const byClass = new Map<string, FramePrompts>();
    if (this.pending.length === 0) return [-1, byClass];
    const index = this.pending[0]!.frame;
    const batch = this.pending.filter((p) => p.frame === index);
    this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => p.frame !== index));
    for (const p of batch) {
      const previous = byClass.get(p.className);
      byClass.set(p.className, { points: [...(previous?.points ?? []), ...(p.points ?? [])], box: p.box ?? previous?.box });
    }
    return [index, byClass];
  }
}
