// The keys `runner watch` takes on a terminal: stdin in raw mode, read a key
// at a time; the terminal is put back on every way out (the end of the watch,
// an error, a signal, a crash: an exit cleanup). Without a terminal on stdin,
// nothing here runs and stdin is never touched.
import type { WatchRequest, WatchRequests } from '../api.js';
import { onExit } from './cleanup.js';

export type KeyAction = WatchRequest | 'quit' | 'interrupt';

/**
 * What each key does. Raw mode turns off the terminal's own Ctrl-C (no
 * SIGINT), so \x03 is Ctrl-C by hand; a paste of several keys acts on each.
 */
export function keyActions(chunk: string): KeyAction[] {
  const actions: KeyAction[] = [];
  for (const ch of chunk) {
    if (ch === 'a') actions.push('all');
    else if (ch === 'f') actions.push('failed');
    else if (ch === '\r' || ch === '\n') actions.push('stale');
    else if (ch === 'q') actions.push('quit');
    else if (ch === '\x03') actions.push('interrupt');
  }
  return actions;
}

/** The terminal on stdin, as much of it as the keys need (a fake one in tests). */
export interface KeyInput {
  isTTY?: boolean;
  setRawMode(mode: boolean): unknown;
  on(event: 'data', fn: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', fn: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface WatchKeys {
  requests: WatchRequests;
  /** Puts the terminal back and stops reading; idempotent. */
  dispose(): void;
}

/**
 * Reads keys from `input` when it is a terminal; null otherwise. A request
 * reaches the watch only while it waits between cycles: a key pressed during
 * a cycle is dropped, as jest and vitest drop it (they also cancel the run;
 * runner lets the cycle finish). `q` and Ctrl-C act at any time.
 */
export function readWatchKeys(input: KeyInput, on: { quit(): void; interrupt(): void }): WatchKeys | null {
  if (input.isTTY !== true) return null;
  let waiting: ((r: WatchRequest) => void) | null = null;
  const onData = (chunk: Buffer | string): void => {
    for (const action of keyActions(String(chunk))) {
      if (action === 'quit') on.quit();
      else if (action === 'interrupt') on.interrupt();
      else if (waiting !== null) {
        const take = waiting;
        waiting = null;
        take(action);
      }
    }
  };
  let restored = false;
  const dispose = (): void => {
    if (restored) return;
    restored = true;
    input.off('data', onData);
    try {
      input.setRawMode(false);
    } catch {
      // the terminal is gone (hung up): nothing to put back
    }
    input.pause();
  };
  input.setRawMode(true);
  input.on('data', onData);
  input.resume();
  onExit(dispose);
  return {
    requests: {
      next(signal: AbortSignal): Promise<WatchRequest | null> {
        if (signal.aborted) return Promise.resolve(null);
        return new Promise((resolve) => {
          const onAbort = (): void => {
            waiting = null;
            resolve(null);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          waiting = (r) => {
            signal.removeEventListener('abort', onAbort);
            resolve(r);
          };
        });
      },
    },
    dispose,
  };
}
