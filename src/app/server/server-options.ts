/** What LiveServer.listen takes: where to bind, what to serve (frames, status callbacks, recordings, the
 * viewer), and the limits and security of its clients (docs/protocol.md). */
import type { Observable } from 'rxjs';
import type { ModelInfo, RecordingControl, SourceStatus } from '../../core/contracts/live-status.js';
import type { SegmentedFrame } from '../../core/frames/frame.js';
import type { AccessTokens } from './access.js';
import type { AuditSink } from './audit-log.js';
import type { ChannelLimits } from './client-channel.js';
import type { Metrics } from './metrics.js';
import type { SessionInfo } from './protocol.js';
import type { RateLimit } from './rate-limit.js';

export interface LiveServerOptions {
  /** Interface to bind; loopback by default so the viewer is not exposed to the network by accident. */
  readonly host?: string;
  /** 0 picks a free port (tests); read it back from `address`. Default 8080. */
  readonly port?: number;
  /** Processed frames; each is published as it arrives. Must be hot/shared: the server subscribes once. */
  readonly frames?: Observable<SegmentedFrame>;
  /** Shared with the pipeline so its drop counts appear in /metrics and status. */
  readonly metrics?: Metrics;
  /** With `scanners`, called with the client's scanner (status messages) or null (/healthz: all of them). */
  readonly source?: (scanner: string | null) => SourceStatus;
  readonly model?: (scanner: string | null) => ModelInfo;
  readonly recording?: RecordingControl;
  /** Mode, model classes and tracked classes of the segmentation session, for status messages and /healthz. */
  readonly session?: (scanner: string | null) => SessionInfo | undefined;
  /** Many scanners (`sam2rad serve --nats`, docs/nats.md): the scanners known now, listed in /healthz. A client
   * picks one with `/ws?scanner=ID` (default: the first listed when it connects) and gets only the frames
   * published for it (`publish(frame, scanner)`), and status messages about it. */
  readonly scanners?: () => readonly ScannerSummary[];
  /** Folder with index.html, viewer.js, viewer.css. Defaults to the viewer `npm run build` bundles into dist/. */
  readonly viewerDir?: string;
  readonly channelLimits?: Partial<ChannelLimits>;
  readonly statusIntervalMs?: number;
  /** Control messages larger than this get an error reply (the connection stays open). Default 16 KiB. */
  readonly maxControlMessageBytes?: number;
  readonly log?: (message: string) => void;
  /** Access tokens (docs/protocol.md, "Security"): `control` is required on a host other than loopback;
   * with none (loopback only) every client has the control role. */
  readonly tokens?: AccessTokens;
  /** Serve HTTPS and WSS with this PEM certificate (chain) and key. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Client messages each connection may send: a token bucket (default 20 a second, bursts of 40). */
  readonly rateLimit?: RateLimit;
  /** Where control actions, connections and refused requests are recorded (default: nowhere). */
  readonly audit?: AuditSink;
  /** Every this many ms each client is pinged; one that has not answered the previous ping by then is
   * dropped, so a dead client goes within twice this (default 15000: within 30 s). 0 turns it off. */
  readonly heartbeatMs?: number;
}

/** One scanner in /healthz `scanners` (many-scanner serve); the hub adds what it knows (worker, counts). */
export interface ScannerSummary {
  readonly id: string;
  readonly [key: string]: unknown;
}
