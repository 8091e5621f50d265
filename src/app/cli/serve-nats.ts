/** `sam2rad serve --nats URL`: the viewer, /healthz, /metrics and recordings for many scanners, fed from the
 * workers' results on NATS (docs/nats.md). No model and no source in this process. */
import path from 'node:path';
import { LiveServer } from '../server/server.js';
import { Metrics } from '../server/metrics.js';
import { openNats, splitCredentials } from '../nats/jetstream-setup.js';
import { ScannerHub } from '../nats/scanner-hub.js';
import { ACCESS_OPTIONS, reopenAuditOnHangup, resolveAccess } from './access-options.js';
import { intOption } from './command.js';
import { registerHubControls } from '../nats/hub-controls.js';

export { ACCESS_OPTIONS };

export async function serveNats(values: Record<string, unknown>): Promise<number> {
  const log = (line: string) => console.error(`[sam2rad] ${line}`);
  const access = await resolveAccess(values, String(values.host));
  const stopReopening = reopenAuditOnHangup(access.audit, log);
  const metrics = new Metrics({ perScanner: true });
  const nats = await openNats(String(values.nats), 'sam2rad-serve');
  let server: LiveServer | undefined;
  const hub = new ScannerHub({
    nats,
    metrics,
    recordDir: path.resolve(String(values['record-dir'])),
    log,
    publish: (frame, scanner) => server?.publish(frame, scanner),
  });
  server = await LiveServer.listen({
    host: String(values.host),
    port: intOption(values, 'port'),
    metrics,
    source: (scanner) => hub.source(scanner),
    model: (scanner) => hub.model(scanner),
    session: (scanner) => hub.session(scanner),
    scanners: () => hub.scanners(),
    recording: hub.recording,
    log,
    tokens: access.tokens,
    ...(access.tls ? { tls: access.tls } : {}),
    audit: access.audit.write,
    heartbeatMs: access.heartbeatMs,
  });
  registerHubControls(server, nats);
  await hub.start();
  console.log(`Sam2Rad Live (many scanners): ${server.url} (results from ${splitCredentials(String(values.nats)).servers.join(',')}; /ws?scanner=ID picks a scanner)`);
  if (access.generated) {
    console.log(`Control token (generated; --token or SAM2RAD_TOKEN sets one): ${access.generated}`);
    console.log(`Open ${server.url}/?token=${access.generated}`);
  }
  if (values.record) {
    // --record: the scanners up when the first results arrive (waiting up to 30 s) are recorded.
    void (async () => {
      for (let i = 0; i < 60 && !hub.scanners().some((s) => s.up); i++) await new Promise((r) => setTimeout(r, 500));
      await hub.recording.start().catch((err: Error) => log(`recording not started: ${err.message}`));
    })();
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log('finishing recordings and closing');
  await hub.close();
  await server.close();
  stopReopening();
  await access.audit.close();
  await nats.close();
  return 0;
}
