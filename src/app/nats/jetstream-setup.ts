/**
 * The NATS side of many scanners (docs/nats.md): subject names, the frames stream and the key-value buckets
 * every role (ingest, worker, serve) uses, created if absent so that any role may start first.
 *
 *   scanners.<ID>.frames    JetStream stream SAM2RAD_FRAMES: encoded frames from `sam2rad ingest`. Limits keep
 *                           the real-time policy across the network: a few seconds and a few frames per scanner
 *                           at most, older ones discarded, so a worker that comes (back) starts at the newest.
 *   scanners.<ID>.results   core NATS: segmented frames from the worker holding the scanner (with its id)
 *   scanners.<ID>.control   core NATS request/reply: mode, class, prompt, clear for the holding worker
 *   KV sam2rad-scanners     one key per live scanner (renewed by its ingest; what workers and serve list)
 *   KV sam2rad-workers      one key per live worker (renewed; the fair share of scanners per worker)
 *   KV sam2rad-leases       one key per scanner: the worker that holds it, until when (lease.ts)
 *   KV sam2rad-sessions     one key per scanner: its mode and tracked classes, restored after a failover
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';

export const FRAMES_STREAM = 'SAM2RAD_FRAMES';
/** Frames older than this are gone from the stream (the real-time policy across the network). */
export const FRAMES_MAX_AGE_MS = 3000;
/** At most this many frames per scanner are kept (about a second at 30 fps). */
export const FRAMES_PER_SCANNER = 30;

/** Scanner ids are one subject token and a key: letters, digits, '-' and '_'. */
export const SCANNER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function checkScannerId(id: string): string {
  if (!SCANNER_ID.test(id)) throw new Error(`scanner id "${id}": use 1-64 letters, digits, '-' or '_'`);
  return id;
}

export const subjects = {
  frames: (scanner: string) => `scanners.${scanner}.frames`,
  results: (scanner: string) => `scanners.${scanner}.results`,
  control: (scanner: string) => `scanners.${scanner}.control`,
  allResults: 'scanners.*.results',
} as const;

/** Key-value buckets; a key's entry disappears after `ttlMs` without a put (its holder's renewals). */
export const BUCKETS = {
  scanners: { name: 'sam2rad-scanners', ttlMs: 10_000 },
  workers: { name: 'sam2rad-workers', ttlMs: 6_000 },
  leases: { name: 'sam2rad-leases', ttlMs: 30_000 },
  sessions: { name: 'sam2rad-sessions', ttlMs: 24 * 3600_000 },
} as const;

export interface Nats {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly scanners: KV;
  readonly workers: KV;
  readonly leases: KV;
  readonly sessions: KV;
  close(): Promise<void>;
}

/**
 * How to reach a secured NATS (docs/nats.md, "Securing NATS"), from the environment so that no secret is on a
 * command line: a user and password in the URL (nats://user:pw@host:4222) or
 *   SAM2RAD_NATS_CREDS      a .creds file (NKey/JWT user, e.g. from nsc)
 *   SAM2RAD_NATS_TLS_CA     CA certificate (PEM) that signed the server's; with a tls:// URL
 *   SAM2RAD_NATS_TLS_CERT, SAM2RAD_NATS_TLS_KEY   this client's certificate and key (mutual TLS)
 */
export function securityOptions(env: NodeJS.ProcessEnv = process.env): Partial<ConnectionOptions> {
  const tls = {
    ...(env.SAM2RAD_NATS_TLS_CA ? { caFile: env.SAM2RAD_NATS_TLS_CA } : {}),
    ...(env.SAM2RAD_NATS_TLS_CERT ? { certFile: env.SAM2RAD_NATS_TLS_CERT } : {}),
    ...(env.SAM2RAD_NATS_TLS_KEY ? { keyFile: env.SAM2RAD_NATS_TLS_KEY } : {}),
  };
  return {
    ...(env.SAM2RAD_NATS_CREDS ? { authenticator: credsAuthenticator(readFileSync(env.SAM2RAD_NATS_CREDS)) } : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}

/** Servers without the user info, which the client wants as options: nats://user:pw@host -> user/pass, and
 * nats://token@host -> token. */
export function splitCredentials(url: string): { servers: string[]; user: { user?: string; pass?: string; token?: string } } {
  let user: { user?: string; pass?: string; token?: string } = {};
  const servers = url.split(',').map((server) => {
    const match = /^([a-z]+:\/\/)([^@/]*)@(.*)$/i.exec(server.trim());
    if (!match) return server.trim();
    const [, scheme, info, rest] = match as unknown as [string, string, string, string];
    const colon = info.indexOf(':');
    user = colon < 0 ? { token: decodeURIComponent(info) } : { user: decodeURIComponent(info.slice(0, colon)), pass: decodeURIComponent(info.slice(colon + 1)) };
    return `${scheme}${rest}`;
  });
  return { servers, user };
}

/** Connects (with reconnects forever), makes sure the stream and buckets exist, and opens them. */
export async function openNats(url: string, name: string): Promise<Nats> {
  const { servers, user } = splitCredentials(url);
  const nc = await connect({ servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 250, ...user, ...securityOptions() });
  const jsm = await jetstreamManager(nc);
  const stream = {
    name: FRAMES_STREAM,
    subjects: ['scanners.*.frames'],
    max_age: FRAMES_MAX_AGE_MS * 1e6,
    max_msgs_per_subject: FRAMES_PER_SCANNER,
    discard: DiscardPolicy.Old,
    storage: StorageType.Memory,
    num_replicas: 1,
  };
  try {
    await jsm.streams.info(FRAMES_STREAM);
  } catch {
    await jsm.streams.add(stream).catch(async (err: Error) => {
      // Another role created it meanwhile.
      if (!(await jsm.streams.info(FRAMES_STREAM).then(() => true, () => false))) throw err;
    });
  }
  const kvm = new Kvm(nc);
  const bucket = (b: { name: string; ttlMs: number }) => kvm.create(b.name, { ttl: b.ttlMs, history: 1, storage: StorageType.Memory });
  const [scanners, workers, leases, sessions] = await Promise.all([
    bucket(BUCKETS.scanners),
    bucket(BUCKETS.workers),
    bucket(BUCKETS.leases),
    bucket(BUCKETS.sessions),
  ]);
  return {
    nc,
    js: jetstream(nc),
    scanners,
    workers,
    leases,
    sessions,
    close: () => nc.drain().catch(() => nc.close()),
  };
}

/** Keys of a bucket whose entries are live (put, not deleted). */
export async function liveKeys(kv: KV): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  return keys.sort();
}

/** performance.now() of this process as Unix-epoch ms, and back: frame timestamps cross processes as epoch ms. */
export const toEpoch = (t: number): number => performance.timeOrigin + t;
export const fromEpoch = (epoch: number): number => epoch - performance.timeOrigin;
