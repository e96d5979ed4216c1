import { describe, expect, it } from 'vitest';
import { LocalPool } from '../../../src/jobserver/index.js';

describe('LocalPool', () => {
  it('hands out at most its capacity and passes a released token to the next waiter', async () => {
    const pool = new LocalPool(2);
    const a = await pool.acquire();
    await pool.acquire();
    let third = false;
    const waiting = pool.acquire().then((t) => {
      third = true;
      return t;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    a.release();
    const t = await waiting;
    expect(third).toBe(true);
    t.release();
  });

  it('ignores a second release of the same token', async () => {
    const pool = new LocalPool(1);
    const a = await pool.acquire();
    a.release();
    a.release();
    await pool.acquire();
    let got = false;
    void pool.acquire().then(() => {
      got = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(got).toBe(false);
  });

  it('rejects a waiting acquire when its signal aborts, and the slot stays with the pool', async () => {
    const pool = new LocalPool(1);
    const held = await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    controller.abort('SIGINT');
    await expect(waiting).rejects.toBe('SIGINT');
    held.release();
    const again = await pool.acquire();
    again.release();
  });
});
