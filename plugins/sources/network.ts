/** A live network feed: any URL ffmpeg reads (udp, rtp, rtsp, srt, tcp, http, ...). Low-latency input
 * flags, and it reconnects forever with backoff when the feed drops or never comes up. */
import { ffmpegBuild, ffmpegInputProtocols } from '../../src/core/frames/ffmpeg.js';
import { runFfmpeg } from './ffmpeg-process.js';
import { forcedSize, scaleFilter } from './forced-size.js';
import { makeSource } from './make-source.js';
import { reconnecting } from './reconnect.js';
import type { LiveSourceOptions, Source } from '../../src/core/contracts/source.js';

export const NETWORK_SCHEMES = ['udp', 'rtp', 'rtsp', 'rtsps', 'srt', 'tcp', 'http', 'https', 'rtmp', 'rtmps'] as const;

/** Protocols whose `timeout` option is a read timeout (microseconds) in every ffmpeg version. RTSP's
 * meant "listen" before ffmpeg 5, so RTSP/RTP/RTMP rely on the stall watchdog alone. */
const READ_TIMEOUT_SCHEMES = new Set(['udp', 'tcp', 'http', 'https', 'srt']);

export interface NetworkSourceOptions extends LiveSourceOptions {
  /** ffmpeg -probesize in bytes (default 500000): enough to find H.264/HEVC parameters in MPEG-TS. */
  readonly probeSize?: number;
  /** ffmpeg -analyzeduration in microseconds (default 1000000). */
  readonly analyzeDurationUs?: number;
  /** Extra ffmpeg input options, after the defaults so they override them (e.g. ['-rtsp_transport', 'udp']). */
  readonly inputArgs?: readonly string[];
}

export const NETWORK_DEFAULTS = { firstFrameTimeoutMs: 15_000, stallTimeoutMs: 5_000 } as const;

/** The `ffmpeg -protocols` input protocol a scheme needs: RTSP is a demuxer over tcp (rtsps over tls). */
const PROTOCOL_OF: Readonly<Record<string, string>> = { rtsp: 'tcp', rtsps: 'tls' };
/** What an ffmpeg needs to have a protocol that not every build has. */
const PROTOCOL_NEEDS: Readonly<Record<string, string>> = {
  srt: 'ffmpeg 4.0 or later built with libsrt (--enable-libsrt; Debian and Ubuntu builds have it)',
  tls: 'an ffmpeg built with TLS (--enable-gnutls or --enable-openssl)',
  https: 'an ffmpeg built with TLS (--enable-gnutls or --enable-openssl)',
  rtmps: 'an ffmpeg built with TLS (--enable-gnutls or --enable-openssl)',
};

/** Fails at once, naming what is missing, when the ffmpeg that would run cannot read `url`'s scheme at all
 * (the npm package's static build has no srt, for one), instead of a feed that retries forever. */
export async function checkNetworkInput(url: string): Promise<void> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return;
  const protocol = PROTOCOL_OF[scheme] ?? scheme;
  const [build, protocols] = await Promise.all([ffmpegBuild(), ffmpegInputProtocols()]);
  if (protocols.has(protocol)) return;
  const { major, minor } = build.version;
  throw new Error(
    `${url}: ${scheme}:// needs ${PROTOCOL_NEEDS[protocol] ?? `an ffmpeg that reads the ${protocol} protocol`}; ` +
      `${build.path} (ffmpeg ${major}.${minor}) lists no ${protocol} input in \`ffmpeg -protocols\`: set FFMPEG_PATH to one that does`,
  );
}

export function networkSource(url: string, options: NetworkSourceOptions = {}): Source {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || !(NETWORK_SCHEMES as readonly string[]).includes(scheme)) {
    throw new Error(`${url}: not a network URL ffmpeg can read (schemes: ${NETWORK_SCHEMES.join(', ')})`);
  }
  const forced = forcedSize(options, url);
  const stallTimeoutMs = options.stallTimeoutMs ?? NETWORK_DEFAULTS.stallTimeoutMs;
  const inputArgs = [
    // Decode each packet as soon as it arrives: no demuxer buffering, no decoder frame delay.
    '-fflags', 'nobuffer', '-flags', 'low_delay',
    '-probesize', String(options.probeSize ?? 500_000),
    '-analyzeduration', String(options.analyzeDurationUs ?? 1_000_000),
    ...(scheme.startsWith('rtsp') ? ['-rtsp_transport', 'tcp'] : []),
    ...(READ_TIMEOUT_SCHEMES.has(scheme) ? ['-timeout', String(stallTimeoutMs * 1000)] : []),
    // A burst that overflows the UDP receive ring loses packets instead of killing ffmpeg.
    ...(scheme === 'udp' ? ['-overrun_nonfatal', '1'] : []),
    ...(options.inputArgs ?? []),
    '-i', url,
  ];
  const job = {
    label: url,
    inputArgs,
    firstFrameTimeoutMs: options.firstFrameTimeoutMs ?? NETWORK_DEFAULTS.firstFrameTimeoutMs,
    stallTimeoutMs,
    ...(forced ? { size: forced, filter: scaleFilter(forced) } : {}),
  };
  return makeSource({ uri: url, kind: 'network', live: true, info: forced ?? {} }, (signal, health) =>
    reconnecting(job.label, (attempt) => runFfmpeg(job, attempt), health, options.reconnect ?? {}, signal),
  );
}
