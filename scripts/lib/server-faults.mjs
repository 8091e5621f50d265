// Server faults, measured end to end against a real `sam2rad serve` (scripts/faults.mjs, issue 19): a flood of
// malformed control messages, oversized messages, clients that stop reading, and requests without a valid
// token. Each case returns a row for the final table: { case, done, count, outcome: 'ok' | 'FAIL' | 'skipped',
// figure, ok, details, failures }. The recording cases (a kill while recording, a full disk, a write error)
// are in recording-faults.mjs. Every case watches the frames the server publishes (watchFrames) and reads
// /healthz, so "the server keeps serving" is measured, not assumed.
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { flowing, health } from './feed-faults.mjs';

/** A case's verdict: every check that failed is named in `failures`. */
export function verdict(name, done, count, figure, checks, details = {}) {
  const failures = Object.entries(checks).filter(([, ok]) => !ok).map(([what]) => what);
  return { case: name, done, count, outcome: failures.length ? 'FAIL' : 'ok', figure, ok: failures.length === 0, failures, details };
}

export function skipped(name, done, why) {
  return { case: name, done, count: 0, outcome: 'skipped', figure: why, ok: true, failures: [], details: { skipped: why } };
}

const wsUrl = (url, query = '') => `${url.replace(/^http/, 'ws')}/ws${query}`;

/** Opens a WebSocket; resolves { ws } once open, or { status } when the upgrade was refused. */
export function openWs(url, { query = '', headers = {} } = {}) {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(url, query), { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => resolve({ error: err.message }));
  });
}

/** The text messages a socket receives, parsed, with waiting for a count of those that match. */
function replies(ws) {
  const seen = { errors: [], acks: 0, closed: null, frames: 0 };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return void seen.frames++;
    const message = JSON.parse(data.toString());
    if (message.type === 'error') seen.errors.push(message.message);
    else if (message.type === 'ack') seen.acks++;
  });
  ws.on('close', (code) => {
    seen.closed = code;
  });
  seen.until = async (test, ms) => {
    const deadline = performance.now() + ms;
    while (!test() && performance.now() < deadline && seen.closed === null) await sleep(20);
    return test();
  };
  return seen;
}

/** Processed frames per second from two /healthz reads `ms` apart. */
export async function processedFps(url, ms, token) {
  const a = await health(url, token);
  const t0 = performance.now();
  await sleep(ms);
  const b = await health(url, token);
  const seconds = (performance.now() - t0) / 1000;
  return { fps: round((b.frames.processed - a.frames.processed) / seconds), dropped: b.frames.dropped - a.frames.dropped };
}

/** Frames per second the watcher received over `ms`. */
async function watcherFps(frames, ms) {
  const n = frames.frames;
  await sleep(ms);
  return round(((frames.frames - n) * 1000) / ms);
}

export const round = (v, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Malformed control messages, each of a different kind; none may start a recording or change anything. */
export const MALFORMED = [
  'not json {', '', '[1,2]', '42', 'null', '{}', '{"type":""}', '{"type":5}', '{"type":"nope"}',
  '{"type":"hello","id":{}}', '{"type":"record","action":"jump"}', '{"type":"record"}',
  '{"type":"record","action":"start","extra":1}', '{"type":"record","action":1}', '{"type":"mode","mode":"turbo"}',
  '{"type":"prompt","frame":"x","class":3}', '{"type":"class","action":"enable","className":7}',
  '{"type":"subscribe","version":3}', '{"type":"clear","classname":"x"}', Buffer.from([1, 2, 3]),
];

/** N malformed messages over one connection: each answered with an error, the connection open, frames on. */
export async function malformedCase(url, frames, n) {
  const { ws, status } = await openWs(url);
  if (!ws) return verdict('malformed', `${n} malformed messages on one WebSocket`, 0, `upgrade refused (${status})`, { connected: false });
  const seen = replies(ws);
  const before = frames.frames;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) ws.send(MALFORMED[i % MALFORMED.length]);
  await seen.until(() => seen.errors.length + seen.acks >= n, 60_000);
  const ms = performance.now() - t0;
  await sleep(500); // any late (extra) reply
  const rateLimited = seen.errors.filter((m) => m.startsWith('rate limit:')).length;
  const reasons = [...new Set(seen.errors.filter((m) => !m.startsWith('rate limit:')))];
  const burst = Math.min(n, 40); // the rate limit's burst: these are checked, not refused unread
  const after = await health(url);
  const stillFlowing = await flowing(frames, 3000);
  const open = seen.closed === null && ws.readyState === WebSocket.OPEN;
  // The connection still works: a valid message is acknowledged once the rate limit refills.
  await sleep(2100);
  const acksBefore = seen.acks;
  ws.send('{"type":"hello","id":"after"}');
  await seen.until(() => seen.acks > acksBefore, 5000);
  ws.terminate();
  const errors = seen.errors.length;
  return verdict('malformed', `${n} malformed messages (${MALFORMED.length} kinds) on one WebSocket`, n,
    `${errors}/${n} errors (${errors - rateLimited} invalid, ${rateLimited} rate-limited) in ${Math.round(ms)} ms; ` +
      `${acksBefore} acks; ${open ? 'open' : 'CLOSED'}; ${frames.frames - before} frames meanwhile; recording ${after?.recording?.active ? 'STARTED' : 'not started'}`,
    {
      'every message answered with an error': errors === n,
      'no ack': acksBefore === 0,
      [`the first ${burst} refused as invalid, not rate-limited`]: errors - rateLimited >= burst,
      'connection stays open': open,
      'a valid message is acknowledged after': seen.acks > acksBefore,
      'frames keep flowing': stillFlowing && frames.frames > before,
      'no recording started': after?.recording?.active === false && !after?.recording?.id,
    },
    { errors, rateLimited, invalid: errors - rateLimited, acks: acksBefore, ms: Math.round(ms), framesMeanwhile: frames.frames - before, reasons });
}

