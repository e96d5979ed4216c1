// The live progress bar on a terminal: a bar, counts, failures so far and the
// jobs in flight, redrawn in place at most ten times a second, cut to the
// terminal's width (never wrapped). Only used on a terminal; lines.ts decides.
import type { Stream } from './stream.js';

/** At most this often (ms) a change is drawn: faster redraws only flicker. */
export const REDRAW_MS = 100;

// Carriage return and erase-line: the bar is rewritten in place, never scrolled.
const ERASE = '\r\x1b[2K';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

export interface BarState {
  done: number;
  total: number;
  failed: number;
  /** Each process in flight, oldest first: "tool file", or a batch tool's chunk, "tool (4 files)". */
  running: readonly string[];
  elapsedMs: number;
}

// Terminal cells a code point takes: 0 for combining marks, 2 for East Asian
// wide and fullwidth forms and most emoji (Unicode UAX #11), else 1.
function cells(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/** Width of text on a terminal, in cells. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += cells(ch.codePointAt(0) ?? 0);
  return w;
}

/** A file name may hold a newline or an escape; on the bar's one line it shows as '?'. */
export function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
}

/** text cut to at most `width` cells, ending in "..." when cut. */
export function fitWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 3) return '.'.repeat(Math.max(0, width));
  let out = '';
  let w = 0;
  for (const ch of text) {
    const c = cells(ch.codePointAt(0) ?? 0);
    if (w + c > width - 3) break;
    out += ch;
    w += c;
  }
  return out + '...';
}

/**
 * One line: `[#####.....] 12/40  1 failed  3.2s  3 running: lint src/a.py, ...`, the
 * counts in jobs (files), the processes in flight named (a chunk by its size),
 * at most `width` cells. The bar narrows on a narrow terminal and goes below 30 cells.
 */
export function layoutBar(s: BarState, width: number): string {
  const barCells = width >= 60 ? 20 : width >= 30 ? 10 : 0;
  const filled = s.total === 0 ? barCells : Math.min(barCells, Math.floor((s.done / s.total) * barCells));
  const bar = barCells === 0 ? '' : `[${'#'.repeat(filled)}${'.'.repeat(barCells - filled)}] `;
  const failed = s.failed > 0 ? `  ${s.failed} failed` : '';
  const head = `${bar}${s.done}/${s.total}${failed}  ${(s.elapsedMs / 1000).toFixed(1)}s`;
  const inFlight =
    s.running.length === 0 ? '' : `  ${s.running.length} running: ${s.running.map(printable).join(', ')}`;
  return fitWidth(head + inFlight, width);
}

export class ProgressLine {
  /** What the line should say now ('' before there is anything to say). */
  private text = '';
  /** What is on the screen; '' when the line is cleared. */
  private drawn = '';
  private cursorHidden = false;
  private lastDraw = -Infinity;
  private pending: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private total = 0;
  private done = 0;
  private failed = 0;
  private readonly running: string[] = [];
  private readonly began: number;

  constructor(
    private readonly err: Stream,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.began = now();
  }

  scanning(visited: number, hashed: number): void {
    this.update(`scanning: ${visited} files, ${hashed} read`);
  }

  start(total: number): void {
    this.total = total;
    if (total === 0) return;
    // The elapsed time moves even when no job ends.
    this.ticker = setInterval(() => this.render(), 1000);
    this.ticker.unref();
    this.render();
  }

  started(name: string): void {
    this.running.push(name);
    this.render();
  }

  finished(name: string, failed: boolean): void {
    this.remove(name);
    this.done++;
    if (failed) this.failed++;
    this.render();
  }

  /** A process in flight ended without a job's end to count (a batch tool's chunk: its files count as they finish). */
  ended(name: string): void {
    this.remove(name);
    this.render();
  }

  private remove(name: string): void {
    const i = this.running.indexOf(name);
    if (i >= 0) this.running.splice(i, 1);
  }

  private width(): number {
    const columns = this.err.columns !== undefined && this.err.columns > 0 ? this.err.columns : 80; // 0: the pty did not say
    // One cell short of the edge: writing the last column makes some terminals wrap at once.
    return Math.max(10, columns - 1);
  }

  private render(): void {
    const s = {
      done: this.done,
      total: this.total,
      failed: this.failed,
      running: this.running,
      elapsedMs: this.now() - this.began,
    };
    this.update(layoutBar(s, this.width()));
  }

  private update(text: string): void {
    this.text = fitWidth(text, this.width());
    if (this.text === this.drawn) return;
    const wait = this.lastDraw + REDRAW_MS - this.now();
    if (wait <= 0) this.draw();
    else if (this.pending === null) {
      this.pending = setTimeout(() => {
        this.pending = null;
        this.draw();
      }, wait);
      this.pending.unref();
    }
  }

  /** Draws the line now (after a permanent line was printed above it, or when a throttled change is due). */
  draw(): void {
    if (this.text === '') return;
    this.err.write(`${this.cursorHidden ? '' : HIDE_CURSOR}${ERASE}${this.text}`);
    this.cursorHidden = true;
    this.drawn = this.text;
    this.lastDraw = this.now();
  }

  /** Erases the line, so that a permanent line can be printed in its place. */
  clear(): void {
    if (this.drawn !== '') this.err.write(ERASE);
    this.drawn = '';
  }

  /** Erases the line for good and gives the cursor back; safe to call more than once. */
  stop(): void {
    if (this.ticker !== null) clearInterval(this.ticker);
    if (this.pending !== null) clearTimeout(this.pending);
    this.ticker = null;
    this.pending = null;
    this.clear();
    this.text = '';
    if (this.cursorHidden) this.err.write(SHOW_CURSOR);
    this.cursorHidden = false;
  }
}
