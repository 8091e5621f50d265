/** The overlapped stage operators: the next input is prepared while the current one runs, with the
 * real-time policy (newest first, drops reported) or in order (offline). */
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { inOrderPrepared, latestOnlyPrepared } from '../../src/core/operators/prepared.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A split stage: the run takes `ms`, then `finish` makes the output. */
const finishingAfter = <R>(ms: number, finish: () => R, onEnd: () => void = () => {}): Promise<() => R> =>
  new Promise((resolve) =>
    setTimeout(() => {
      onEnd();
      resolve(finish);
    }, ms),
  );

describe('latestOnlyPrepared', () => {
  it('prepares the waiting input before the running stage ends, and starts it as soon as it does', async () => {
    const events: { kind: string; value: number; t: number }[] = [];
    const dropped: [number, string | undefined][] = [];
    const inputs = new Subject<number>();
    const out: string[] = [];
    let done = false;
    inputs
      .pipe(
        latestOnlyPrepared<number, string, string>({
          prepare: (x) => {
            events.push({ kind: 'prepare', value: x, t: performance.now() });
            return `p${x}`;
          },
          stage: (x, p) => {
            events.push({ kind: 'start', value: x, t: performance.now() });
            return finishingAfter(
              80,
              () => {
                events.push({ kind: 'finish', value: x, t: performance.now() });
                return `${p}:${x}`;
              },
              () => events.push({ kind: 'end', value: x, t: performance.now() }),
            );
          },
          onDrop: (x, p) => dropped.push([x, p]),
        }),
      )
      .subscribe({ next: (v) => out.push(v), complete: () => (done = true) });
    // 0 runs at once; 1 and 2 arrive during its run: with no run time known yet, 1 is prepared at once, but
    // 2 is newer, so when 0 ends 1 is dropped (with what was prepared for it) and 2 runs; 3 and 4 arrive
    // early in the runs ahead of them and are prepared just before those end.
    inputs.next(0);
    await sleep(10);
    inputs.next(1);
    await sleep(10);
    inputs.next(2);
    await sleep(100); // 0 ended (~80 ms), 2 runs
    inputs.next(3);
    await sleep(90); // 2 ended, 3 runs (prepared just before 2 ended, now that run times are known)
    inputs.next(4);
    inputs.complete();
    await sleep(300);
    expect(done).toBe(true);
    expect(out).toEqual(['p0:0', 'p2:2', 'p3:3', 'p4:4']);
    expect(dropped).toEqual([[1, 'p1']]);
    const when = (kind: string, value: number) => events.find((e) => e.kind === kind && e.value === value)!.t;
    // Overlap: each later input was prepared before the run ahead of it ended, and started right after.
    for (const [value, before] of [[3, 2], [4, 3]] as const) {
      expect(when('prepare', value)).toBeLessThanOrEqual(when('end', before));
      expect(when('start', value) - when('end', before)).toBeLessThan(30);
    }
    // Each output is finished after the next run started (a run done elsewhere proceeds meanwhile).
    for (const [value, following] of [[0, 2], [2, 3], [3, 4]] as const) {
      const order = events.map((e) => `${e.kind} ${e.value}`);
      expect(order.indexOf(`finish ${value}`)).toBeGreaterThan(order.indexOf(`start ${following}`));
    }
    // Just in time: once run times are known, 3 and 4 (arriving early in the run ahead) are prepared near its end.
    expect(when('prepare', 3) - when('start', 2)).toBeGreaterThan(40);
    expect(when('end', 3) - when('prepare', 4)).toBeLessThan(60);
  });

  it('drops a prepared input only for its replacement’s sake, and discards it on unsubscribe', async () => {
    const discarded: string[] = [];
    const dropped: number[] = [];
    const inputs = new Subject<number>();
    const subscription = inputs
      .pipe(
        latestOnlyPrepared<number, string, number>({
          prepare: (x) => `p${x}`,
          stage: (x) => finishingAfter(50, () => x),
          onDrop: (x) => dropped.push(x),
          discard: (p) => discarded.push(p),
        }),
      )
      .subscribe();
    inputs.next(0);
    inputs.next(1); // first run: no run time known yet, so 1 is prepared at once
    await sleep(10);
    subscription.unsubscribe();
    expect(discarded).toEqual(['p1']);
    expect(dropped).toEqual([]);
  });
});

it('reports a failing input and goes on, with onError', async () => {
  const inputs = new Subject<number>();
  const out: number[] = [];
  const failed: [string, number][] = [];
  let done = false;
  inputs
    .pipe(
      latestOnlyPrepared<number, number, number>({
        prepare: (x) => x,
        stage: (x) => (x === 1 ? Promise.reject(new Error('model failed')) : x === 2 ? finishingAfter(10, () => { throw new Error('paint failed'); }) : finishingAfter(10, () => x)),
        onDrop: () => {},
        onError: (err, x) => failed.push([err.message, x]),
      }),
    )
    .subscribe({ next: (v) => out.push(v), complete: () => (done = true) });
  for (const x of [0, 1, 2, 3]) {
    inputs.next(x);
    await sleep(30);
  }
  inputs.complete();
  await sleep(30);
  expect(out).toEqual([0, 3]);
  expect(failed).toEqual([['model failed', 1], ['paint failed', 2]]);
  expect(done).toBe(true);
});

describe('inOrderPrepared', () => {
  it('runs every input in order, preparing the next while one runs', async () => {
    const events: string[] = [];
    const inputs = new Subject<number>();
    const out: number[] = [];
    let done = false;
    inputs
      .pipe(
        inOrderPrepared(
          (x: number) => {
            events.push(`prepare ${x}`);
            return x * 10;
          },
          (x, p) => {
            events.push(`start ${x}`);
            return finishingAfter(20, () => p, () => events.push(`end ${x}`));
          },
        ),
      )
      .subscribe({ next: (v) => out.push(v), complete: () => (done = true) });
    for (let i = 0; i < 4; i++) inputs.next(i);
    inputs.complete();
    await sleep(200);
    expect(done).toBe(true);
    expect(out).toEqual([0, 10, 20, 30]);
    // Each input after the first is prepared while the one before it runs.
    for (let i = 1; i < 4; i++) {
      expect(events.indexOf(`prepare ${i}`)).toBeGreaterThan(events.indexOf(`start ${i - 1}`));
      expect(events.indexOf(`prepare ${i}`)).toBeLessThan(events.indexOf(`end ${i - 1}`));
    }
  });
});
