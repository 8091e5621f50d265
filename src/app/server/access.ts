/**
 * Access control (docs/protocol.md, "Security"). Two roles: `view` (frames, status, health, metrics,
 * recordings list and downloads) and `control` (everything a view token may do, plus mode, classes, prompts
 * and starting/stopping recordings). A request proves its role with a token: `Authorization: Bearer T`,
 * a `?token=T` query parameter (what a browser opening the printed URL sends; answered with a cookie so
 * that the page's later requests and its WebSocket carry it), or that cookie. Tokens are compared in
 * constant time. With no token configured (a loopback server by default) every request has `control`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export type Role = 'view' | 'control';

/** The cookie a `?token=` request gets, so a browser sends the token with everything after it. */
export const TOKEN_COOKIE = 'sam2rad_token';

/** Client message types a `view` connection may send: they only change what that connection receives. */
export const VIEW_MESSAGE_TYPES: ReadonlySet<string> = new Set(['hello', 'subscribe']);

export interface AccessTokens {
  /** Grants `control`. */
  readonly control?: string;
  /** Grants `view`. */
  readonly view?: string;
}

/** Tokens shorter than this are refused at start: a token is the only thing between the network and the scanner. */
export const MIN_TOKEN_LENGTH = 16;

/** 32 random bytes, base64url (43 characters), never starting with '-': a user pastes it after --token,
 * where an option parser would take a leading '-' for a flag. */
export function generateToken(): string {
  for (;;) {
    const token = randomBytes(32).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}

/** True for an address that only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time equality of two strings of any length (their SHA-256 digests are compared). */
export function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export interface Credential {
  /** The role the request proved; null when it carried no valid token (or none at all). */
  readonly role: Role | null;
  /** True when the token came as `?token=`: answer with the cookie. */
  readonly fromQuery: boolean;
  /** The token that matched, for the cookie. */
  readonly token?: string;
}

export class AccessControl {
  private readonly tokens: readonly { readonly token: string; readonly role: Role }[];

  constructor(tokens: AccessTokens = {}) {
    for (const [role, token] of Object.entries(tokens) as [Role, string | undefined][]) {
      if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
        throw new Error(`the ${role} token must be at least ${MIN_TOKEN_LENGTH} characters long`);
      }
    }
    if (tokens.control !== undefined && tokens.view !== undefined && tokens.control === tokens.view) {
      throw new Error('the view token must differ from the control token');
    }
    this.tokens = [
      ...(tokens.control !== undefined ? [{ token: tokens.control, role: 'control' as const }] : []),
      ...(tokens.view !== undefined ? [{ token: tokens.view, role: 'view' as const }] : []),
    ];
  }

  /** False when no token is configured: every request is `control` (a loopback server, as before). */
  get enabled(): boolean {
    return this.tokens.length > 0;
  }

  /** The role of `token`, checking every configured token in constant time. */
  roleOf(token: string | undefined): Role | null {
    if (token === undefined || token === '') return null;
    let role: Role | null = null;
    // No early exit: the time taken does not say which token (if any) matched.
    for (const entry of this.tokens) if (sameToken(token, entry.token) && role === null) role = entry.role;
    return role;
  }

  /** What `req` proves: the header first, then the query parameter, then the cookie. */
  authenticate(req: IncomingMessage): Credential {
    if (!this.enabled) return { role: 'control', fromQuery: false };
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const query = queryToken(req.url);
    const cookie = cookieToken(req.headers.cookie);
    for (const [token, fromQuery] of [[bearer, false], [query, true], [cookie, false]] as const) {
      const role = this.roleOf(token);
      if (role) return { role, fromQuery, token: token! };
    }
    return { role: null, fromQuery: false };
  }
}

function queryToken(url: string | undefined): string | undefined {
  const query = (url ?? '').split('?')[1];
  if (!query) return undefined;
  return new URLSearchParams(query).get('token') ?? undefined;
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The Set-Cookie value for a token given as `?token=`: not readable by scripts, sent only to this site. */
export function tokenCookie(token: string, secure: boolean): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** `url` without its `token` query parameter (the redirect that takes the token out of the address bar). */
export function withoutToken(url: string): string {
  const [pathname, query] = url.split('?', 2);
  if (query === undefined) return url;
  const params = new URLSearchParams(query);
  params.delete('token');
  const rest = params.toString();
  return rest ? `${pathname}?${rest}` : pathname!;
}

/** The message of a 401, naming the three ways to send a token. */
export const UNAUTHORIZED_MESSAGE =
  'a token is required: send Authorization: Bearer <token>, or open the URL with ?token=<token> (printed by sam2rad serve at start)';
