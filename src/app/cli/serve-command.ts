/** `sam2rad serve`: the live pipeline with the viewer, health, metrics and recording. */
import path from 'node:path';
import { EMPTY, map, type OperatorFunction } from 'rxjs';
import { calibrated } from '../../core/frames/biometry.js';
import type { Frame } from '../../core/frames/frame.js';
import type { Sam2RadModel } from '../../../plugins/model/sam2rad-model.js';
import { LiveServer } from '../server/server.js';
import { Metrics } from '../server/metrics.js';
import { RecordingController } from '../../../plugins/sinks/recording-control.js';
import { SegmentationSession } from '../../../plugins/model/segmentation-session.js';
import { openSource } from '../../../plugins/sources/index.js';
import type { Source } from '../../core/contracts/source.js';
import { livePipeline, sourceStatus } from '../pipeline/live-pipeline.js';
import { registerSessionControls } from '../pipeline/session-controls.js';
import { UsageError, intOption, type Command } from './command.js';
import { parseBytes } from '../../../plugins/sinks/recording-quota.js';
import { DEFAULT_MODEL_DIR, MODEL_OPTIONS } from './defaults.js';
import { cropToRoi } from '../../core/frames/roi-crop.js';
import { loadStreamDefinition } from '../pipeline/stream-definition.js';
import { loadModel } from './load-model.js';
import { roiOption, ROI_OPTION } from './roi-option.js';
import { ACCESS_OPTIONS, reopenAuditOnHangup, resolveAccess } from './access-options.js';

