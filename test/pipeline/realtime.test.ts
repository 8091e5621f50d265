import { NEVER, Subject, finalize, map, of, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { latestOnly } from '../../src/core/operators/realtime.js';

/** A stage whose runs finish only when the test says so. */
function manualStage() {
  const runs: { input: number; finish: (result: string) => void; fail: (err: Error) => void }[] = [];
  const stage = (input: number) =>
    new Promise<string>((resolve, reject) => runs.push({ input, finish: resolve, fail: reject }));
  return { runs, stage };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('latestOnly', () => {
  it('processes the newest waiting input next and drops the older ones, counting them', async () => {
    const { runs, stage } = manualStage();
    const inputs = new Subject<number>();
    const dropped: number[] = [];
    const results: string[] = [];
    let completed = false;
    inputs.pipe(latestOnly(stage, (x) => dropped.push(x))).subscribe({
      next: (r) => results.push(r),
      complete: () => (completed = true),
    });

    inputs.next(1); // runs at once
    inputs.next(2); // waits
    inputs.next(3); // replaces 2
    inputs.next(4); // replaces 3
    expect(runs.map((r) => r.input)).toEqual([1]);
    expect(dropped).toEqual([2, 3]);

    runs[0]!.finish('r1');
    await settle();
    expect(results).toEqual(['r1']);
    expect(runs.map((r) => r.input)).toEqual([1, 4]); // the newest, not the oldest

    inputs.next(5); // waits while 4 runs
    inputs.complete();
    runs[1]!.finish('r4');
    await settle();
    expect(runs.map((r) => r.input)).toEqual([1, 4, 5]); // the waiting input survives completion
    expect(completed).toBe(false);
    runs[2]!.finish('r5');
    await settle();
    expect(results).toEqual(['r1', 'r4', 'r5']);
    expect(dropped).toEqual([2, 3]);
    expect(completed).toBe(true);
  });

  it('drops nothing when the stage keeps up, and handles synchronous stages', () => {
    const dropped: number[] = [];
    const results: number[] = [];
    of(1, 2, 3)
      .pipe(latestOnly((x) => of(x * 10), (x) => dropped.push(x)))
      .subscribe((r) => results.push(r));
    expect(results).toEqual([10, 20, 30]);
    expect(dropped).toEqual([]);
  });

  it('passes a stage failure on as the error', async () => {
    const { runs, stage } = manualStage();
    const inputs = new Subject<number>();
    let error: unknown;
    inputs.pipe(latestOnly(stage, () => {})).subscribe({ error: (e) => (error = e) });
    inputs.next(1);
    runs[0]!.fail(new Error('model failed'));
    await settle();
    expect((error as Error).message).toBe('model failed');
  });

  it('unsubscribing cancels the running stage and discards the waiting input', () => {
    const inputs = new Subject<number>();
    const started: number[] = [];
    const cancelled: number[] = [];
    const stage = (x: number) => {
      started.push(x);
      return NEVER.pipe(finalize(() => cancelled.push(x)));
    };
    const dropped: number[] = [];
    const subscription = inputs.pipe(latestOnly(stage, (x) => dropped.push(x))).subscribe();
    inputs.next(1);
    inputs.next(2);
    subscription.unsubscribe();
    expect(inputs.observed).toBe(false);
    expect(cancelled).toEqual([1]);
    expect(started).toEqual([1]);
    expect(dropped).toEqual([]);
  });

  it('in virtual time: a 30 fps feed into a 100 ms stage keeps one waiting frame at most', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      // A frame every 33 ms (a..h); each stage run takes 100 ms.
      const feed = cold('a 32ms b 32ms c 32ms d 32ms e 32ms f 32ms g 32ms h|');
      const dropped: string[] = [];
      const processed = feed.pipe(latestOnly((x: string) => timer(100).pipe(map(() => x.toUpperCase())), (x) => dropped.push(x)));
      // Frames at 0, 33, 66, ... 231. a runs 0-100; b and c wait in turn and are replaced, d (99) runs
      // 100-200; e, f replaced, g (198) runs 200-300; h (231) waits past the feed's end and runs 300-400.
      expectObservable(processed).toBe('100ms A 99ms D 99ms G 99ms (H|)');
      scheduler.flush();
      expect(dropped).toEqual(['b', 'c', 'e', 'f']);
    });
  });
});
