// A TokenPool over GNU make's jobserver: the implicit token first, then one
// byte read per extra job running at once, never ahead; each byte goes back
// (the same byte) when its job ends, or straight to the next waiting job.
// Reads never block and nothing is left pending, so stopping cannot swallow
// a token (../shared/docs/jobserver.md §2, §6, §7).
import type { Token, TokenPool } from './token.js';

/** One end-to-end jobserver connection: the pipe or the fifo. */
export interface TokenSource {
  /** A token byte, 'empty' (none now: poll again later) or 'eof' (every writer is gone). Never blocks. */
  tryRead(): number | 'empty' | 'eof';
  /** Gives a byte back; synchronous so that it works on every exit path. */
  write(byte: number): void;
  close(): void;
}

interface Waiter {
  resolve(token: Token): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

const MAX_BACKOFF_MS = 50;

export class JobserverPool implements TokenPool {
  private implicitFree = true;
  /** Bytes read and not yet written back, one per running job beyond the first. */
  private readonly held: number[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private backoff = 1;
  private makeGone = false;

  /** capacity: a cap on jobs at once (config `jobs`), besides what the jobserver grants. */
  constructor(
    private readonly source: TokenSource,
    readonly capacity = Number.POSITIVE_INFINITY,
  ) {}

  /** How many tokens (beyond the implicit one) runner holds now. */
  get tokensHeld(): number {
    return this.held.length;
  }

  private running(): number {
    return (this.implicitFree ? 0 : 1) + this.held.length;
  }

  acquire(signal?: AbortSignal): Promise<Token> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.implicitFree) {
      this.implicitFree = false;
      return Promise.resolve(this.implicitToken());
    }
    return new Promise<Token>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.dropWaiter(waiter);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.poll();
    });
  }

  private dropWaiter(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    if (this.waiters.length === 0) this.stopPolling();
  }

  private take(): Waiter | undefined {
    const w = this.waiters.shift();
    w?.signal?.removeEventListener('abort', w.onAbort);
    if (this.waiters.length === 0) this.stopPolling();
    return w;
  }

  /** Reads one byte per waiting job while the jobserver has them; otherwise polls again later. */
  private poll(): void {
    while (this.waiters.length > 0 && !this.makeGone && this.running() < this.capacity) {
      const got = this.source.tryRead();
      if (got === 'eof') {
        this.makeGone = true; // make died: finish on the implicit token alone
        break;
      }
      if (got === 'empty') {
        this.schedulePoll();
        return;
      }
      this.backoff = 1;
      this.held.push(got);
      this.take()!.resolve(this.byteToken(got));
    }
  }

  private schedulePoll(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.poll();
    }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }

  private stopPolling(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.backoff = 1;
  }

  private implicitToken(): Token {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.take();
        if (next !== undefined)
          next.resolve(this.implicitToken()); // the slot goes straight on
        else this.implicitFree = true;
      },
    };
  }

  private byteToken(byte: number): Token {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.take();
        if (next !== undefined) {
          next.resolve(this.byteToken(byte)); // hand the token on rather than write and read again
          return;
        }
        this.giveBack(byte);
        this.poll();
      },
    };
  }

  /** Writes a byte back only if the ledger still holds it: never more bytes than were read. */
  private giveBack(byte: number): void {
    const i = this.held.indexOf(byte);
    if (i < 0) return; // releaseAll() already wrote it
    this.held.splice(i, 1);
    this.source.write(byte);
  }

  /** Every exit path ends here: writes back every byte still held and stops reading. */
  releaseAll(): void {
    this.stopPolling();
    for (const w of this.waiters.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(new Error('jobserver closed'));
    }
    while (this.held.length > 0) this.source.write(this.held.pop()!);
  }

  close(): void {
    this.releaseAll();
    this.source.close();
  }
}
