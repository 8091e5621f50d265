/** Library entry point: the core and the plugins that integrators compose into their own pipelines. The
 * live server (viewer, /healthz, /metrics) has its own entry, `sam2rad-live/server`. */
export type { Frame, SegmentedFrame, ClassResult, Stage, StageTimestamps } from './core/frames/frame.js';
export { Sam2RadModel, type ModelOptions } from '../plugins/model/sam2rad-model.js';
export type { ObjectQuery, ObjectResult, FrameInference } from '../plugins/model/object-query.js';
export { SegmentationSession, PromptError, type HumanPrompt, type SessionOptions } from '../plugins/model/segmentation-session.js';
export { segment, segmentLatest } from '../plugins/model/segment.js';
export { cropToRoi, roiCropper, type RoiSetting } from './core/frames/roi-crop.js';
export { loadManifest, ModelError, type Manifest, type Precision } from './core/runtime/manifest.js';
export { openSource, type Source } from '../plugins/sources/index.js';
export { Recorder } from '../plugins/sinks/recorder.js';
