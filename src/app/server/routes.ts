/**
 * HTTP routes: viewer files, /healthz, /metrics, recordings list/download and recording control.
 * Every error is a JSON body `{ error }` with a matching status code; a failing handler never takes the
 * server down. With access control on, every route needs a token (the view role; recording start/stop
 * the control role), except /healthz, which tells a request without one only `status`.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { PROMETHEUS_CONTENT_TYPE, type Metrics } from './metrics.js';
import { UNAUTHORIZED_MESSAGE, tokenCookie, withoutToken, type AccessControl, type Role } from './access.js';
import type { AuditSink } from './audit-log.js';
import { RecordingConflictError, type ModelInfo, type RecordingControl, type RecordingState } from '../../core/contracts/live-status.js';

export interface HealthReport {
  /** 'ok' while the source delivers frames, else 'degraded'. Always served with HTTP 200. */
  readonly status: 'ok' | 'degraded';
  readonly source: {
    readonly state: string;
    readonly uri: string | null;
    readonly lastError: string | null;
    /** Reconnect attempts since the source started (live sources). */
    readonly reconnects?: number;
    /** When the source entered `state` (ISO 8601). */
    readonly since?: string;
  };
  readonly model: ModelInfo | null;
  readonly clients: number;
  readonly frames: { readonly processed: number; readonly dropped: number };
  readonly recording: RecordingState | null;
}

export interface RouteContext {
  readonly viewerDir: string;
  readonly metrics: Metrics;
  readonly recording: RecordingControl | null;
  health(): HealthReport;
  /** Tokens and roles; absent or without tokens: every request has the control role. */
  readonly access?: AccessControl;
  /** Served over TLS: the token cookie is marked Secure. */
  readonly secure?: boolean;
  /** Where control actions and refused requests are written. */
  readonly audit?: AuditSink;
}

/** `role`: what the request proved (null: no valid token; always 'control' with access control off). */
type Handler = (req: IncomingMessage, res: ServerResponse, params: readonly string[], role: Role | null) => Promise<void> | void;

interface Route {
  readonly pattern: RegExp;
  readonly methods: Readonly<Partial<Record<'GET' | 'POST', Handler>>>;
  /** Who may call it: 'public' (anyone), 'view' (default; either token), 'control' (the control token). */
  readonly access?: 'public' | 'view' | 'control';
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.mp4': 'video/mp4',
};

/** One path segment we are willing to serve: no separators, no '.'/'..', no hidden files. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function decodeSegment(raw: string): string {
  let segment: string;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `malformed URL encoding in '${raw}'`);
  }
  if (!SAFE_SEGMENT.test(segment)) throw new HttpError(400, `invalid path segment '${segment}'`);
  return segment;
}

/** Resolve `segments` under `root`, refusing anything (including symlinks) that escapes it. */
async function resolveInside(root: string, segments: readonly string[]): Promise<string> {
  const realRoot = await realpath(root).catch(() => {
    throw new HttpError(404, 'not found');
  });
  const candidate = path.join(realRoot, ...segments);
  const real = await realpath(candidate).catch(() => {
    throw new HttpError(404, `not found: ${segments.join('/')}`);
  });
  if (!real.startsWith(realRoot + path.sep)) throw new HttpError(404, `not found: ${segments.join('/')}`);
  return real;
}

async function sendFile(res: ServerResponse, file: string, headers: Record<string, string> = {}): Promise<void> {
  const info = await stat(file);
  if (!info.isFile()) throw new HttpError(404, `not found: ${path.basename(file)}`);
  const stream = createReadStream(file);
  // Open before writing the head so an unreadable file still gets a JSON error.
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    ...headers,
  });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * Browsers attach Origin to cross-site requests; a page on another site must not be able to start or
 * stop recordings on a viewer's localhost server. Non-browser clients send no Origin and pass.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function requireRecording(ctx: RouteContext): RecordingControl {
  if (!ctx.recording) throw new HttpError(404, 'recording is not configured on this server');
  return ctx.recording;
}

async function controlRecording(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, action: string, role: Role | null): Promise<void> {
  if (!isSameOrigin(req)) throw new HttpError(403, 'cross-origin recording control is not allowed');
  const audit = (outcome: 'ok' | 'error') =>
    ctx.audit?.({ event: 'control', address: remote(req), role, action: `POST /recording/${action}`, outcome });
  const control = requireRecording(ctx);
  try {
    const state = action === 'start' ? await control.start() : await control.stop();
    audit('ok');
    sendJson(res, 200, { recording: state });
  } catch (err) {
    audit('error');
    if (err instanceof RecordingConflictError) throw new HttpError(409, err.message);
    throw err;
  }
}

/** The client's address:port, for the audit log. */
export function remote(req: IncomingMessage): string {
  const { remoteAddress, remotePort } = req.socket;
  return remoteAddress === undefined ? 'unknown' : `${remoteAddress.includes(':') ? `[${remoteAddress}]` : remoteAddress}:${remotePort}`;
}

