// A pool of N slots counted in memory, for runner alone (not under make).
import type { Token, TokenPool } from './token.js';

interface Waiter {
  resolve(token: Token): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class LocalPool implements TokenPool {
  private free: number;
  private readonly waiters: Waiter[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`pool size must be a positive integer, got ${capacity}`);
    this.free = capacity;
  }

  acquire(signal?: AbortSignal): Promise<Token> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(this.token());
    }
    return new Promise<Token>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private token(): Token {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiters.shift();
        if (next === undefined) {
          this.free++;
          return;
        }
        next.signal?.removeEventListener('abort', next.onAbort);
        next.resolve(this.token()); // hand the slot straight on
      },
    };
  }
}
