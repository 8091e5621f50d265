/** `sam2rad worker`: runs the model for the scanners it holds a lease on (docs/nats.md). */
import { hostname } from 'node:os';
import { openNats, splitCredentials } from '../nats/jetstream-setup.js';
import { ScannerWorker } from '../nats/scanner-worker.js';
import { intOption, UsageError, type Command } from './command.js';
import { MODEL_OPTIONS } from './defaults.js';
import { loadModel } from './load-model.js';
import { roiOption, ROI_OPTION } from './roi-option.js';

export const workerCommand: Command = {
  name: 'worker',
  usage: 'worker --nats URL [--id ID] [--max-scanners N] [--class NAMES] [--model DIR] [--ep cpu|cuda|webgpu]',
  summary:
    'Segments scanners published by `sam2rad ingest`: takes its fair share of scanners as leases (one worker per scanner ' +
    'at a time), one memory bank each, and publishes results on scanners.ID.results; a dead worker\'s scanners move to ' +
    'the others within 5 s.',
  options: {
    nats: { type: 'string', arg: 'URL', help: 'NATS server(s), comma-separated' },
    id: { type: 'string', arg: 'ID', help: 'worker id in results and leases (default: HOST-PID)' },
    'max-scanners': { type: 'string', arg: 'N', help: 'hold at most N scanners (default: the fair share)' },
    class: { type: 'string', arg: 'NAMES', help: 'classes a scanner starts with (default: the model\'s first)' },
    roi: ROI_OPTION,
    ...MODEL_OPTIONS,
  },
  async run(values) {
    if (!values.nats) throw new UsageError('--nats URL is required');
    const id = String(values.id ?? `${hostname()}-${process.pid}`);
    const roi = roiOption(values);
    const maxScanners = values['max-scanners'] === undefined ? undefined : intOption(values, 'max-scanners', 1);
    const log = (line: string) => console.error(`[worker ${id}] ${line}`);
    const model = await loadModel(values);
    const nats = await openNats(String(values.nats), `sam2rad-worker-${id}`);
    const worker = new ScannerWorker({
      nats,
      id,
      model,
      modelInfo: { ...model.identity, ep: model.provider.used },
      ...(values.class ? { classes: String(values.class).split(',') } : {}),
      roi,
      ...(maxScanners ? { maxScanners } : {}),
      log,
    });
    await worker.start();
    console.log(`Sam2Rad worker ${id}: ${splitCredentials(String(values.nats)).servers.join(',')}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    log('stopping: giving the scanners back');
    await worker.stop();
    await nats.close();
    await model.release();
    return 0;
  },
};