function buildRoutes(ctx: RouteContext): Route[] {
  return [
    { pattern: /^\/$/, methods: { GET: (_req, res) => sendFile(res, path.join(ctx.viewerDir, 'index.html'), { 'Cache-Control': 'no-cache' }) } },
    {
      pattern: /^\/healthz$/,
      access: 'public',
      // Without a token, only whether the server is healthy: the rest names the source and the model.
      methods: { GET: (_req, res, _params, role) => sendJson(res, 200, role === null ? { status: ctx.health().status } : ctx.health()) },
    },
    {
      pattern: /^\/metrics$/,
      methods: {
        GET: async (_req, res) => {
          const body = await ctx.metrics.render();
          res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
          res.end(body);
        },
      },
    },
    { pattern: /^\/recordings$/, methods: { GET: async (_req, res) => sendJson(res, 200, await requireRecording(ctx).list()) } },
    {
      pattern: /^\/recordings\/([^/]+)\/(.+)$/,
      methods: {
        GET: async (_req, res, [rawId, rawFile]) => {
          const root = requireRecording(ctx).dir;
          const segments = [rawId!, ...rawFile!.split('/')].map(decodeSegment);
          const file = await resolveInside(root, segments);
          const name = segments.slice(1).join('_');
          await sendFile(res, file, { 'Content-Disposition': `attachment; filename="${segments[0]}_${name}"`, 'Cache-Control': 'no-store' });
        },
      },
    },
    {
      pattern: /^\/recording\/(start|stop)$/,
      access: 'control',
      methods: { POST: (req, res, [action], role) => controlRecording(ctx, req, res, action!, role) },
    },
    {
      // Viewer assets are a flat folder; checked last so the fixed routes above win.
      pattern: /^\/([^/]+)$/,
      methods: {
        GET: async (_req, res, [raw]) => {
          const name = decodeSegment(raw!);
          if (!(path.extname(name) in CONTENT_TYPES)) throw new HttpError(404, `not found: ${name}`);
          await sendFile(res, await resolveInside(ctx.viewerDir, [name]), { 'Cache-Control': 'no-cache' });
        },
      },
    },
  ];
}

/** The server's request listener. Unknown paths → 404, known paths with another method → 405. */
export function createRequestHandler(ctx: RouteContext): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = buildRoutes(ctx);
  return (req, res) => {
    void handle(ctx, routes, req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) sendJson(res, err.status, { error: err.message }, { ...err.headers });
      else sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  };
}

/** The role `req` proves for `route`, or an HttpError: 401 without a valid token, 403 for a view token on a
 * control route. A token given as ?token= is answered with the cookie (and GET / is redirected without it). */
function authorize(ctx: RouteContext, route: Route, req: IncomingMessage, res: ServerResponse, pathname: string): { role: Role | null; fromQuery: boolean } {
  const access = ctx.access;
  if (!access?.enabled) return { role: 'control', fromQuery: false };
  const credential = access.authenticate(req);
  const needs = route.access ?? 'view';
  if (credential.role === null && needs !== 'public') {
    ctx.audit?.({ event: 'unauthorized', address: remote(req), role: null, action: `${req.method} ${pathname}` });
    throw new HttpError(401, UNAUTHORIZED_MESSAGE, { 'WWW-Authenticate': 'Bearer realm="sam2rad"' });
  }
  if (needs === 'control' && credential.role !== 'control') {
    ctx.audit?.({ event: 'control', address: remote(req), role: credential.role, action: `${req.method} ${pathname}`, outcome: 'denied' });
    throw new HttpError(403, `${req.method} ${pathname} needs the control token: this request has the ${credential.role} token`);
  }
  if (credential.fromQuery && credential.token) res.setHeader('Set-Cookie', tokenCookie(credential.token, ctx.secure ?? false));
  return { role: credential.role, fromQuery: credential.fromQuery };
}

async function handle(ctx: RouteContext, routes: readonly Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = (req.url ?? '/').split('?')[0]!;
  // Node drops response bodies for HEAD itself, so HEAD can share the GET handlers.
  const method = req.method === 'HEAD' ? 'GET' : req.method ?? 'GET';
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const handler = route.methods[method as keyof Route['methods']];
    if (!handler) {
      const allow = Object.keys(route.methods).join(', ');
      throw new HttpError(405, `method ${req.method} not allowed on ${pathname}; allowed: ${allow}`, { Allow: allow });
    }
    const { role, fromQuery } = authorize(ctx, route, req, res, pathname);
    if (fromQuery && method === 'GET' && pathname === '/') {
      // The cookie is set: take the token out of the address bar (and the browser history).
      res.writeHead(303, { Location: withoutToken(req.url ?? '/'), 'Cache-Control': 'no-store', 'Content-Length': 0 });
      res.end();
      return;
    }
    await handler(req, res, match.slice(1), role);
    return;
  }
  throw new HttpError(404, `not found: ${pathname}`);
}
