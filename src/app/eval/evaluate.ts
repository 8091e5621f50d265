/** `sam2rad eval`: the model scored on a folder of labelled images, or over a labelled clip, through the
 * same runtime path as the live pipeline (ROI crop, letterbox, five graphs, mask painted back onto the
 * whole frame at source resolution, where it is scored against the full-frame truth). */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Frame } from '../../core/frames/frame.js';
import { roiCropper, type RoiSetting } from '../../core/frames/roi-crop.js';
import type { RoiFrame } from '../../core/frames/roi.js';
import { readGreyImage, readPngChannel, stillFrame, type GreyImage } from '../../core/frames/read-image.js';
import { segmentFrame } from '../../../plugins/model/frame-segmenter.js';
import type { PromptMode, PointPrompt } from '../../../plugins/model/prompts.js';
import type { ObjectQuery } from '../../../plugins/model/object-query.js';
import type { Sam2RadModel } from '../../../plugins/model/sam2rad-model.js';
import { LogitSmoothing } from '../../../plugins/model/logit-smoothing.js';
import type { ExecutionProvider } from '../../core/runtime/execution-provider.js';
import type { Precision } from '../../core/runtime/manifest.js';
import { correctionClick, maskBox } from './click-simulation.js';
import { findHcProvenance, scoreHc, summariseHc, type HcSummary, type ImageHc } from './hc-eval.js';
import { mean, overlap } from './metrics.js';
import { writeOverlayPng } from './overlay-png.js';
import { perturber, type PerturbationKind } from './perturbations.js';

export type EvalMode = 'auto' | 'box' | 'auto+box';
export const EVAL_MODES: readonly EvalMode[] = ['auto', 'box', 'auto+box'];

export interface ImageScore extends Partial<ImageHc> {
  readonly name: string;
  readonly dice: number;
  readonly iou: number;
  readonly objectScore: number;
}

/** Stills with HC references (provenance.csv, see hc-eval.ts) add hc_mad_mm and its distribution. */
export interface EvalReport extends Partial<HcSummary> {
  readonly dice: number;
  readonly iou: number;
  readonly count: number;
  readonly mode: EvalMode;
  readonly clicks: number;
  readonly class: string;
  readonly model: {
    readonly name: string;
    readonly version: string;
    readonly manifest_sha256: string;
    /** The graphs that ran (fp32, or a manifest variant) and on which provider. */
    readonly precision: Precision;
    readonly ep: ExecutionProvider;
  };
  /** The manifest's semi-axis scale applied before HC (mask.biometry_axis_scales; 1 without). */
  readonly hc_axis_scale?: number;
  readonly images: ImageScore[];
}

export interface ClipReport extends EvalReport {
  readonly clip: string;
  readonly memory: boolean;
  readonly frames: number;
  /** Mean IoU between consecutive frames' masks: stability in time. */
  readonly temporal_iou: number;
  /** Mean Dice of the labelled frames after the first one (which carries the --clicks corrections). */
  readonly dice_after_click: number;
  /** Artefacts drawn on the frames the model saw (the truth stays the clean frames' masks). */
  readonly perturb: { readonly kinds: readonly PerturbationKind[]; readonly seed: number } | null;
  /** Alpha of the exponential moving average of the mask logits, or null. */
  readonly smooth: number | null;
}

