/** `sam2rad bench`: speed figures printed and written as JSON, all from one run on one machine. */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchmarkModel, type ModelBenchResult } from '../bench/model-bench.js';
import { benchmarkRealtime, benchmarkThroughput, type OpenBenchSource, type ThroughputResult } from '../bench/pipeline-bench.js';
import { demoClipPath } from '../../../plugins/sources/demo.js';
import { fileSource, rawFramesSource } from '../../../plugins/sources/index.js';
import type { Frame } from '../../core/frames/frame.js';
import { intOption, UsageError, type Command } from './command.js';
import { MODEL_OPTIONS } from './defaults.js';
import { loadModel } from './load-model.js';

async function firstFrames(open: OpenBenchSource, n: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of (await open({ realtime: false })).pull()) {
    frames.push(frame);
    if (frames.length >= n) break;
  }
  return frames;
}

export const benchCommand: Command = {
  name: 'bench',
  usage: 'bench --json FILE [--clip VIDEO | --frames FILE] [--model DIR] [--ep cpu|cuda|webgpu] [--precision fp32|fp16|int8] [--rounds N] [--seconds N]',
  summary:
    'Measures model-only throughput (five graphs, memory bank full, per-graph latency including host<->device ' +
    'copies) and pipeline throughput on a file at full speed through the WebSocket server, in alternating rounds ' +
    '(the figures are the round with the median pipeline/model ratio: a shared machine\'s load drifts between ' +
    'phases), then decode-to-WebSocket latency, drops and RSS growth with the clip replayed at its native rate ' +
    '(30 fps for the demo clip).',
  options: {
    json: { type: 'string', arg: 'FILE', help: 'write the results here' },
    clip: { type: 'string', arg: 'VIDEO', help: 'clip to use, decoded by ffmpeg (default: the built-in demo clip)' },
    frames: { type: 'string', arg: 'FILE', help: 'pre-decoded frames instead of a clip: JSON descriptor of a raw grey file (no ffmpeg needed)' },
    iterations: { type: 'string', default: '200', arg: 'N', help: 'model-only frames measured per round' },
    'pipeline-frames': { type: 'string', default: '300', arg: 'N', help: 'frames per full-speed pipeline round' },
    rounds: { type: 'string', default: '3', arg: 'N', help: 'alternating model-only and pipeline rounds' },
    seconds: { type: 'string', default: '60', arg: 'N', help: 'length of the real-time run (600 for the 10-minute RSS figure)' },
    class: { type: 'string', arg: 'NAMES', help: 'comma-separated classes (default: the first class of the model)' },
    'require-ep': { type: 'boolean', default: false, help: 'fail instead of falling back to cpu when --ep cannot start' },
    ...MODEL_OPTIONS,
  },
  async run(values) {
    const json = values.json as string | undefined;
    if (!json) throw new UsageError('bench needs --json FILE (see --help)');
    if (values.clip && values.frames) throw new UsageError('bench: give --clip or --frames, not both');
    // A raw-frames descriptor (--frames) or a video clip (--clip, default the demo clip).
    const input = (values.frames ?? values.clip ?? demoClipPath()) as string;
    const open: OpenBenchSource = values.frames ? (o) => rawFramesSource(input, o) : (o) => fileSource(input, o);
    const model = await loadModel(values);
    if (values['require-ep'] && model.provider.fallbackReason) {
      await model.release();
      console.error(`bench: --require-ep: ${model.provider.requested} unavailable (${model.provider.fallbackReason})`);
      return 3;
    }
    const classes = values.class ? String(values.class).split(',') : [model.manifest.classes[0]!];
    const frames = await firstFrames(open, 30);
    const rounds: { model: ModelBenchResult; throughput: ThroughputResult; ratio: number }[] = [];
    for (let r = 1, n = intOption(values, 'rounds', 1); r <= n; r++) {
      const modelRound = await benchmarkModel(model, frames, intOption(values, 'iterations', 1), classes);
      const throughput = await benchmarkThroughput(model, open, classes, intOption(values, 'pipeline-frames', 1));
      const ratio = Math.round((throughput.pipeline_fps / modelRound.model_fps) * 1000) / 1000;
      console.error(`round ${r}/${n}: model-only ${modelRound.model_fps} fps (graphs p50 ${modelRound.graphs_ms.p50} ms), pipeline ${throughput.pipeline_fps} fps, ratio ${ratio}`);
      rounds.push({ model: modelRound, throughput, ratio });
    }
    const { model: modelResult, throughput, ratio } = [...rounds].sort((a, b) => a.ratio - b.ratio)[(rounds.length - 1) >> 1]!;
    console.error('real-time source ...');
    const realtime = await benchmarkRealtime(model, open, classes, intOption(values, 'seconds', 5));
    const result = {
      date: new Date().toISOString(),
      machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memory_gb: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.arch()}`, node: process.version },
      model: {
        name: model.manifest.name, version: model.manifest.version, ep: model.provider.used, precision: model.precision,
        threads: Number(values.threads), image_size: model.manifest.input.image_size, memory_frames: model.manifest.memory.frames,
      },
      provider: {
        requested: model.provider.requested, used: model.provider.used,
        ...(model.provider.fallbackReason ? { fallback_reason: model.provider.fallbackReason } : {}),
        // Between graphs: intermediate tensors stay in GPU memory, or are copied through host memory.
        intermediate_tensors: model.outputsOnDevice ? 'device' : 'host',
      },
      clip: path.basename(input),
      classes,
      model_fps: modelResult.model_fps,
      pipeline_fps: throughput.pipeline_fps,
      pipeline_to_model_ratio: ratio,
      rounds: rounds.map((r) => ({ model_fps: r.model.model_fps, pipeline_fps: r.throughput.pipeline_fps, ratio: r.ratio })),
      latency_ms: realtime.latency_ms,
      dropped: realtime.dropped,
      rss_growth_mb: realtime.rss_growth_mb,
      model_detail: modelResult,
      throughput_detail: throughput,
      realtime_detail: realtime,
    };
    await mkdir(path.dirname(path.resolve(json)), { recursive: true });
    await writeFile(json, JSON.stringify(result, null, 2));
    console.log(JSON.stringify({ model_fps: result.model_fps, pipeline_fps: result.pipeline_fps, latency_ms: result.latency_ms, dropped: result.dropped, rss_growth_mb: result.rss_growth_mb, graphs_ms: modelResult.graphs_ms }));
    await model.release();
    return 0;
  },
};
