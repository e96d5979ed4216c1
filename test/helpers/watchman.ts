// A private watchman server for one test: started in the foreground as this
// process's child (its own socket, state file and log under a temp dir, so the
// machine's own watchman is never touched), stopped when the test ends.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { waitFor } from './sandbox.js';

export interface WatchmanServer {
  /** Give it to runner as WATCHMAN_SOCK. */
  sock: string;
  /**
   * Give it to runner as TMPDIR: the watchman CLI makes its state directory (`<TMPDIR>/<user>-state`) even when
   * told the socket, and one in /tmp would outlive the test.
   */
  tmpdir: string;
  /** Shuts the server down and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same socket and state file (a fresh instance: new clocks). */
  start(): Promise<void>;
}

/** Whether `watchman` is on this process's PATH (the tests that need it say so when it is not). */
export function hasWatchman(): boolean {
  return spawnSync('watchman', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Starts a private server under a temp dir of its own; stops it and removes the dir when the test ends. */
export async function startWatchman(): Promise<WatchmanServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-watchman-'));
  const sock = path.join(dir, 'sock');
  const flags = [
    `--sockname=${sock}`,
    `--statefile=${path.join(dir, 'state')}`,
    `--logfile=${path.join(dir, 'log')}`,
    `--pidfile=${path.join(dir, 'pid')}`,
  ];
  let child: ChildProcess | null = null;
  const env = { ...process.env, TMPDIR: dir };
  const answers = (): boolean =>
    spawnSync('watchman', [`--sockname=${sock}`, '--no-spawn', '--no-pretty', 'version'], { encoding: 'utf8', env })
      .status === 0;
  const server: WatchmanServer = {
    sock,
    tmpdir: dir,
    async start() {
      child = spawn('watchman', ['--foreground', ...flags], { stdio: 'ignore', env });
      await waitFor('watchman to answer', () => answers());
    },
    async stop() {
      const c = child;
      if (c === null) return;
      child = null;
      const exited = new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) resolve();
        else c.once('exit', () => resolve());
      });
      spawnSync('watchman', [`--sockname=${sock}`, '--no-spawn', 'shutdown-server'], { encoding: 'utf8', env });
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(sock, { force: true });
    },
  };
  onTestFinished(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await server.start();
  return server;
}