/** Over the soft limit (16 KiB): an error, open. Over the hard one (1 MiB): that connection closed (1009). */
export async function oversizedCase(url, frames, n) {
  const closes = [];
  const soft = [];
  const before = frames.frames;
  for (let i = 0; i < n; i++) {
    const { ws } = await openWs(url);
    if (!ws) {
      closes.push(null);
      continue;
    }
    const seen = replies(ws);
    ws.send(`{"type":"hello","pad":"${'x'.repeat(20 * 1024)}"}`);
    await seen.until(() => seen.errors.length > 0, 5000);
    soft.push(seen.errors[0] ?? null);
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    ws.send(i % 2 ? big : big.toString());
    await seen.until(() => seen.closed !== null, 10_000);
    closes.push(seen.closed);
    ws.terminate();
  }
  // Others are still served: the watcher gets frames and a new connection is answered.
  const stillFlowing = await flowing(frames, 3000);
  const { ws } = await openWs(url);
  let answered = false;
  if (ws) {
    const seen = replies(ws);
    ws.send('{"type":"hello"}');
    answered = await seen.until(() => seen.acks > 0, 5000);
    ws.terminate();
  }
  const closed1009 = closes.filter((c) => c === 1009).length;
  const softErrors = soft.filter((m) => m && /limit/.test(m)).length;
  return verdict('oversized', `${n} WebSockets each send 20 KiB, then 2 MiB (text/binary)`, n,
    `20 KiB: ${softErrors}/${n} errors, open; 2 MiB: ${closed1009}/${n} closed 1009; others served (${frames.frames - before} frames)`,
    {
      '20 KiB answered with an error': softErrors === n,
      '2 MiB closes that connection with 1009': closed1009 === n,
      'frames keep flowing to others': stillFlowing,
      'a new connection is answered': answered,
    },
    { closeCodes: closes, softError: soft[0] ?? null });
}

/** N clients that never read: the processed fps before and during stays within `tolerance`. */
export async function stalledCase(url, frames, n, windowMs, tolerance) {
  const before = await processedFps(url, windowMs);
  const readerBefore = await watcherFps(frames, 3000);
  const stalled = [];
  for (let i = 0; i < n; i++) {
    const { ws } = await openWs(url);
    if (ws) {
      ws.pause(); // the socket is no longer read: the server's writes pile up in the kernel, then its queue
      stalled.push(ws);
    }
  }
  await sleep(2000);
  const clients = (await health(url))?.clients ?? null;
  const during = await processedFps(url, windowMs);
  const readerDuring = await watcherFps(frames, 3000);
  const skippedTotal = await skippedFrames(url);
  for (const ws of stalled) ws.terminate();
  const ratio = before.fps > 0 ? during.fps / before.fps : 0;
  return verdict('stalled', `${n} WebSocket clients that never read`, n,
    `processed ${before.fps} -> ${during.fps} fps (${round((ratio - 1) * 100)} %); reader ${readerBefore} -> ${readerDuring} fps; ${skippedTotal} frames skipped`,
    {
      [`all ${n} connected`]: stalled.length === n && clients !== null && clients >= n,
      [`processed fps within ${tolerance * 100} %`]: before.fps > 0 && ratio >= 1 - tolerance,
      [`the reading client's fps within ${tolerance * 100} %`]: readerBefore > 0 && readerDuring >= readerBefore * (1 - tolerance),
      'frames skipped for the stalled clients': skippedTotal > 0,
    },
    { before, during, readerBefore, readerDuring, clients, skippedTotal, windowMs });
}

