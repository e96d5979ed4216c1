import { describe, expect, it } from 'vitest';
import { JobserverPool, type TokenSource } from '../../../src/jobserver/index.js';

/** A jobserver holding some bytes; records every read and write. */
function fakeSource(bytes: number[]) {
  const pipe = [...bytes];
  const log = { reads: 0, written: [] as number[] };
  const source: TokenSource = {
    tryRead: () => {
      log.reads++;
      return pipe.length === 0 ? 'empty' : pipe.shift()!;
    },
    write: (b) => {
      log.written.push(b);
      pipe.push(b);
    },
    close: () => {},
  };
  return { source, pipe, log };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('JobserverPool', () => {
  it('starts the first job on the implicit token without reading', async () => {
    const f = fakeSource([43]);
    const pool = new JobserverPool(f.source);
    (await pool.acquire()).release();
    expect(f.log.reads).toBe(0);
    expect(f.pipe).toEqual([43]);
  });

  it('reads exactly one byte per extra job and writes the same byte back when it ends', async () => {
    const f = fakeSource([43, 120]);
    const pool = new JobserverPool(f.source);
    const first = await pool.acquire();
    const second = await pool.acquire();
    expect(f.pipe).toEqual([120]);
    expect(pool.tokensHeld).toBe(1);
    second.release();
    expect(f.log.written).toEqual([43]);
    first.release();
    expect(f.pipe.sort((x, y) => x - y)).toEqual([43, 120]);
  });

  it("hands a finished job's token straight to a waiting job instead of writing and reading again", async () => {
    const f = fakeSource([43]);
    const pool = new JobserverPool(f.source);
    await pool.acquire();
    const second = await pool.acquire();
    const third = pool.acquire();
    await tick();
    second.release();
    (await third).release();
    expect(f.log.written).toEqual([43]);
  });

  it('cancels a wait without a pending read: an abort leaves every byte in the jobserver', async () => {
    const f = fakeSource([]);
    const pool = new JobserverPool(f.source);
    await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    await tick();
    controller.abort('SIGINT');
    await expect(waiting).rejects.toBe('SIGINT');
    const reads = f.log.reads;
    f.pipe.push(43);
    await tick();
    expect(f.log.reads).toBe(reads);
    expect(f.pipe).toEqual([43]);
  });

  it('gives every held byte back on releaseAll, and never a byte twice', async () => {
    const f = fakeSource([43, 43]);
    const pool = new JobserverPool(f.source);
    await pool.acquire();
    const a = await pool.acquire();
    const b = await pool.acquire();
    pool.releaseAll();
    a.release();
    b.release();
    expect(f.log.written).toEqual([43, 43]);
    expect(f.pipe).toEqual([43, 43]);
  });

  it('after EOF (make gone) finishes on the implicit token alone', async () => {
    const source: TokenSource = { tryRead: () => 'eof', write: () => {}, close: () => {} };
    const pool = new JobserverPool(source);
    const first = await pool.acquire();
    let got = false;
    const second = pool.acquire().then((t) => {
      got = true;
      return t;
    });
    await tick();
    expect(got).toBe(false);
    first.release();
    (await second).release();
  });

  it('keeps to its cap even when the jobserver has tokens to spare', async () => {
    const f = fakeSource([43, 43, 43]);
    const pool = new JobserverPool(f.source, 2);
    await pool.acquire();
    await pool.acquire();
    let got = false;
    void pool.acquire().then(() => {
      got = true;
    });
    await tick();
    expect(got).toBe(false);
    expect(f.pipe.length).toBe(2);
  });
});
