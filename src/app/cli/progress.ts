/** A one-line progress bar on stderr (only when stderr is a terminal; silent in CI logs). */
export class ProgressBar {
  private readonly start = performance.now();
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number, note = ''): void {
    if (!this.tty) return;
    const width = 30;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const filled = Math.round(fraction * width);
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = done > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    process.stderr.write(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ` +
        `${rate.toFixed(1)}/s eta ${eta.toFixed(0)}s ${note}`.padEnd(100).slice(0, 100 + this.label.length),
    );
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
