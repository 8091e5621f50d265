/** The real-time policy of realtime.ts for a stage split in two (prepare, then run and finish), so that the
 * next input's preparation overlaps the current input's run: `latestOnlyPrepared` (live: newest first,
 * replaced inputs dropped and reported) and `inOrderPrepared` (offline: every input in order). */
import { Observable, type OperatorFunction } from 'rxjs';

/**
 * A stage split in two, for the overlapped operators below: the stage takes the shared resource (the
 * model) and resolves, once the resource is free again, with `finish`, which completes that input's
 * output synchronously (painting masks). The operators start the next input's run before calling
 * `finish` (outputs still come in input order, `finish` being synchronous): a run whose work is done
 * elsewhere then proceeds while this thread finishes. (onnxruntime-node runs graphs on the calling
 * thread, so with it the finishing and the next graph take turns on this thread; only the preparation
 * on a worker thread truly overlaps.)
 */
export type SplitStage<T, P, R> = (input: T, prepared: P) => Promise<() => R>;

/** What `latestOnlyPrepared` needs: a preparation of an input (e.g. letterboxing a frame for the model;
 * synchronous, or a Promise when the work happens on another thread) and the split stage that takes the
 * prepared input. */
export interface PreparedStage<T, P, R> {
  /** `ahead`: the stage is busy, so the preparation overlaps a run (e.g. on another thread); otherwise
   * the stage is idle and waits for it (do it the quickest way). */
  readonly prepare: (input: T, ahead: boolean) => P;
  readonly stage: SplitStage<T, P, R>;
  /** An input replaced before it ran, with what was prepared for it (if it was). */
  readonly onDrop: (dropped: T, prepared: P | undefined) => void;
  /** A prepared input that will not run because the output was unsubscribed (release its buffers). */
  readonly discard?: (prepared: P) => void;
  /** With this, an input whose stage fails is reported and skipped; without, the output errors. */
  readonly onError?: (error: Error, input: T) => void;
}

/** Recent durations, smoothed (ms). */
class Duration {
  private value: number | undefined;
  get ms(): number {
    return this.value ?? 0;
  }
  add(ms: number): void {
    this.value = this.value === undefined ? ms : this.value * 0.8 + ms * 0.2;
  }
}

/** Runs `stage` for one input; `settle` gets the finish function, or null when the input failed and
 * was reported (or the output errored). */
function runSplit<T, P, R>(
  stage: SplitStage<T, P, R>,
  value: T,
  prepared: P,
  fail: (error: unknown, input: T) => void,
  settle: (finish: (() => R) | null) => void,
): void {
  let promise: Promise<() => R>;
  try {
    promise = stage(value, prepared);
  } catch (err) {
    promise = Promise.reject(err);
  }
  promise.then(settle, (err: unknown) => {
    fail(err, value);
    settle(null);
  });
}

/**
 * `latestOnly` with the next input prepared while the stage runs, and each output finished after the
 * next input's run was started: the real-time policy (newest input first, one run at a time, replaced
 * inputs dropped and reported) plus the overlap. An input that arrives while the stage runs waits
 * unprepared (a newer one replaces it for free); shortly before the run is expected to end (the smoothed
 * run time less the smoothed preparation time, less a margin of 2 ms and a tenth of the run time) the
 * waiting input is prepared (`ahead` true), so the next run can start as soon as this one ends. An input
 * that arrives after that still replaces it: when the run ends the newest input runs, and a prepared one
 * it overtook is dropped (reported with what was prepared for it). With an idle stage an input is
 * prepared (`ahead` false) and run at once. When a run ends, the next one is started, then the ended
 * one's output is finished and emitted (SplitStage).
 *
 * The preparation overlaps the run only if one of them happens elsewhere: a Promise of work on another
 * thread (onnxruntime-node runs graphs on the calling thread, so the model's preparation goes to a worker).
 * Completion: when the input completes, what waits still runs, then the output completes. Unsubscribing
 * discards a prepared input (without reporting a drop).
 */
