// The status line in the header (#status): throughput, latency, drops and the source, from status
// messages; the connection state while there is no open socket.
import type { StatusMessage } from '../server/wire-format.js';
import type { ConnectionState } from './connection.js';

function formatMs(ms: number | null): string {
  return ms === null ? '–' : `${ms.toFixed(0)} ms`;
}

/** `29.8 fps · latency p50 41 ms / p95 55 ms · dropped 12 · skipped 3 · source running` */
export function statusText(status: StatusMessage): string {
  const source = status.source ? `${status.source.state}${status.source.lastError ? ` (${status.source.lastError})` : ''}` : 'unknown';
  return (
    `${status.fps.toFixed(1)} fps · latency p50 ${formatMs(status.latency.p50)} / p95 ${formatMs(status.latency.p95)}` +
    ` · dropped ${status.frames.dropped} · skipped ${status.skipped} · source ${source}`
  );
}

export class StatusLine {
  constructor(private readonly element: HTMLOutputElement) {}

  showStatus(status: StatusMessage): void {
    this.element.textContent = statusText(status);
  }

  /** Until the next status message, say that the socket is (re)connecting. */
  showConnection(state: ConnectionState): void {
    if (state !== 'open') this.element.textContent = state === 'closed' ? 'disconnected, reconnecting…' : 'connecting…';
  }
}
