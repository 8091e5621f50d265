// The status line in the header (#status): what this page paints (displayed fps, frame-to-paint latency)
// beside what the server reports (processed fps, its latency, drops, skips, the source), from status
// messages; the connection state while there is no open socket.
import type { StatusMessage } from '../server/wire-format.js';
import type { ConnectionState } from './connection.js';
import type { DisplaySummary } from './display-stats.js';

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

/** `shown 24.9 fps · frame-to-paint p50 72 ms / p95 98 ms` */
export function displayText(display: DisplaySummary): string {
  return `shown ${display.fps.toFixed(1)} fps · frame-to-paint p50 ${formatMs(display.frameToPaint.p50)} / p95 ${formatMs(display.frameToPaint.p95)}`;
}

export class StatusLine {
  private status: StatusMessage | null = null;
  private display: DisplaySummary | null = null;
  private connection: ConnectionState = 'connecting';

  constructor(private readonly element: HTMLOutputElement) {}

  showStatus(status: StatusMessage): void {
    this.status = status;
    this.render();
  }

  /** What this page painted (refreshed a few times a second). */
  showDisplay(display: DisplaySummary): void {
    this.display = display;
    this.render();
  }

  /** Until the next status message, say that the socket is (re)connecting. */
  showConnection(state: ConnectionState): void {
    this.connection = state;
    if (state !== 'open') {
      this.status = null;
      this.element.textContent = state === 'closed' ? 'disconnected, reconnecting…' : 'connecting…';
    }
  }

  private render(): void {
    if (this.connection !== 'open' || !this.status) return;
    const server = `server ${statusText(this.status)}`;
    this.element.textContent = this.display && this.display.painted > 0 ? `${displayText(this.display)} · ${server}` : server;
  }
}
