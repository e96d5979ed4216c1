// Starts a terminal job (`"pty": true`) in a pseudo-terminal through node-pty,
// and copies what the terminal shows into the job's log. The only importer of
// node-pty (an optional dependency), loaded before a run's first terminal job
// so plain runs never pay for it, nor need it installed.
import fs from 'node:fs';
import os from 'node:os';
import { TerminalSupportError } from '../errors.js';
import { withoutJobserver } from '../jobserver/index.js';
import { LineEndings } from './line-endings.js';
import type { JobLog } from './job-log.js';
import type { EndListeners, JobCommand, TerminalSize } from './job-command.js';

/** The size a terminal job gets when runner's own output is not a terminal (that of a VT100). */
export const DEFAULT_TERMINAL_SIZE: TerminalSize = { cols: 80, rows: 24 };

/**
 * TERM for a job whose environment has none. A constant, so that the latch,
 * which covers the tool's environment and `pty`, fixes it: the caller's TERM
 * never reaches a job unless the config passes it (`passEnv`, `env`, `mergeEnv`).
 */
export const DEFAULT_TERM = 'xterm-256color';

/** End of file (^D, the terminal's VEOF) queued at start: a job that reads input gets EOF, as from a plain job's /dev/null. */
const EOF = '\x04';

/**
 * node-pty's native fork: forkpty(3) with the given size, the child a session
 * and process group leader, and a callback once it has been reaped. Its
 * JavaScript terminal is not used: its reader (a libuv stream) takes the hang-up
 * the terminal signals when the job exits for the end of the output, and loses
 * what the job wrote last (measured: 10 to 20 KB of a 228 KB output).
 */
interface NativePty {
  fork(
    file: string,
    args: string[],
    env: string[],
    cwd: string,
    cols: number,
    rows: number,
    uid: number,
    gid: number,
    utf8: boolean,
    helperPath: string,
    onExit: (code: number, signal: number) => void,
  ): { fd: number; pid: number; pty: string };
}

/**
 * node-pty's code with prebuilt binaries in the registry (Linux, macOS and
 * Windows, x64 and arm64: no compiler, 0.1 MB against node-pty's 63 MB), an
 * optional dependency in package.json at this exact version: its native
 * fork's arguments are node-pty's internals, so a new version is checked first.
 */
export const TERMINAL_PACKAGE = '@lydell/node-pty';
export const TERMINAL_VERSION = '1.1.0';

let loaded: NativePty | undefined;

/**
 * Loads the terminal support, once: called before a run starts its first
 * terminal job, so that when it is missing the run stops with exit 2 before
 * any job has run (a job that failed for want of it would be recorded as failed).
 */
export async function loadTerminalSupport(tools: string[]): Promise<void> {
  if (loaded !== undefined) return;
  // A specifier in a variable: the package is optional, and has no types for this module of its own.
  const loader: string = `${TERMINAL_PACKAGE}/requireBinary.js`;
  let requireBinary: (file: string) => NativePty;
  try {
    ({ requireBinary } = (await import(loader)) as { requireBinary: (file: string) => NativePty });
  } catch (err) {
    throw missing(err, tools, 'missing');
  }
  try {
    // Its package for this platform and architecture (an optional dependency of its own).
    loaded = requireBinary('pty.node');
  } catch (err) {
    throw missing(err, tools, 'no-binary');
  }
}

function missing(err: unknown, tools: string[], problem: 'missing' | 'no-binary'): TerminalSupportError {
  const said = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
  return new TerminalSupportError(
    {
      tools,
      package: TERMINAL_PACKAGE,
      version: TERMINAL_VERSION,
      problem,
      detail: said,
      platform: `${process.platform}-${process.arch}`,
    },
    { cause: err },
  );
}

function nativePty(): NativePty {
  // loadTerminalSupport() ran before the run's first job; a caller that skipped it is a bug.
  if (loaded === undefined) throw new Error('terminal support used before loadTerminalSupport()');
  return loaded;
}

/** A signal's name from its number (node-pty reports numbers; plain jobs report names). */
export function signalName(signal: number): string {
  for (const [name, n] of Object.entries(os.constants.signals)) if (n === signal) return name;
  return `signal ${signal}`;
}

/**
 * How a terminal job gets its jobserver descriptors. node-pty passes the job
 * no descriptor but the terminal, so a shell re-opens each from runner's
 * /proc/PID/fd entry at the number MAKEFLAGS names (read-write, which never
 * blocks on a fifo or pipe) and then execs the job: same pid, same process.
 * A POSIX shell redirects descriptors 0 to 9 only; past that the job gets no
 * jobserver and a MAKEFLAGS without it, so nested makes run one job at a time
 * rather than use descriptors that are not there.
 */
