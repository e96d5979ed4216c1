// Calls the library in this process (run(), watch()) over a sandbox tree, with
// a fake command runner and a recording sink of its events: the build loop,
// cancellation, fail-fast and token return are tested without a job process.
// The state directory is real (sqlite in the temp tree).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  type EventSink,
  type RunOptions,
  type RunReport,
  type WatchCycle,
  type WatchReport,
  run,
  watch,
} from '../../src/api.js';
import type { FakeCommandRunner } from './fake-command-runner.js';
import { RecordingReporter } from './recording-reporter.js';
import { type Sandbox, beforeSandboxRemoval, useFixture, writeConfig, writeText } from './sandbox.js';

/** A source tree of n files jobs/a1.txt … (one job each, tool "check"), and the config's other keys. */
export function jobsTree(n: number, config: Record<string, unknown> = {}): Sandbox {
  const sb = useFixture('js-demo');
  fs.rmSync(path.join(sb.tree, 'src'), { recursive: true, force: true });
  fs.rmSync(path.join(sb.tree, 'test'), { recursive: true, force: true });
  for (let i = 1; i <= n; i++) writeText(sb, `jobs/a${i}.txt`, `job ${i}\n`);
  // A small program to latch: the fake runner never starts it.
  writeConfig(sb, { include: ['jobs/**'], tools: [{ name: 'check', command: ['cat', '{file}'] }], ...config });
  return sb;
}

export interface InProcessRun {
  reporter: RecordingReporter;
  /** Settles when run() does. */
  result: Promise<RunReport>;
}

/** Starts run() over the sandbox with the fake runner; `env` adds to PATH and HOME (MAKEFLAGS, say). */
export function runInProcess(
  sb: Sandbox,
  runner: FakeCommandRunner,
  opts: Partial<Omit<RunOptions, 'env'>> & { env?: Record<string, string> } = {},
): InProcessRun {
  const reporter = new RecordingReporter();
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...opts.env };
  const result = run({ cwd: sb.tree, serveJobserver: false, ...opts, env, events: reporter, commandRunner: runner });
  // A rejection is the test's to assert; never an unhandled one meanwhile.
  result.catch(() => {});
  return { reporter, result };
}

export interface InProcessWatch {
  reporter: RecordingReporter;
  /** Each finished cycle, as it lands. */
  cycles: WatchCycle[];
  /** What the watch said besides finished cycles (cycleStarted, configRejected, …), in order. */
  said: string[];
  /** Settles when watch() does (abort its signal). */
  result: Promise<WatchReport>;
}

/** Starts watch() over the sandbox with the fake runner, until `signal` aborts. */
export function watchInProcess(sb: Sandbox, runner: FakeCommandRunner, signal: AbortSignal): InProcessWatch {
  const reporter = new RecordingReporter();
  const cycles: WatchCycle[] = [];
  const said: string[] = [];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  const events: EventSink = {
    emit(e) {
      reporter.emit(e);
      if (e.type === 'cycle-started') said.push(`cycleStarted ${e.cycle.cycle}`);
      else if (e.type === 'cycle-finished') cycles.push(e.cycle);
      else if (e.type === 'config-rejected') said.push(`configRejected ${e.error.message}`);
      else if (e.type === 'cycle-failed') said.push(`cycleFailed ${e.cycle} ${e.error.message}`);
      else if (e.type === 'watcher-error') said.push(`watcherError ${e.message}`);
    },
  };
  const result = watch({
    cwd: sb.tree,
    env,
    events,
    signal,
    serveJobserver: false,
    commandRunner: runner,
    debounceMs: 50,
  });
  result.catch(() => {});
  return { reporter, cycles, said, result };
}

/**
 * A make 4.4 style jobserver (a fifo holding `tokens` bytes) for runner to
 * take tokens from; count() says how many are in it now, so a test sees
 * every token come back. Closed before the sandbox goes.
 */
export class FifoJobserver {
  readonly makeflags: string;
  private readonly fifo: string;
  private readonly fd: number;

  constructor(
    sb: Sandbox,
    readonly tokens: number,
  ) {
    const fifo = (this.fifo = path.join(sb.scratch, 'jobserver.fifo'));
    execFileSync('mkfifo', [fifo]);
    // Held open for reading and writing, as make holds it: runner's opens never wait, and no byte is lost.
    this.fd = fs.openSync(fifo, fs.constants.O_RDWR);
    fs.writeSync(this.fd, Buffer.alloc(tokens, '+'));
    this.makeflags = ` -j${tokens + 1} --jobserver-auth=fifo:${fifo}`;
    beforeSandboxRemoval(() => fs.closeSync(this.fd));
  }

  /** The tokens in the fifo now (read and written back). */
  count(): number {
    const buf = Buffer.alloc(this.tokens + 16);
    let n = 0;
    const reader = fs.openSync(this.fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      for (;;) {
        try {
          const got = fs.readSync(reader, buf, n, buf.length - n, null);
          if (got === 0) break;
          n += got;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw err;
        }
      }
    } finally {
      fs.closeSync(reader);
    }
    if (n > 0) fs.writeSync(this.fd, buf, 0, n);
    return n;
  }
}
