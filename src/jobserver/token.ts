// The interface every source of parallel slots implements: the local pool
// here, the GNU make jobserver clients later (#3).

export interface Token {
  /** Gives the slot back; calling it twice is harmless. */
  release(): void;
}

export interface TokenPool {
  /** Resolves with a token when a slot is free; rejects if the signal aborts first. */
  acquire(signal?: AbortSignal): Promise<Token>;
  /** Most jobs that can ever run at once. */
  readonly capacity: number;
}