export interface EvalOptions {
  readonly model: Sam2RadModel;
  readonly dataDir: string;
  readonly className: string;
  readonly mode: EvalMode;
  readonly clicks: number;
  /** Crop before the model, as the live pipeline does ('auto': the ultrasound image inside the frame). */
  readonly roi: RoiSetting;
  readonly overlaysDir?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

interface LabelledItem {
  readonly stem: string;
  readonly imageFile: string;
  readonly maskFile: string;
}

/** Pairs images/<stem>.{png,jpg,jpeg} with masks/<stem>.png. */
export async function listLabelledImages(dataDir: string): Promise<LabelledItem[]> {
  const imagesDir = path.join(dataDir, 'images');
  const masksDir = path.join(dataDir, 'masks');
  let images: string[];
  let masks: Set<string>;
  try {
    images = (await readdir(imagesDir)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
    masks = new Set(await readdir(masksDir));
  } catch (err) {
    throw new Error(`--data ${dataDir}: expected images/ and masks/ folders (${(err as Error).message})`);
  }
  const items = images.map((file) => {
    const stem = file.replace(/\.[^.]+$/, '');
    if (!masks.has(`${stem}.png`)) throw new Error(`${path.join(masksDir, stem + '.png')}: no mask for image ${file}`);
    return { stem, imageFile: path.join(imagesDir, file), maskFile: path.join(masksDir, `${stem}.png`) };
  });
  if (items.length === 0) throw new Error(`${imagesDir}: no .png or .jpg images`);
  return items;
}

function binary(classMap: Uint8Array): Uint8Array {
  return classMap.map((v) => (v > 0 ? 1 : 0));
}

function modelInfo(model: Sam2RadModel): EvalReport['model'] {
  const { name, version, manifestSha256, precision } = model.identity;
  return { name, version, manifest_sha256: manifestSha256, precision, ep: model.provider.used };
}

/** Scores one still image: learned and/or box prompts, then `clicks` correction clicks, no memory. */
async function scoreImage(options: EvalOptions, image: GreyImage, truth: Uint8Array) {
  const { model, mode, clicks } = options;
  const classIndex = model.classIndex(options.className);
  const frame = roiCropper(options.roi)(stillFrame(image));
  const box = mode === 'auto' ? undefined : maskBox(truth, image.width, image.height) ?? undefined;
  const points: PointPrompt[] = [];
  const promptMode: PromptMode = mode === 'box' ? 'manual' : mode === 'auto+box' || clicks > 0 ? 'semi' : 'auto';
  const segment = async () => {
    const result = await segmentFrame(model, frame, [
      { classIndex, bank: model.newBank(), mode: promptMode, prompts: { box, points: [...points] }, updateMemory: false },
    ]);
    return { pred: binary(result.classMap), objectScore: result.results[0]!.objectScore, ellipse: result.results[0]!.ellipse };
  };
  let result = await segment();
  for (let c = 0; c < clicks; c++) {
    const click = correctionClick(result.pred, truth, image.width, image.height);
    if (!click) break;
    points.push(click);
    result = await segment();
  }
  return result;
}

export async function evaluateImages(options: EvalOptions): Promise<EvalReport> {
  const items = await listLabelledImages(options.dataDir);
  if (options.overlaysDir) await mkdir(options.overlaysDir, { recursive: true });
  const ellipseClass = options.model.manifest.mask.shape_priors?.[options.className] === 'ellipse';
  const hcReferences = ellipseClass ? await findHcProvenance(options.dataDir, items.map((x) => x.imageFile)) : undefined;
  const hcAxisScale = options.model.manifest.mask.biometry_axis_scales?.[options.className] ?? 1;
  const hc: ImageHc[] = [];
  const images: ImageScore[] = [];
  for (const [i, item] of items.entries()) {
    const [image, mask] = await Promise.all([readGreyImage(item.imageFile), readPngChannel(item.maskFile)]);
    if (image.width !== mask.width || image.height !== mask.height) {
      throw new Error(`${item.maskFile}: mask is ${mask.width}x${mask.height} but its image is ${image.width}x${image.height}`);
    }
    const truth = binary(mask.data);
    const { pred, objectScore, ellipse } = await scoreImage(options, image, truth);
    const reference = hcReferences?.references.get(item.stem);
    const imageHc = reference && scoreHc(ellipse, reference, hcAxisScale);
    if (imageHc) hc.push(imageHc);
    images.push({ name: item.stem, ...overlap(pred, truth), objectScore, ...imageHc });
    if (options.overlaysDir) {
      await writeOverlayPng(path.join(options.overlaysDir, `${item.stem}.png`), image.data, pred, truth, image.width, image.height);
    }
    options.onProgress?.(i + 1, items.length);
  }
  return {
    dice: mean(images.map((x) => x.dice)),
    iou: mean(images.map((x) => x.iou)),
    count: images.length,
    mode: options.mode,
    clicks: options.clicks,
    class: options.className,
    model: modelInfo(options.model),
    ...(hc.length ? { ...summariseHc(hc, hcReferences!.file), hc_axis_scale: hcAxisScale } : {}),
    images,
  };
}

export interface ClipEvalOptions extends EvalOptions {
  readonly clip: string;
  /** Every frame of the clip, in order. */
  readonly frames: AsyncIterable<Frame>;
  readonly frameCount?: number;
  /** A mask whose stem ends in _fNNNN belongs to clip frame NNNN - frameOffset (0-based). */
  readonly frameOffset: number;
  readonly memory: boolean;
  readonly perturb?: { readonly kinds: readonly PerturbationKind[]; readonly seed: number };
  /** EMA alpha of the mask logits (the baseline the memory is compared with). */
  readonly smooth?: number;
}

/** The labelled frames of a clip: frame index -> mask file. */
async function clipMasks(options: ClipEvalOptions): Promise<Map<number, string>> {
  const masksDir = path.join(options.dataDir, 'masks');
  const labelled = new Map<number, string>();
  for (const file of await readdir(masksDir).catch((err: Error) => {
    throw new Error(`--data ${options.dataDir}: no masks/ folder (${err.message})`);
  })) {
    const match = /_f(\d+)\.png$/.exec(file);
    if (match) labelled.set(Number(match[1]) - options.frameOffset, path.join(masksDir, file));
  }
  if (labelled.size === 0) throw new Error(`${masksDir}: no masks named *_fNNNN.png`);
  return labelled;
}

/** Runs the model over every frame in order with memory (or an empty bank), scoring the labelled frames.
 * With --clicks N (semi mode) the first labelled frame gets N correction clicks: each re-runs that frame
 * with the clicks, which makes it the conditioning memory, as a prompt drawn in the viewer does. */
export async function evaluateClip(options: ClipEvalOptions): Promise<ClipReport> {
  const { model, clicks } = options;
  const labelled = await clipMasks(options);
  const first = Math.min(...labelled.keys());
  const classIndex = model.classIndex(options.className);
  const query: ObjectQuery = {
    classIndex,
    bank: model.newBank(),
    mode: clicks > 0 ? 'semi' : 'auto',
    updateMemory: options.memory,
    smoothing: options.smooth === undefined ? undefined : new LogitSmoothing(options.smooth),
  };
  const crop = roiCropper(options.roi);
  const perturb = options.perturb ? perturber(options.perturb.kinds, options.perturb.seed) : (f: RoiFrame) => f;
  const images: ImageScore[] = [];
  const temporal: number[] = [];
  let previous: Uint8Array | null = null;
  let frames = 0;
  for await (const frame of options.frames) {
    const seen = perturb(crop(frame));
    let result = await segmentFrame(model, seen, [query]);
    const maskFile = labelled.get(frame.index);
    const truth = maskFile ? binary((await readMask(maskFile, frame)).data) : undefined;
    if (truth && frame.index === first) {
      const points: PointPrompt[] = [];
      for (let c = 0; c < clicks; c++) {
        const click = correctionClick(binary(result.classMap), truth, frame.width, frame.height);
        if (!click) break;
        points.push(click);
        result = await segmentFrame(model, seen, [{ ...query, prompts: { points: [...points] } }]);
      }
    }
    const pred = binary(result.classMap);
    if (previous) temporal.push(overlap(pred, previous).iou);
    previous = pred;
    if (maskFile && truth) {
      images.push({ name: path.basename(maskFile, '.png'), ...overlap(pred, truth), objectScore: result.results[0]!.objectScore });
      if (options.overlaysDir) {
        await mkdir(options.overlaysDir, { recursive: true });
        await writeOverlayPng(path.join(options.overlaysDir, path.basename(maskFile)), frame.data, pred, truth, frame.width, frame.height);
      }
    }
    frames++;
    options.onProgress?.(frames, options.frameCount ?? frames);
  }
  if (images.length === 0) throw new Error(`${options.clip}: none of the ${labelled.size} labelled frames is in the clip (check --frame-offset)`);
  return {
    dice: mean(images.map((x) => x.dice)),
    iou: mean(images.map((x) => x.iou)),
    count: images.length,
    mode: 'auto',
    clicks,
    class: options.className,
    model: modelInfo(model),
    images,
    clip: options.clip,
    memory: options.memory,
    frames,
    temporal_iou: mean(temporal),
    dice_after_click: mean(images.slice(1).map((x) => x.dice)),
    perturb: options.perturb ?? null,
    smooth: options.smooth ?? null,
  };
}

async function readMask(maskFile: string, frame: Frame): Promise<GreyImage> {
  const mask = await readPngChannel(maskFile);
  if (mask.width !== frame.width || mask.height !== frame.height) {
    throw new Error(`${maskFile}: mask is ${mask.width}x${mask.height} but clip frames are ${frame.width}x${frame.height}`);
  }
  return mask;
}
