// The live progress line on a terminal: counts, jobs in flight, elapsed time,
// redrawn in place and cut to the terminal's width.
import type { Stream } from './lines.js';

const REDRAW_MS = 200;

export class ProgressLine {
  private text = '';
  private shown = false;
  private total = 0;
  private done = 0;
  private readonly running: string[] = [];
  private readonly began = performance.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly err: Stream) {}

  scanning(visited: number, hashed: number): void {
    this.set(`scanning: ${visited} files, ${hashed} read`);
  }

  start(total: number): void {
    this.total = total;
    if (total === 0) return;
    this.timer = setInterval(() => this.render(), REDRAW_MS);
    this.timer.unref();
    this.render();
  }

  started(name: string): void {
    this.running.push(name);
    this.render();
  }

  finished(name: string): void {
    const i = this.running.indexOf(name);
    if (i >= 0) this.running.splice(i, 1);
    this.done++;
    this.render();
  }

  private render(): void {
    const elapsed = ((performance.now() - this.began) / 1000).toFixed(1);
    const inFlight = this.running.length === 0 ? '' : ` running ${this.running.length}: ${this.running.join(', ')}`;
    this.set(`[${this.done}/${this.total}] ${elapsed}s${inFlight}`);
  }

  private set(text: string): void {
    const columns = this.err.columns !== undefined && this.err.columns > 0 ? this.err.columns : 80; // 0: the pty did not say
    const width = Math.max(20, columns - 1);
    this.text = text.length > width ? text.slice(0, width - 3) + '...' : text;
    this.draw();
  }

  draw(): void {
    if (this.text === '') return;
    this.err.write(`\r\x1b[K${this.text}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.err.write('\r\x1b[K');
    this.shown = false;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.clear();
    this.text = '';
  }
}