export const serveCommand: Command = {
  name: 'serve',
  usage:
    'serve [--source URI|demo] [--model DIR] [--port N] [--host H] [--token T] [--view-token T] [--tls-cert F --tls-key F] ' +
    '[--record] [--record-dir DIR] [--ep cpu|cuda|webgpu]',
  summary:
    'Runs the live pipeline on a source and serves the viewer (GET /), /healthz, /metrics and the WebSocket ' +
    'stream (/ws). Sources: demo, a video file, a folder of images, udp:// rtp:// rtsp:// srt:// tcp:// URLs, ' +
    '/dev/videoN (V4L2) or - (stdin).',
  options: {
    source: { type: 'string', arg: 'URI', help: 'what to segment (default: demo)' },
    stream: { type: 'string', arg: 'FILE', help: 'a stream definition (streams/*.json): source, ROI, model, classes; flags override it' },
    roi: ROI_OPTION,
    loop: { type: 'boolean', default: false, help: 'replay a file source forever' },
    class: { type: 'string', arg: 'NAMES', help: 'comma-separated classes to segment (default: the first class of the model)' },
    port: { type: 'string', default: '8080', arg: 'N', help: 'HTTP/WebSocket port (0 = any free port)' },
    host: { type: 'string', default: '127.0.0.1', arg: 'H', help: 'interface to bind (0.0.0.0 to serve the network: needs a token, see --token)' },
    ...ACCESS_OPTIONS,
    record: { type: 'boolean', default: false, help: 'start recording at once' },
    'record-dir': { type: 'string', default: 'recordings', arg: 'DIR', help: 'where recordings are written' },
    'record-quota': {
      type: 'string',
      arg: 'BYTES',
      help: 'keep --record-dir under this size (e.g. 500M, 20G): the oldest recordings are removed first, each logged',
    },
    ...MODEL_OPTIONS,
    nats: { type: 'string', arg: 'URL', help: 'many scanners: serve the results of `sam2rad worker`s from this NATS server instead of running a source and model here (docs/nats.md)' },
  },
  async run(values) {
    if (values.nats) return (await import('./serve-nats.js')).serveNats(values);
    const log = (line: string) => console.error(`[sam2rad] ${line}`);
    // Checked first: a usage error in the security options stops before anything loads.
    const access = await resolveAccess(values, String(values.host));
    const stopReopening = reopenAuditOnHangup(access.audit, log);
    let quotaBytes: number | undefined;
    try {
      quotaBytes = values['record-quota'] === undefined ? undefined : parseBytes(String(values['record-quota']));
    } catch (err) {
      throw new UsageError(`--record-quota: ${(err as Error).message}`);
    }
    const stream = values.stream ? await loadStreamDefinition(String(values.stream)) : undefined;
    const roi = roiOption(values, stream?.roi);
    const modelDir = values.model === DEFAULT_MODEL_DIR && stream?.model ? stream.model : String(values.model);
    const sourceUri = (values.source as string | undefined) ?? stream?.source ?? 'demo';
    const metrics = new Metrics();

    // A broken model or source is reported on /healthz and in the viewer; the server still comes up.
    const model = await loadModel({ ...values, model: modelDir }).catch((err: Error) => {
      log(`model unavailable: ${err.message}`);
      return err;
    });
    const source = model instanceof Error
      ? new Error('not started: the model is unavailable')
      : await openSource(sourceUri, {
          ...(values.source ? {} : stream?.sourceOptions),
          ...(values.loop ? { loop: true } : {}),
          onWarning: log,
        }).catch((err: Error) => {
          log(`source unavailable: ${err.message}`);
          return err;
        });
    const startLive = (model: Sam2RadModel, source: Source) => {
      const classes = values.class ? String(values.class).split(',') : [...(stream?.classes ?? [model.manifest.classes[0]!])];
      const session = new SegmentationSession(model, { classes });
      // A stream definition's pixelSpacingMm calibrates frames whose source has none (biometry in mm).
      const spacing = stream?.pixelSpacingMm;
      const crop: OperatorFunction<Frame, Frame> = (input) => {
        const frames = spacing ? input.pipe(map((f) => calibrated(f, { mmPerPixel: spacing, source: 'stream' }))) : input;
        return roi === 'none' ? frames : frames.pipe(cropToRoi(roi));
      };
      const frames = livePipeline({ source, session, metrics, log, crop });
      // A line per change of state or error, not per retry of a feed that is down.
      let said = '';
      source.health.subscribe((h) => {
        const line = `source ${source.uri}: ${h.state}${h.lastError ? ` (${h.lastError})` : ''}`;
        if (line !== said) log(h.reconnects > 0 ? `${line} [${h.reconnects} reconnects]` : line);
        said = line;
      });
      return { model, source, session, frames };
    };
    // Decided once: either everything runs, or the status pages say which part is unavailable.
    const live = model instanceof Error || source instanceof Error ? undefined : startLive(model, source);
    const modelStatus = model instanceof Error
      ? { name: path.basename(modelDir), version: 'unavailable', ep: 'none', precision: 'none', error: model.message }
      : { name: model.identity.name, version: model.identity.version, precision: model.identity.precision, ep: model.provider.used };
    const recording = new RecordingController({
      dir: path.resolve(String(values['record-dir'])),
      ...(quotaBytes !== undefined ? { quotaBytes } : {}),
      log,
      frames: live?.frames ?? EMPTY,
      fps: () => live?.source.info.fps,
      context: () => ({
        sourceUri,
        model: live ? live.model.identity : null,
      }),
    });
    const server = await LiveServer.listen({
      host: String(values.host),
      port: intOption(values, 'port'),
      frames: live?.frames ?? EMPTY,
      metrics,
      source: () =>
        source instanceof Error ? { state: 'failed', up: false, uri: sourceUri, lastError: source.message } : sourceStatus(source),
      model: () => modelStatus,
      recording,
      session: live && (() => ({ mode: live.session.mode, classes: [...live.model.manifest.classes], tracked: live.session.classes })),
      log,
      tokens: access.tokens,
      ...(access.tls ? { tls: access.tls } : {}),
      audit: access.audit.write,
      heartbeatMs: access.heartbeatMs,
    });
    if (live) registerSessionControls(server, live.session);
    console.log(`Sam2Rad Live: ${server.url} (source ${sourceUri}, model ${modelDir}${live ? `, classes ${live.session.classes.join(', ')}` : ', NOT RUNNING: see /healthz'})`);
    if (access.generated) {
      // Printed once, here only: pass --token (or SAM2RAD_TOKEN) to keep one across restarts.
      console.log(`Control token (generated; --token or SAM2RAD_TOKEN sets one): ${access.generated}`);
      console.log(`Open ${server.url}/?token=${access.generated}`);
    }
    if (values.record && live) await recording.start();

    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        log(`${signal}: finishing recordings and closing`);
        resolve();
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
    await recording.close();
    await server.close();
    stopReopening();
    await access.audit.close();
    if (!(model instanceof Error)) await model.release();
    return 0;
  },
};