export function placeJobserver(
  cmd: Pick<JobCommand, 'program' | 'args' | 'env' | 'fds'>,
  runnerPid: number,
): { program: string; args: string[]; env: Record<string, string> } {
  const { program, args, env, fds } = cmd;
  if (fds.length === 0) return { program, args, env };
  if (fds.some(([child]) => child < 3 || child > 9)) {
    const makeflags = env.MAKEFLAGS === undefined ? undefined : withoutJobserver(env.MAKEFLAGS);
    const rest = { ...env };
    delete rest.MAKEFLAGS;
    return {
      program,
      args,
      env: makeflags === undefined || makeflags.trim() === '' ? rest : { ...rest, MAKEFLAGS: makeflags },
    };
  }
  const opens = fds.map(([child, parent]) => `${child}<>/proc/${runnerPid}/fd/${parent}`).join(' ');
  return { program: '/bin/sh', args: ['-c', `exec ${opens} && exec "$@"`, 'sh', program, ...args], env };
}

/** Polling back-off for the terminal's output: at once after data, up to this long when quiet. */
const MAX_POLL_MS = 50;
/** Most bytes read in one turn of the event loop, so a job that never stops writing cannot starve its own timeout. */
const TURN_BYTES = 1 << 20;
/** Most bytes read after the job has exited: more than a terminal buffers, so only a leftover process that keeps writing is cut off. */
const FINAL_BYTES = 16 << 20;

/**
 * Copies the terminal's output to the log. The terminal's descriptor is
 * non-blocking, so it is read until EAGAIN on a timer; EIO means every
 * writer has gone. Synchronous reads keep the log in the order written.
 */
class TerminalReader {
  private readonly endings = new LineEndings();
  private readonly buf = Buffer.allocUnsafe(65536);
  private timer: NodeJS.Timeout | undefined;
  private delay = 1;
  private hungUp = false;

  constructor(
    private readonly master: number,
    private readonly log: JobLog,
  ) {
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      const got = this.drain(TURN_BYTES);
      this.delay = got === TURN_BYTES ? 0 : got > 0 ? 1 : Math.min(this.delay * 2, MAX_POLL_MS);
      if (!this.hungUp) this.schedule();
    }, this.delay);
  }

  /** Reads what the terminal holds now, up to `budget` bytes; returns how many it read. */
  drain(budget: number): number {
    let got = 0;
    while (!this.hungUp && got < budget) {
      let n: number;
      try {
        n = fs.readSync(this.master, this.buf, 0, this.buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        this.hungUp = true; // EIO: no process holds the terminal any more
        break;
      }
      if (n === 0) {
        this.hungUp = true;
        break;
      }
      got += n;
      const bytes = this.endings.push(this.buf.subarray(0, n));
      if (bytes.length > 0) this.write(bytes);
    }
    return got;
  }

  /** A terminal is one device for both streams: its output is one stream of its own in the log's index. */
  private write(bytes: Buffer): void {
    this.log.write('terminal', bytes);
  }

  /** After the job has exited: what is left on the terminal (the kernel hands over all it holds before EAGAIN or EIO), then close it (spawn.ts closes the log). */
  finish(): void {
    clearTimeout(this.timer);
    this.drain(FINAL_BYTES);
    const rest = this.endings.end();
    if (rest.length > 0) this.write(rest);
    fs.closeSync(this.master);
  }
}

/** Starts the job on a new terminal; returns its pid, a session and process group leader. */
export function startInTerminal(
  cmd: JobCommand,
  size: TerminalSize,
  log: JobLog,
  ends: EndListeners,
): number | undefined {
  const pty = nativePty(); // outside the try below: a bug, never a job that failed to start
  const { program, args, env } = placeJobserver(cmd, process.pid);
  const envList = Object.entries({ ...env, TERM: env.TERM ?? DEFAULT_TERM }).map(([k, v]) => `${k}=${v}`);
  // Set before the exit callback can run: node-pty calls it through the event loop.
  let reader: TerminalReader | undefined;
  const onExit = (code: number, signal: number): void => {
    reader!.finish();
    ends.exit(signal !== 0 ? { kind: 'signal', signal: signalName(signal) } : { kind: 'exit', code }, log.fault);
  };
  let forked;
  try {
    // uid/gid -1: runner's own; the helper path is used on macOS only.
    forked = pty.fork(program, args, envList, cmd.cwd, size.cols, size.rows, -1, -1, false, '', onExit);
  } catch (err) {
    setImmediate(() => ends.error(err instanceof Error ? err : new Error(String(err))));
    return undefined;
  }
  fs.writeSync(forked.fd, EOF);
  reader = new TerminalReader(forked.fd, log);
  return forked.pid;
}