export function latestOnlyPrepared<T, P, R>(options: PreparedStage<T, P, R>): OperatorFunction<T, R> {
  const { prepare, stage, onDrop, discard, onError } = options;
  return (inputs) =>
    new Observable<R>((subscriber) => {
      let busy = false;
      let closed = false;
      let runStarted = 0;
      let unprepared: { readonly value: T } | undefined;
      let prepared: { readonly value: T; readonly prepared: P } | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let inputDone = false;
      const runTime = new Duration();
      const prepTime = new Duration();

      const fail = (err: unknown, input: T): void => {
        const error = err instanceof Error ? err : new Error(String(err));
        if (onError) onError(error, input);
        else subscriber.error(error);
      };

      // A preparation may be asynchronous (P a Promise, e.g. work on another thread): timed to its end.
      const prepareTimed = (value: T, ahead: boolean): P => {
        const t0 = performance.now();
        const p = prepare(value, ahead);
        const settled = (): void => prepTime.add(performance.now() - t0);
        if (p && typeof (p as { then?: unknown }).then === 'function') (p as unknown as Promise<unknown>).then(settled, settled);
        else settled();
        return p;
      };

      const prepareWaiting = (): void => {
        timer = undefined;
        if (!unprepared || prepared || closed) return;
        const { value } = unprepared;
        unprepared = undefined;
        prepared = { value, prepared: prepareTimed(value, true) };
      };

      const schedule = (): void => {
        if (timer !== undefined || prepared || !unprepared) return;
        // A margin for timers firing late: 2 ms and a tenth of the run time.
        const due = runStarted + runTime.ms * 0.9 - prepTime.ms - 2 - performance.now();
        if (due <= 0) prepareWaiting();
        else timer = setTimeout(prepareWaiting, due);
      };

      const start = (value: T, p: P): void => {
        busy = true;
        runStarted = performance.now();
        runSplit(stage, value, p, fail, (finish) => {
          if (closed) return;
          busy = false;
          runTime.add(performance.now() - runStarted);
          clearTimeout(timer);
          timer = undefined;
          next();
          if (!finish) return;
          let result: R;
          try {
            result = finish();
          } catch (err) {
            fail(err, value);
            return;
          }
          subscriber.next(result);
        });
      };

      const next = (): void => {
        // The newest input runs: a prepared one that a newer input overtook is dropped.
        if (prepared && unprepared) {
          onDrop(prepared.value, prepared.prepared);
          prepared = undefined;
        }
        if (prepared) {
          const { value, prepared: p } = prepared;
          prepared = undefined;
          start(value, p);
        } else if (unprepared) {
          const { value } = unprepared;
          unprepared = undefined;
          start(value, prepareTimed(value, false));
        } else if (inputDone) {
          // After the last output (finished right after this call).
          queueMicrotask(() => subscriber.complete());
        }
      };

      const input = inputs.subscribe({
        next: (value) => {
          if (!busy) {
            start(value, prepareTimed(value, false));
            return;
          }
          if (unprepared) onDrop(unprepared.value, undefined);
          unprepared = { value };
          schedule();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          inputDone = true;
          if (!busy && !prepared && !unprepared) subscriber.complete();
        },
      });

      return () => {
        closed = true;
        input.unsubscribe();
        clearTimeout(timer);
        if (prepared) discard?.(prepared.prepared);
        prepared = undefined;
        unprepared = undefined;
      };
    });
}

/**
 * Every input in order, one run at a time, the next input prepared while the current one runs and each
 * output finished after the next run was started (offline use: nothing is dropped, so preparing early wastes
 * nothing). Inputs that arrive faster than the stage wait in a queue, as with `concatMap`. A failing
 * input errors the output.
 */
export function inOrderPrepared<T, P, R>(prepare: (input: T, ahead: boolean) => P, stage: SplitStage<T, P, R>, discard?: (prepared: P) => void): OperatorFunction<T, R> {
  return (inputs) =>
    new Observable<R>((subscriber) => {
      const queue: T[] = [];
      let ahead: { readonly value: T; readonly prepared: P } | undefined;
      let busy = false;
      let closed = false;
      let inputDone = false;
      let immediate: ReturnType<typeof setImmediate> | undefined;

      const prepareAhead = (): void => {
        immediate = undefined;
        if (closed || ahead || queue.length === 0) return;
        const value = queue.shift()!;
        ahead = { value, prepared: prepare(value, true) };
      };

      const next = (): void => {
        let item = ahead;
        ahead = undefined;
        if (!item) {
          if (queue.length === 0) {
            if (inputDone) queueMicrotask(() => subscriber.complete());
            return;
          }
          const value = queue.shift()!;
          item = { value, prepared: prepare(value, false) };
        }
        busy = true;
        const { value } = item;
        runSplit(stage, value, item.prepared, (err) => subscriber.error(err), (finish) => {
          if (closed || !finish) return;
          busy = false;
          next();
          let result: R;
          try {
            result = finish();
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(result);
        });
        // After the stage has started its work (its first await), prepare the next input meanwhile.
        immediate ??= setImmediate(prepareAhead);
      };

      const input = inputs.subscribe({
        next: (value) => {
          queue.push(value);
          if (!busy) next();
          else immediate ??= setImmediate(prepareAhead);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          inputDone = true;
          if (!busy && !ahead && queue.length === 0) subscriber.complete();
        },
      });

      return () => {
        closed = true;
        input.unsubscribe();
        if (immediate) clearImmediate(immediate);
        if (ahead) discard?.(ahead.prepared);
        ahead = undefined;
        queue.length = 0;
      };
    });
}
