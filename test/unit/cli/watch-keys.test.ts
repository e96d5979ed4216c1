// The keys of runner watch: what each does, and that a request reaches the
// watch only while it waits, with the terminal put back on dispose.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type KeyInput, keyActions, readWatchKeys } from '../../../src/cli/watch-keys.js';

/** A terminal on stdin, recording the modes it was set to. */
class FakeTerminal extends EventEmitter implements KeyInput {
  modes: boolean[] = [];
  flowing = false;
  constructor(readonly isTTY: boolean) {
    super();
  }
  setRawMode(mode: boolean): this {
    this.modes.push(mode);
    return this;
  }
  resume(): this {
    this.flowing = true;
    return this;
  }
  pause(): this {
    this.flowing = false;
    return this;
  }
  type(keys: string): void {
    this.emit('data', Buffer.from(keys));
  }
}

const ignore = { quit: () => {}, interrupt: () => {} };

describe('watch keys', () => {
  it.each<[string, string[]]>([
    ['a', ['all']],
    ['f', ['failed']],
    ['\r', ['stale']],
    ['\n', ['stale']],
    ['q', ['quit']],
    ['\x03', ['interrupt']],
    ['xyzA F', []],
    ['af\r', ['all', 'failed', 'stale']],
  ])('issue 15: %j does %j', (chunk, actions) => {
    expect(keyActions(chunk)).toEqual(actions);
  });

  it('issue 15: without a terminal on stdin, reads nothing and leaves the mode alone', () => {
    const input = new FakeTerminal(false);
    expect(readWatchKeys(input, ignore)).toBeNull();
    expect(input.modes).toEqual([]);
    expect(input.listenerCount('data')).toBe(0);
  });

  it('issue 15: a key reaches the watch only while it waits; one pressed during a cycle is dropped', async () => {
    const input = new FakeTerminal(true);
    const keys = readWatchKeys(input, ignore)!;
    input.type('a'); // a cycle runs: nobody waits
    const ac = new AbortController();
    const next = keys.requests.next(ac.signal);
    input.type('f');
    expect(await next).toBe('failed');
    // An abort ends the wait without a request, and a key after it is not kept for the next wait.
    const late = new AbortController();
    const waiting = keys.requests.next(late.signal);
    late.abort();
    expect(await waiting).toBeNull();
    input.type('\r');
    const after = keys.requests.next(ac.signal);
    input.type('a');
    expect(await after).toBe('all');
    keys.dispose();
  });

  it('issue 15: q and Ctrl-C act at any time, and dispose puts the terminal back once', () => {
    const input = new FakeTerminal(true);
    const seen: string[] = [];
    const keys = readWatchKeys(input, { quit: () => seen.push('quit'), interrupt: () => seen.push('interrupt') })!;
    expect(input.modes).toEqual([true]);
    expect(input.flowing).toBe(true);
    input.type('q\x03');
    expect(seen).toEqual(['quit', 'interrupt']);
    keys.dispose();
    keys.dispose();
    expect(input.modes).toEqual([true, false]);
    expect(input.flowing).toBe(false);
    expect(input.listenerCount('data')).toBe(0);
  });
});
