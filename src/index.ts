/** Library entry point: the pieces integrators compose into their own pipelines. */
export type { Frame, SegmentedFrame, ClassResult, Stage, StageTimestamps } from './frames/frame.js';
export { Sam2RadModel, type ObjectQuery, type ObjectResult, type FrameInference, type ModelOptions } from '../plugins/model/sam2rad-model.js';
export { SegmentationSession, PromptError, type HumanPrompt, type SessionOptions } from '../plugins/model/segmentation-session.js';
export { segment, segmentLatest } from '../plugins/model/segment.js';
export { cropToRoi, roiCropper, type RoiSetting } from './frames/roi-crop.js';
export { loadManifest, ModelError, type Manifest, type Precision } from './runtime/manifest.js';
export { openSource, type Source } from '../plugins/sources/index.js';
export { LiveServer, Metrics } from './server/index.js';
export { Recorder } from '../plugins/sinks/recording.js';
