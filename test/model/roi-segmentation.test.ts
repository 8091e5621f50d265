/** Segmenting a cropped frame: the model sees the crop, while prompts and results are in the source
 * frame's pixels. An image placed inside a larger screen and cropped back out exactly must give the
 * plain image's masks, moved by the offset, with its prompts moved the same way; a crop that changes
 * mid-stream changes nothing downstream (every result has the screen's size). Real model and image. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Frame, SegmentedFrame } from '../../src/core/frames/frame.js';
import { readGreyImage } from '../../src/core/frames/read-image.js';
import { cropFrame } from '../../src/core/frames/roi.js';
import { SegmentationSession } from '../../plugins/model/segmentation-session.js';
import { Sam2RadModel } from '../../plugins/model/sam2rad-model.js';
import { MODEL_DIR } from '../helpers/model-dir.js';

const IMAGE = '../shared/datasets/hc18_fetal_head_us/images/080_HC.png';
const [OX, OY, SW, SH] = [150, 60, 1100, 700]; // where the image sits on the screen, and the screen's size

let model: Sam2RadModel;
let plain: Frame;
let screen: Frame;

/** The plain frame's class map placed on the screen at the offset. */
function onScreen(map: Uint8Array): Uint8Array {
  const out = new Uint8Array(SW * SH);
  for (let y = 0; y < plain.height; y++) out.set(map.subarray(y * plain.width, (y + 1) * plain.width), (y + OY) * SW + OX);
  return out;
}

async function run(frame: Frame, prompts: { x: number; y: number }[] = []): Promise<SegmentedFrame> {
  const session = new SegmentationSession(model, { classes: ['fetal_head'], mode: prompts.length ? 'semi' : 'auto', historyFrames: 1 });
  const human = prompts.length ? [{ frame: frame.index, className: 'fetal_head', points: prompts.map((p) => ({ ...p, label: 1 as const })) }] : [];
  return session.process(frame, human);
}

describe('segmenting a crop of the frame', () => {
  beforeAll(async () => {
    model = await Sam2RadModel.load(MODEL_DIR, { ep: 'cpu', intraOpThreads: 2 });
    const image = await readGreyImage(IMAGE);
    plain = { index: 0, timestamps: {}, ...image };
    const data = new Uint8Array(SW * SH).fill(12);
    for (let y = 0; y < image.height; y++) data.set(image.data.subarray(y * image.width, (y + 1) * image.width), (y + OY) * SW + OX);
    screen = { index: 0, timestamps: {}, width: SW, height: SH, data };
  }, 60_000);

  it('gives the plain image masks and boxes on the whole screen, with prompts drawn on the screen', async () => {
    const crop = cropFrame(screen, { x: OX, y: OY, width: plain.width, height: plain.height });
    for (const click of [[], [{ x: 420, y: 260 }]]) {
      const reference = await run(plain, click);
      const result = await run(crop, click.map((p) => ({ x: p.x + OX, y: p.y + OY })));
      expect([result.width, result.height, result.data]).toEqual([SW, SH, screen.data]);
      expect([result.roi, reference.roi]).toEqual([crop.roi, undefined]);
      expect(Buffer.from(result.classMap).equals(Buffer.from(onScreen(reference.classMap)))).toBe(true);
      const [ref, got] = [reference.results[0]!, result.results[0]!];
      expect(got.area).toBe(ref.area);
      expect(got.area).toBeGreaterThan(10_000);
      expect(got.box).toEqual([ref.box[0] + OX, ref.box[1] + OY, ref.box[2] + OX, ref.box[3] + OY]);
    }
  }, 60_000);

  it('keeps the screen size when the crop changes between frames', async () => {
    const session = new SegmentationSession(model, { classes: ['fetal_head'] });
    const rects = [{ x: OX, y: OY, width: plain.width, height: plain.height }, { x: 0, y: 0, width: SW, height: SH }, { x: OX + 40, y: OY, width: 700, height: 500 }];
    for (const [index, rect] of rects.entries()) {
      const result = await session.process(cropFrame({ ...screen, index }, rect));
      expect([result.width, result.height, result.classMap.length]).toEqual([SW, SH, SW * SH]);
    }
  }, 60_000);
});
