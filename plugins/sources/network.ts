/** A live network feed: any URL ffmpeg reads (udp, rtp, rtsp, srt, tcp, http, ...). Low-latency input
 * flags, and it reconnects forever when the feed drops or never comes up: a stall watchdog scaled to the
 * feed's frame rate notices a silent feed within about a second, the backoff stays short while the feed is
 * expected back, and a reconnect probes only a few packets, so a sender that returns streams again within
 * a second or two (scripts/faults.mjs measures it). */
import { ffmpegBuild, ffmpegInputProtocols } from '../../src/core/frames/ffmpeg.js';
import { runFfmpeg, type FfmpegJob } from './ffmpeg-process.js';
import { forcedSize, scaleFilter } from './forced-size.js';
import { FrameClock } from './frame-clock.js';
import { makeSource } from './make-source.js';
import { reconnecting, type AttemptContext } from './reconnect.js';
import type { LiveSourceOptions, Source } from '../../src/core/contracts/source.js';

export const NETWORK_SCHEMES = ['udp', 'rtp', 'rtsp', 'rtsps', 'srt', 'tcp', 'http', 'https', 'rtmp', 'rtmps'] as const;

/** Protocols whose `timeout` option is a read (and connect) timeout in microseconds in every ffmpeg version,
 * given to feeds that call out (a listener waits for its sender instead). RTSP's meant "listen" before
 * ffmpeg 5, so RTSP/RTP/RTMP rely on the stall watchdog alone. */
const READ_TIMEOUT_SCHEMES = new Set(['tcp', 'http', 'https', 'srt']);

export interface NetworkSourceOptions extends LiveSourceOptions {
  /** ffmpeg -probesize in bytes for the first attempt (default 500000): enough to find H.264/HEVC
   * parameters in MPEG-TS. */
  readonly probeSize?: number;
  /** ffmpeg -analyzeduration in microseconds for the first attempt (default 1000000). */
  readonly analyzeDurationUs?: number;
  /** -probesize once the feed has streamed (default 32768): the feed is known, so its return is decoded
   * from the first keyframe instead of after a second of analysis. */
  readonly reconnectProbeSize?: number;
  /** -analyzeduration once the feed has streamed (default 100000). */
  readonly reconnectAnalyzeDurationUs?: number;
  /** Extra ffmpeg input options, after the defaults so they override them (e.g. ['-rtsp_transport', 'udp']). */
  readonly inputArgs?: readonly string[];
}

export const NETWORK_DEFAULTS = {
  /** The first attempt, and a listener (udp, tcp ?listen, srt mode=listener, rtsp -rtsp_flags listen)
   * waiting for its sender: ffmpeg is restarted this often while nothing comes. */
  firstFrameTimeoutMs: 15_000,
  /** A caller's reconnect attempts (rtsp://camera, srt caller, tcp, http): connect, probe, first keyframe. */
  reconnectFirstFrameTimeoutMs: 5_000,
  /** Stall watchdog before the frame rate is known; then FrameClock's frame-rate-scaled timeout. */
  stallTimeoutMs: 5_000,
  probeSize: 500_000,
  analyzeDurationUs: 1_000_000,
  reconnectProbeSize: 32_768,
  reconnectAnalyzeDurationUs: 100_000,
} as const;

/** True when ffmpeg waits for the sender to come to it rather than connecting out: UDP/RTP always (they
 * bind a local port), tcp/rtmp/http with `listen`, srt with mode=listener, rtsp with -rtsp_flags listen. */
export function isListener(url: string, inputArgs: readonly string[] = []): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase() ?? '';
  if (scheme === 'udp' || scheme === 'rtp') return true;
  const query = new URLSearchParams(url.split('?')[1] ?? '');
  const arg = (name: string): string | undefined => {
    const i = inputArgs.lastIndexOf(name);
    return i >= 0 ? inputArgs[i + 1] : undefined;
  };
  if (scheme === 'srt') return (query.get('mode') ?? arg('-mode')) === 'listener';
  if (scheme.startsWith('rtsp')) return /\blisten\b/.test(arg('-rtsp_flags') ?? '');
  const listen = query.get('listen') ?? arg('-listen');
  return listen !== null && listen !== undefined && listen !== '0';
}

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
  const listener = isListener(url, options.inputArgs);
  const clock = new FrameClock({
    ...(options.stallTimeoutMs !== undefined ? { fixedMs: options.stallTimeoutMs } : {}),
    unknownMs: NETWORK_DEFAULTS.stallTimeoutMs,
  });
  const firstFrameTimeoutMs = options.firstFrameTimeoutMs ?? NETWORK_DEFAULTS.firstFrameTimeoutMs;

  /** ffmpeg's input options for one attempt: a feed that streamed before is probed briefly. */
  const jobFor = ({ streamedBefore }: AttemptContext): FfmpegJob => {
    const readTimeoutMs = Math.max(2_000, clock.stallTimeoutMs());
    const inputArgs = [
      // No decoder frame delay. The first attempt also drops what the (long) analysis read, so the stream
      // starts live; a reconnect analyses a few packets only and decodes them (they hold the keyframe).
      ...(streamedBefore ? [] : ['-fflags', 'nobuffer']),
      '-flags', 'low_delay',
      '-probesize', String(streamedBefore
        ? options.reconnectProbeSize ?? NETWORK_DEFAULTS.reconnectProbeSize
        : options.probeSize ?? NETWORK_DEFAULTS.probeSize),
      '-analyzeduration', String(streamedBefore
        ? options.reconnectAnalyzeDurationUs ?? NETWORK_DEFAULTS.reconnectAnalyzeDurationUs
        : options.analyzeDurationUs ?? NETWORK_DEFAULTS.analyzeDurationUs),
      ...(scheme.startsWith('rtsp') ? ['-rtsp_transport', 'tcp'] : []),
      ...(!listener && READ_TIMEOUT_SCHEMES.has(scheme) ? ['-timeout', String(readTimeoutMs * 1000)] : []),
      // A burst that overflows the UDP receive ring loses packets instead of killing ffmpeg.
      ...(scheme === 'udp' ? ['-overrun_nonfatal', '1'] : []),
      ...(options.inputArgs ?? []),
      '-i', url,
    ];
    return {
      label: url,
      inputArgs,
      // A caller reconnecting to a known feed gives up on a hung connect early and dials again; a listener
      // keeps waiting for its sender.
      firstFrameTimeoutMs: streamedBefore && !listener && options.firstFrameTimeoutMs === undefined
        ? NETWORK_DEFAULTS.reconnectFirstFrameTimeoutMs
        : firstFrameTimeoutMs,
      stallTimeoutMs: () => clock.stallTimeoutMs(),
      ...(forced ? { size: forced, filter: scaleFilter(forced) } : {}),
    };
  };
  return makeSource({ uri: url, kind: 'network', live: true, info: forced ?? {} }, (signal, health) =>
    reconnecting(url, (attempt, context) => clock.timed(runFfmpeg(jobFor(context), attempt)), health, options.reconnect ?? {}, signal),
  );
}
