// The state directory's lock: one holder at a time, waiters served in turn
// (a holder that lets go and asks again queues behind them), a wait that a
// signal stops, and a lock a killed holder never leaves behind.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateLock } from '../../../src/store/state-lock.js';

const require = createRequire(import.meta.url);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-lock-'));
  dirs.push(d);
  return d;
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('StateLock', () => {
  it('a second runner waits, told who holds it, until the first lets go', async () => {
    const dir = stateDir();
    const first = (await StateLock.acquire(dir, undefined, () => {}))!;
    const told: (number | null)[] = [];
    let second: StateLock | null = null;
    const waiting = StateLock.acquire(dir, undefined, (h) => told.push(h.pid)).then((l) => (second = l));
    await tick(300);
    expect(second).toBeNull();
    expect(told).toEqual([process.pid]);
    first.release();
    await waiting;
    expect(second).not.toBeNull();
    second!.release();
  });

  it('a holder that lets go and asks again at once queues behind the runner already waiting', async () => {
    const dir = stateDir();
    const order: string[] = [];
    const watchCycle = (await StateLock.acquire(dir, undefined, () => {}))!;
    const run = StateLock.acquire(dir, undefined, () => {}).then(async (l) => {
      order.push('run');
      await tick(100);
      l!.release();
    });
    await tick(300); // the run is in line
    watchCycle.release();
    const next = await StateLock.acquire(dir, undefined, () => {});
    order.push('next cycle');
    next!.release();
    await run;
    expect(order).toEqual(['run', 'next cycle']);
  });

  it('a wait ends, with null, when its signal aborts', async () => {
    const dir = stateDir();
    const first = (await StateLock.acquire(dir, undefined, () => {}))!;
    const controller = new AbortController();
    const waiting = StateLock.acquire(dir, controller.signal, () => {});
    controller.abort('SIGINT');
    expect(await waiting).toBeNull();
    first.release();
  });

  it('a holder killed with SIGKILL leaves no lock behind', async () => {
    const dir = stateDir();
    // A plain sqlite holder in another process: the kernel drops its lock when it dies.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(path.join(dir, 'lock.db'))});
      db.exec('BEGIN EXCLUSIVE');
      process.stdout.write('held\\n');
      setInterval(() => {}, 1000);
    `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const told: (number | null)[] = [];
    const waiting = StateLock.acquire(dir, undefined, (h) => told.push(h.pid));
    await tick(200);
    holder.kill('SIGKILL');
    const lock = await waiting;
    expect(lock).not.toBeNull();
    expect(told).toHaveLength(1);
    lock!.release();
  }, 20_000);
});
