/** The viewer samples a compressed frame's class map straight from its label runs (src/app/viewer/
 * label-sampling.ts): the same labels and bounding box as sampling the expanded map, for any runs,
 * picture size and hidden classes. */
import { describe, expect, it } from 'vitest';
import { decodeLabelRuns, encodeLabelRuns, parseLabelRuns } from '../../src/app/server/compressed-frame.js';
import { ViewerFrame } from '../../src/app/viewer/frames.js';
import type { FrameHeader } from '../../src/app/server/wire-format.js';
import { sampleClassMap, SampleScratch, sampleLabelRuns } from '../../src/app/viewer/label-sampling.js';
import { seeded as random } from '../helpers/seeded-random.js';

/** A class map of random runs: mostly background, runs from 1 pixel to several rows long. */
function randomMap(width: number, height: number, seed: number): Uint8Array {
  const next = random(seed);
  const map = new Uint8Array(width * height);
  let p = 0;
  while (p < map.length) {
    const long = next() < 0.2;
    const length = 1 + Math.floor(next() * (long ? 3 * width : 12));
    const value = next() < 0.5 ? 0 : 1 + Math.floor(next() * 4);
    map.fill(value, p, Math.min(map.length, p + length));
    p += length;
  }
  return map;
}

/** A blob (an ellipse of class 1 with a class-2 core), as a segmentation looks. */
function blobMap(width: number, height: number): Uint8Array {
  const map = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = ((x - width * 0.4) / (width * 0.2)) ** 2 + ((y - height * 0.55) / (height * 0.3)) ** 2;
      map[y * width + x] = d < 0.3 ? 2 : d < 1 ? 1 : 0;
    }
  }
  return map;
}

function expectSameSampling(map: Uint8Array, fw: number, fh: number, width: number, height: number, hidden: ReadonlySet<number>): void {
  const runs = parseLabelRuns(Uint8Array.from(encodeLabelRuns(map)), map.length);
  const fromMap = new SampleScratch();
  const fromRuns = new SampleScratch();
  const boxFromMap = sampleClassMap(decodeLabelRuns(Uint8Array.from(encodeLabelRuns(map)), map.length), fw, fh, width, height, hidden, fromMap);
  const boxFromRuns = sampleLabelRuns(runs, fw, fh, width, height, hidden, fromRuns);
  expect(boxFromRuns).toEqual(boxFromMap);
  const n = width * height;
  expect(Buffer.from(fromRuns.labels.subarray(0, n)).equals(Buffer.from(fromMap.labels.subarray(0, n)))).toBe(true);
}

describe('sampling label runs', () => {
  const sizes: Array<[number, number, number, number]> = [
    [61, 47, 61, 47], // the frame's own size (raw-sized picture)
    [61, 47, 30, 20], // down
    [61, 47, 100, 90], // up: rows and columns sampled twice
    [1, 1, 3, 2],
    [17, 5, 17, 13],
    [200, 3, 7, 3],
  ];
  const hiddenSets = [new Set<number>(), new Set([1]), new Set([2, 3]), new Set([0, 1, 2, 3, 4])];

  it('equals sampling the expanded map: random runs, sizes, hidden classes', () => {
    let seed = 1;
    for (const [fw, fh, width, height] of sizes) {
      for (const hidden of hiddenSets) {
        for (let i = 0; i < 5; i++) expectSameSampling(randomMap(fw, fh, seed++), fw, fh, width, height, hidden);
      }
    }
  });

  it('equals sampling the expanded map at 1920x1080 -> 986x555', () => {
    for (const hidden of hiddenSets.slice(0, 2)) {
      expectSameSampling(randomMap(1920, 1080, 42), 1920, 1080, 986, 555, hidden);
      expectSameSampling(blobMap(1920, 1080), 1920, 1080, 986, 555, hidden);
    }
  });

  it('an empty map (or every class hidden): an empty box', () => {
    const [x0, , x1] = sampleLabelRuns(parseLabelRuns(Uint8Array.from(encodeLabelRuns(new Uint8Array(64 * 48))), 64 * 48), 64, 48, 32, 24, new Set(), new SampleScratch());
    expect(x1 <= x0).toBe(true);
    expectSameSampling(blobMap(64, 48), 64, 48, 32, 24, new Set([1, 2]));
  });

  it('scratch reused across sizes gives the same labels', () => {
    const scratch = new SampleScratch();
    const big = blobMap(120, 90);
    sampleLabelRuns(parseLabelRuns(Uint8Array.from(encodeLabelRuns(big)), big.length), 120, 90, 100, 80, new Set(), scratch);
    const small = randomMap(40, 30, 7);
    const fresh = new SampleScratch();
    const runs = parseLabelRuns(Uint8Array.from(encodeLabelRuns(small)), small.length);
    expect(sampleLabelRuns(runs, 40, 30, 25, 17, new Set([3]), scratch)).toEqual(sampleLabelRuns(runs, 40, 30, 25, 17, new Set([3]), fresh));
    expect(Buffer.from(scratch.labels.subarray(0, 25 * 17)).equals(Buffer.from(fresh.labels.subarray(0, 25 * 17)))).toBe(true);
  });

  it("a compressed frame's class at a pixel and its lazily expanded map are the runs' map", () => {
    const map = randomMap(97, 31, 3);
    const header = { width: 97, height: 31 } as FrameHeader;
    const frame = new ViewerFrame(header, parseLabelRuns(Uint8Array.from(encodeLabelRuns(map)), map.length), null, null, 0, 0);
    for (let i = 0; i < map.length; i++) expect(frame.labelAt(i)).toBe(map[i]);
    expect(Buffer.from(frame.classMap).equals(Buffer.from(map))).toBe(true);
  });
});
