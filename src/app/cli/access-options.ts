/** `sam2rad serve`'s security options (docs/protocol.md, "Security"): tokens and their roles, TLS, the
 * audit log and the WebSocket heartbeat, resolved from the flags and the environment. */
import { readFile } from 'node:fs/promises';
import { AuditLog } from '../server/audit-log.js';
import { MIN_TOKEN_LENGTH, generateToken, isLoopback, type AccessTokens } from '../server/access.js';
import { DEFAULT_HEARTBEAT_MS } from '../server/server.js';
import { UsageError, intOption, type OptionSpec } from './command.js';

export const ACCESS_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  token: {
    type: 'string',
    arg: 'TOKEN',
    help: `control token (or env SAM2RAD_TOKEN; >= ${MIN_TOKEN_LENGTH} characters): frames, status, recordings, and mode, prompts, recording start/stop. Required off loopback: generated and printed when not given`,
  },
  'view-token': {
    type: 'string',
    arg: 'TOKEN',
    help: 'view token (or env SAM2RAD_VIEW_TOKEN): frames, status, health, metrics and recordings, read only',
  },
  'tls-cert': { type: 'string', arg: 'FILE', help: 'serve https:// and wss:// with this PEM certificate (with --tls-key)' },
  'tls-key': { type: 'string', arg: 'FILE', help: 'the PEM private key of --tls-cert' },
  'audit-log': { type: 'string', arg: 'FILE', help: 'append control actions as JSON lines to FILE, reopened on SIGHUP for log rotation (default: stderr lines starting [audit])' },
  heartbeat: {
    type: 'string',
    default: String(DEFAULT_HEARTBEAT_MS / 1000),
    arg: 'S',
    help: 'ping WebSocket clients every S seconds; one that does not answer is dropped within 2*S (0 = off)',
  },
};

export interface ResolvedAccess {
  readonly tokens: AccessTokens;
  /** The control token made up here because none was given (print it once). */
  readonly generated?: string;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  readonly audit: AuditLog;
  readonly heartbeatMs: number;
}

export async function resolveAccess(
  values: Record<string, unknown>,
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedAccess> {
  const given = (flag: string, variable: string): string | undefined => {
    const value = (values[flag] as string | undefined) ?? env[variable];
    if (value === undefined || value === '') return undefined;
    if (value.length < MIN_TOKEN_LENGTH) {
      throw new UsageError(`--${flag} / ${variable}: a token must be at least ${MIN_TOKEN_LENGTH} characters long`);
    }
    return value;
  };
  let control = given('token', 'SAM2RAD_TOKEN');
  const view = given('view-token', 'SAM2RAD_VIEW_TOKEN');
  if (control !== undefined && control === view) throw new UsageError('--view-token must differ from --token');
  // Off loopback a token is required; with a view token only, someone still has to be able to control.
  const generated = control === undefined && (!isLoopback(host) || view !== undefined) ? generateToken() : undefined;
  control ??= generated;

  const cert = values['tls-cert'] as string | undefined;
  const key = values['tls-key'] as string | undefined;
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const read = (file: string, what: string) =>
    readFile(file).catch((err: Error) => {
      throw new UsageError(`--tls-${what} ${file}: ${err.message}`);
    });
  const tls = cert !== undefined && key !== undefined ? { cert: await read(cert, 'cert'), key: await read(key, 'key') } : undefined;

  return {
    tokens: { ...(control !== undefined ? { control } : {}), ...(view !== undefined ? { view } : {}) },
    ...(generated !== undefined ? { generated } : {}),
    ...(tls ? { tls } : {}),
    audit: new AuditLog(values['audit-log'] as string | undefined),
    heartbeatMs: intOption(values, 'heartbeat') * 1000,
  };
}

/** Reopens a file-backed audit log on SIGHUP, as logrotate's `postrotate` asks of a server (and keeps
 * SIGHUP from ending the process). Returns the function that removes the handler. */
export function reopenAuditOnHangup(audit: AuditLog, log: (message: string) => void): () => void {
  if (!audit.file) return () => {};
  const reopen = () => {
    log(`SIGHUP: audit log ${audit.file} reopened`);
    void audit.reopen();
  };
  process.on('SIGHUP', reopen);
  return () => process.off('SIGHUP', reopen);
}
