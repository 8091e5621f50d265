// The feed-fault measurement's parts (scripts/faults.mjs): the source types with their serve source and
// ffmpeg sender, a free port, `sam2rad serve` and the supervised sender as processes, the frames the server
// publishes on its WebSocket, its /healthz and /metrics, and the per-type summary of the recovery times.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { WebSocket } from 'ws';

/** Per source type, for a port: serve's source (and inputArgs, through a stream definition) and ffmpeg's
 * output arguments for the sender. */
export const TYPES = {
  udp: (port) => ({ source: `udp://127.0.0.1:${port}`, sender: ['-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`] }),
  tcp: (port) => ({ source: `tcp://127.0.0.1:${port}?listen=1`, sender: ['-f', 'mpegts', `tcp://127.0.0.1:${port}`] }),
  srt: (port) => ({
    source: `srt://127.0.0.1:${port}?mode=listener`,
    sender: ['-f', 'mpegts', `srt://127.0.0.1:${port}?mode=caller&pkt_size=1316`],
  }),
  // Callers: the sender listens and serve dials it (a camera or encoder serving its stream).
  'tcp-caller': (port) => ({ source: `tcp://127.0.0.1:${port}`, sender: ['-f', 'mpegts', `tcp://127.0.0.1:${port}?listen=1`] }),
  'srt-caller': (port) => ({
    source: `srt://127.0.0.1:${port}`,
    sender: ['-f', 'mpegts', `srt://127.0.0.1:${port}?mode=listener&pkt_size=1316`],
  }),
  rtsp: (port) => ({
    source: `rtsp://127.0.0.1:${port}/live`,
    inputArgs: ['-rtsp_flags', 'listen'],
    sender: ['-f', 'rtsp', '-rtsp_transport', 'tcp', `rtsp://127.0.0.1:${port}/live`],
  }),
};
/** A TCP port that was free a moment ago (UDP and SRT use the same number; collisions are unlikely). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function log(line) {
  process.stderr.write(`[faults] ${line}\n`);
}

/** `node <bin> serve` on a free port; resolves with the process and its URL once it printed it. With
 * verbose, serve's log goes to stderr. With fileSizeLimitKb it runs under `ulimit -f` (bash, then exec node:
 * the child is still node), so its files and its ffmpegs' stop growing there (a write error, EFBIG/SIGXFSZ).
 * detached: in its own process group (kill -pid takes its ffmpegs down with it). */
export async function startServe(bin, serveArgs, verbose, { fileSizeLimitKb, detached = false } = {}) {
  const argv = [bin, 'serve', '--port', '0', '--host', '127.0.0.1', ...serveArgs];
  const options = { stdio: ['ignore', 'pipe', 'pipe'], detached };
  const child = fileSizeLimitKb === undefined
    ? spawn(process.execPath, argv, options)
    : spawn('bash', ['-c', `ulimit -f ${Math.floor(Number(fileSizeLimitKb))}; exec "$0" "$@"`, process.execPath, ...argv], options);
  let tail = '';
  child.stderr.on('data', (d) => {
    tail = (tail + d.toString()).slice(-4000);
    if (verbose) process.stderr.write(d);
  });
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const match = /(https?:\/\/127\.0\.0\.1:\d+)/.exec(d.toString());
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${tail}`)));
  });
  return { child, url, tail: () => tail };
}

export async function stopProcess(child, signal = 'SIGKILL') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A sender (ffmpeg encoding clip in real time, looped) that is started again (after 100 ms) whenever it
 * exits, until stop(). */
export function supervisedSender(ffmpeg, clip, senderArgs) {
  let child;
  let stopped = false;
  let starts = 0;
  const start = () => {
    if (stopped) return;
    starts++;
    child = spawn(ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', clip, '-an',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p',
      ...senderArgs,
    ], { stdio: 'ignore' });
    child.once('exit', () => {
      if (!stopped) setTimeout(start, 100);
    });
  };
  start();
  return {
    get starts() {
      return starts;
    },
    async stop() {
      stopped = true;
      await stopProcess(child);
    },
  };
}

/** Arrival times (performance.now()) of the frames the server publishes (with token: as ?token=). */
export function watchFrames(url, token) {
  const state = { frames: 0, last: -Infinity, waiters: [], ws: undefined, closed: false };
  const connect = () => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`);
    state.ws = ws;
    ws.on('message', (_data, isBinary) => {
      if (!isBinary) return;
      const now = performance.now();
      state.frames++;
      state.last = now;
      for (const waiter of state.waiters.splice(0)) waiter(now);
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (!state.closed) setTimeout(connect, 200);
    });
  };
  connect();
  return {
    get frames() {
      return state.frames;
    },
    get last() {
      return state.last;
    },
    /** The arrival time of the next frame, or undefined after `ms`. */
    next(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          state.waiters = state.waiters.filter((w) => w !== waiter);
          resolve(undefined);
        }, ms);
        const waiter = (t) => {
          clearTimeout(timer);
          resolve(t);
        };
        state.waiters.push(waiter);
      });
    },
    close() {
      state.closed = true;
      state.ws?.terminate();
    },
  };
}

/** sam2rad_source_up and the sam2rad_source_state series from /metrics. */
export async function sourceMetrics(url) {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const up = /^sam2rad_source_up (\S+)$/m.exec(text)?.[1];
    const state = /^sam2rad_source_state\{state="([^"]+)"\} 1$/m.exec(text)?.[1];
    return { up: up === undefined ? null : Number(up), state: state ?? null };
  } catch {
    return { up: null, state: null };
  }
}

export async function health(url, token) {
  try {
    return await (await fetch(`${url}/healthz`, token ? { headers: { authorization: `Bearer ${token}` } } : {})).json();
  } catch {
    return undefined;
  }
}

/** Waits until frames flow (one arrived in the last 500 ms), at most `ms`; true if they do. */
export async function flowing(frames, ms) {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (performance.now() - frames.last < 500) return true;
    await frames.next(Math.min(1000, Math.max(1, deadline - performance.now())));
  }
  return performance.now() - frames.last < 500;
}

/** A type's recovery times: cycles, recovered, min / median / max, and whether every cycle was within maxMs. */
export function summary(cycles, maxMs) {
  const times = cycles.map((c) => c.recoveryMs);
  const ok = times.filter((t) => t !== null).sort((a, b) => a - b);
  const median = ok.length === 0 ? null : ok.length % 2 ? ok[(ok.length - 1) / 2] : Math.round((ok[ok.length / 2 - 1] + ok[ok.length / 2]) / 2);
  return {
    cycles: cycles.length,
    recovered: ok.length,
    minMs: ok[0] ?? null,
    medianMs: median,
    maxMs: ok.at(-1) ?? null,
    withinMax: times.every((t) => t !== null && t <= maxMs),
  };
}