async function skippedFrames(url) {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(/^sam2rad_ws_frames_skipped_total (\S+)$/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** How a request carries a wrong token (or none). */
const CARRIERS = [
  { name: 'none', query: '', headers: {} },
  { name: 'bearer', query: '', headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } },
  { name: 'query', query: '?token=wrong-token-0123456789abcdef', headers: {} },
  { name: 'cookie', query: '', headers: { cookie: 'sam2rad_token=wrong-token-0123456789abcdef' } },
];
const ROUTES = [
  ['GET', '/'], ['GET', '/viewer.js'], ['GET', '/metrics'], ['GET', '/recordings'],
  ['GET', '/recordings/2026-01-01T00-00-00-000Z/metadata.json'], ['POST', '/recording/start'], ['POST', '/recording/stop'],
];
const CONTROL_MESSAGES = [
  { type: 'record', action: 'start' }, { type: 'mode', mode: 'manual' }, { type: 'clear' },
  { type: 'class', action: 'enable', className: 'hip_bone' },
];

/** With --token and --view-token: requests and upgrades without or with a wrong token get 401, the full
 * /healthz is withheld, and a view token's control messages and POSTs are refused. */
export async function unauthorisedCase(url, frames, rounds, tokens) {
  const counts = { http: 0, http401: 0, healthz: 0, healthzBare: 0, ws: 0, ws401: 0 };
  const other = [];
  for (let round = 0; round < rounds; round++) {
    const carrier = CARRIERS[round % CARRIERS.length];
    for (const [method, route] of ROUTES) {
      const res = await fetch(`${url}${route}${carrier.query}`, { method, headers: carrier.headers, redirect: 'manual' });
      await res.arrayBuffer();
      counts.http++;
      if (res.status === 401) counts.http401++;
      else other.push(`${method} ${route} (${carrier.name}): ${res.status}`);
    }
    const res = await fetch(`${url}/healthz${carrier.query}`, { headers: carrier.headers });
    const body = await res.json();
    counts.healthz++;
    if (res.status === 200 && Object.keys(body).join() === 'status') counts.healthzBare++;
    const { ws, status } = await openWs(url, carrier);
    counts.ws++;
    if (status === 401) counts.ws401++;
    else ws?.terminate();
  }
  // The view token: read-only.
  const post = await fetch(`${url}/recording/start`, { method: 'POST', headers: { authorization: `Bearer ${tokens.view}` } });
  await post.arrayBuffer();
  const view = await openWs(url, { query: `?token=${tokens.view}` });
  let refused = 0;
  let helloAck = false;
  if (view.ws) {
    const seen = replies(view.ws);
    for (const message of CONTROL_MESSAGES) view.ws.send(JSON.stringify(message));
    await seen.until(() => seen.errors.length + seen.acks >= CONTROL_MESSAGES.length, 5000);
    refused = seen.errors.filter((m) => /needs the control token/.test(m)).length;
    const acks = seen.acks;
    view.ws.send('{"type":"hello"}');
    helloAck = (await seen.until(() => seen.acks > acks, 5000)) && acks === 0;
    view.ws.terminate();
  }
  // The control token works (so the refusals above are the tokens' doing), and nothing was started.
  const control = await fetch(`${url}/recordings`, { headers: { authorization: `Bearer ${tokens.control}` } });
  await control.arrayBuffer();
  const after = await health(url, tokens.control);
  const attempts = counts.http + counts.ws;
  return verdict('unauthorised', `${rounds} rounds: ${ROUTES.length} routes + /healthz + /ws, no/wrong token (${CARRIERS.map((c) => c.name).join('/')}); view token`, attempts + counts.healthz,
    `${counts.http401 + counts.ws401}/${attempts} refused 401 (HTTP ${counts.http401}/${counts.http}, /ws ${counts.ws401}/${counts.ws}); ` +
      `/healthz status only ${counts.healthzBare}/${counts.healthz}; view: POST ${post.status}, ${refused}/${CONTROL_MESSAGES.length} control messages refused`,
    {
      'every HTTP request without a valid token 401': counts.http401 === counts.http,
      'every /ws upgrade without a valid token 401': counts.ws401 === counts.ws,
      '/healthz without a token gives the status only': counts.healthzBare === counts.healthz,
      'view token: POST /recording/start 403': post.status === 403,
      "view token: every control message refused, hello acknowledged": refused === CONTROL_MESSAGES.length && helloAck,
      'control token accepted': control.status === 200,
      'no recording started': after?.recording?.active === false,
      'frames keep flowing': await flowing(frames, 3000),
    },
    { counts, unexpected: other.slice(0, 10), viewPostStatus: post.status, viewRefused: refused, controlStatus: control.status });
}
