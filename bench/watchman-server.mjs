// A private watchman server for the tree section's no-op with watchman (issue
// 17 point 5): its own socket, state and log under the bench's scratch
// directory, so the machine's own watchman is never touched and nothing
// outlives the bench. null when watchman is not on PATH.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { whichOnPath } from './measure.mjs';

const START_PATIENCE_MS = 20_000;
const STOP_PATIENCE_MS = 10_000;

/** Starts the server under dir; returns { env, stop } (env: what runner needs to ask it), or null without watchman. */
export async function startWatchmanServer(dir) {
  if (!whichOnPath('watchman')) return null;
  fs.mkdirSync(dir, { recursive: true });
  const sock = path.join(dir, 'sock');
  // The CLI makes its state directory under TMPDIR even when told the socket: keep that in dir too.
  const env = { ...process.env, TMPDIR: dir };
  const answers = () =>
    spawnSync('watchman', [`--sockname=${sock}`, '--no-spawn', '--no-pretty', 'version'], { env, stdio: 'ignore' })
      .status === 0;
  const child = spawn(
    'watchman',
    [
      '--foreground',
      `--sockname=${sock}`,
      `--statefile=${path.join(dir, 'state')}`,
      `--logfile=${path.join(dir, 'log')}`,
      `--pidfile=${path.join(dir, 'pid')}`,
    ],
    { stdio: 'ignore', env },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      spawnSync('watchman', [`--sockname=${sock}`, '--no-spawn', 'shutdown-server'], { env, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_PATIENCE_MS);
      await exited;
      clearTimeout(timer);
    }
  };
  const until = Date.now() + START_PATIENCE_MS;
  while (!answers()) {
    if (Date.now() > until || child.exitCode !== null) {
      await stop();
      return null;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { env: { WATCHMAN_SOCK: sock, TMPDIR: dir, RUNNER_WATCHMAN: '1' }, stop };
}
