/**
 * The audit log of control actions: one JSON object per line with the time, the client (connection id and
 * address), its role, the action and its outcome. It never holds image data or free text from the client:
 * only the message type and a few named fields (a mode, a class name, a frame index, counts).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Role } from './access.js';

export interface AuditEntry {
  /** ISO 8601; filled in by the log. */
  readonly time?: string;
  /** 'control' (a WebSocket message or HTTP request that changes something), 'connect', 'disconnect',
   * 'unauthorized' (a request or upgrade without a valid token). */
  readonly event: 'control' | 'connect' | 'disconnect' | 'unauthorized';
  /** WebSocket connection id; absent for HTTP requests. */
  readonly client?: number;
  /** Remote address and port. */
  readonly address: string;
  readonly role: Role | null;
  /** Message type (`mode`, `prompt`, ...) or `METHOD /path` for HTTP. */
  readonly action?: string;
  /** Named fields of the action (never image data or client-written text). */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  /** ok, error (the handler refused it; its message is not logged, as it may quote the client), denied
   * (the view role), rate-limited. */
  readonly outcome?: 'ok' | 'error' | 'denied' | 'rate-limited';
}

export type AuditSink = (entry: AuditEntry) => void;

/** The fields of a control message worth keeping: ids and choices, never coordinates in bulk or text. */
export function auditParams(type: string, message: Readonly<Record<string, unknown>>): Record<string, string | number | boolean> {
  const pick = (key: string): string | number | boolean | undefined => {
    const value = message[key];
    if (typeof value === 'number' || typeof value === 'boolean') return value;
    // Class names, modes and actions are identifiers; anything longer is not kept.
    if (typeof value === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(value)) return value;
    return undefined;
  };
  const keys: Readonly<Record<string, readonly string[]>> = {
    mode: ['mode'],
    class: ['action', 'className'],
    record: ['action'],
    clear: ['className'],
    prompt: ['frame', 'class'],
    subscribe: ['scale', 'quality'],
  };
  const params: Record<string, string | number | boolean> = {};
  for (const key of keys[type] ?? []) {
    const value = pick(key);
    if (value !== undefined) params[key] = value;
  }
  if (type === 'prompt') {
    if (Array.isArray(message.points)) params.points = message.points.length;
    if (message.box !== undefined) params.box = true;
  }
  return params;
}

/** Writes entries as JSON lines to `file` (appended), or to stderr prefixed with `[audit] ` without one.
 * `reopen()` starts writing to a new file at the same path, after logrotate (or an operator) has moved
 * the old one away: the usual contract of a long-running server's log (serve reopens it on SIGHUP). */
export class AuditLog {
  private stream: WriteStream | undefined;

  constructor(readonly file?: string) {
    this.stream = this.open();
  }

  private open(): WriteStream | undefined {
    const { file } = this;
    if (!file) return undefined;
    const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
    stream.on('error', (err) => process.stderr.write(`[audit] cannot write ${file}: ${err.message}\n`));
    return stream;
  }

  /** Appends from now on to whatever is at the file's path (a new file once the old one was moved away),
   * and closes the old one once its writes are flushed. */
  async reopen(): Promise<void> {
    const old = this.stream;
    if (!old) return;
    this.stream = this.open();
    await new Promise<void>((resolve) => old.end(resolve));
  }

  readonly write: AuditSink = (entry) => {
    const line = JSON.stringify({ time: new Date().toISOString(), ...entry });
    if (this.stream) this.stream.write(`${line}\n`);
    else process.stderr.write(`[audit] ${line}\n`);
  };

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    await new Promise<void>((resolve) => stream.end(resolve));
  }
}
