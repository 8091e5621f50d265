/** The real-time policy between a live feed and a slower stage (the model): never queue. While the stage
 * is busy at most one input waits; a newer input replaces it and the replaced one is dropped (reported
 * through `onDrop`, so the pipeline can count it). When the stage frees up it takes the newest input, so
 * the output lags the feed by at most one stage duration instead of growing without bound.
 *
 * Ordering: results come out in input order, one stage run at a time. Completion: when the input
 * completes, the running item and the waiting one (if any) are still processed, then the output
 * completes. Errors from the input or the stage end the output. Unsubscribing cancels the running stage
 * (if it is an Observable) and discards the waiting input without reporting it as dropped. */
import { from, Observable, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';

/** A stage for one input: a Promise (async function) or any ObservableInput; all its values are emitted. */
export type Stage<T, R> = (input: T) => ObservableInput<R>;

export function latestOnly<T, R>(stage: Stage<T, R>, onDrop: (dropped: T) => void): OperatorFunction<T, R> {
  return (inputs) =>
    new Observable<R>((subscriber) => {
      let running: Subscription | undefined;
      let waiting: { readonly value: T } | undefined;
      let inputDone = false;

      const start = (value: T): void => {
        let finished = false;
        const run = from(stage(value)).subscribe({
          next: (result) => subscriber.next(result),
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            finished = true;
            running = undefined;
            const next = waiting;
            waiting = undefined;
            if (next) start(next.value);
            else if (inputDone) subscriber.complete();
          },
        });
        // A synchronous stage has already finished (and may have started the next one) by now.
        if (!finished) running = run;
      };

      const input = inputs.subscribe({
        next: (value) => {
          if (!running) return start(value);
          if (waiting) onDrop(waiting.value);
          waiting = { value };
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          inputDone = true;
          if (!running) subscriber.complete();
        },
      });

      return () => {
        input.unsubscribe();
        running?.unsubscribe();
        waiting = undefined;
      };
    });
}
