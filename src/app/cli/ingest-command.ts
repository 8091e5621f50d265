/** `sam2rad ingest`: one scanner's source onto NATS JetStream for the workers (docs/nats.md). */
import { hostname } from 'node:os';
import { openSource } from '../../../plugins/sources/index.js';
import { checkScannerId, openNats, splitCredentials } from '../nats/jetstream-setup.js';
import { ScannerIngest } from '../nats/scanner-ingest.js';
import { choiceOption, intOption, UsageError, type Command } from './command.js';

export const ingestCommand: Command = {
  name: 'ingest',
  usage: 'ingest --nats URL --scanner ID --source URI|demo [--loop] [--format jpeg|raw] [--quality N]',
  summary:
    'Publishes one scanner\'s frames on NATS JetStream (subject scanners.ID.frames) for `sam2rad worker`s. Any source ' +
    'serve opens (a file, demo, udp/rtsp/srt, /dev/videoN, DICOM, -); the stream keeps a few seconds per scanner, newest first.',
  options: {
    nats: { type: 'string', arg: 'URL', help: 'NATS server(s), comma-separated (e.g. nats://127.0.0.1:4222, tls://nats.local:4222)' },
    scanner: { type: 'string', arg: 'ID', help: 'scanner id: letters, digits, - and _ (one per ingest)' },
    source: { type: 'string', arg: 'URI', help: 'what to publish (default: demo)' },
    loop: { type: 'boolean', default: false, help: 'replay a file source forever' },
    format: { type: 'string', default: 'jpeg', arg: 'jpeg|raw', help: 'frame encoding on the wire (raw: 8-bit grey, w*h bytes)' },
    quality: { type: 'string', default: '80', arg: 'N', help: 'JPEG quality 1-100' },
    'report-every': { type: 'string', default: '10', arg: 'S', help: 'log published/missed counts every S seconds (0: never)' },
  },
  async run(values) {
    if (!values.nats) throw new UsageError('--nats URL is required');
    if (!values.scanner) throw new UsageError('--scanner ID is required');
    const scanner = checkScannerId(String(values.scanner));
    const format = choiceOption(values, 'format', ['jpeg', 'raw'] as const);
    const quality = intOption(values, 'quality', 1);
    const log = (line: string) => console.error(`[ingest ${scanner}] ${line}`);
    const nats = await openNats(String(values.nats), `sam2rad-ingest-${scanner}@${hostname()}`);
    const uri = String(values.source ?? 'demo');
    const source = await openSource(uri, { ...(values.loop ? { loop: true } : {}), onWarning: log });
    const ingest = new ScannerIngest({ nats, scanner, source, format, quality, log });
    await ingest.start();
    console.log(`Sam2Rad ingest: scanner ${scanner} from ${uri} -> ${splitCredentials(String(values.nats)).servers.join(',')} (${format})`);
    const every = intOption(values, 'report-every') * 1000;
    const report = every > 0 ? setInterval(() => log(`published ${ingest.counters().published}, missed ${ingest.counters().missed}`), every) : undefined;
    await Promise.race([
      ingest.done,
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
    ]);
    clearInterval(report);
    await ingest.stop();
    await nats.close();
    log(`stopped: published ${ingest.counters().published}, missed ${ingest.counters().missed}`);
    return 0;
  },
};
