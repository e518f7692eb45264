/** A one-line progress bar on stderr, drawn only for people (a TTY) and never in --json mode. */
export class ProgressBar {
  private readonly enabled: boolean;
  private lastDrawMs = 0;

  constructor(private readonly label: string, quiet: boolean) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  update(done: number, total: number, detail = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < total && now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    const width = 28;
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(share * width);
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${detail.padEnd(16)}`);
  }

  done(): void {
    if (this.enabled) process.stderr.write('\n');
  }
}
