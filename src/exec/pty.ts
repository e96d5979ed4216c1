// Starts a terminal job (`"pty": true`) in a pseudo-terminal through node-pty,
// and copies what the terminal shows into the job's log. The only importer of
// node-pty, loaded on the first terminal job so plain runs never pay for it.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { IPty } from 'node-pty';
import { withoutJobserver } from '../jobserver/index.js';
import { LineEndings } from './line-endings.js';
import type { JobCommand, JobEnds } from './spawn.js';

export interface TerminalSize {
  cols: number;
  rows: number;
}

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

type NodePty = typeof import('node-pty');
let loaded: NodePty | undefined;
function nodePty(): NodePty {
  loaded ??= createRequire(import.meta.url)('node-pty') as NodePty;
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
export function placeJobserver(cmd: Pick<JobCommand, 'program' | 'args' | 'env' | 'fds'>, runnerPid: number):
  { program: string; args: string[]; env: Record<string, string> } {
  const { program, args, env, fds } = cmd;
  if (fds.length === 0) return { program, args, env };
  if (fds.some(([child]) => child < 3 || child > 9)) {
    const makeflags = env.MAKEFLAGS === undefined ? undefined : withoutJobserver(env.MAKEFLAGS);
    const rest = { ...env };
    delete rest.MAKEFLAGS;
    return { program, args, env: makeflags === undefined || makeflags.trim() === '' ? rest : { ...rest, MAKEFLAGS: makeflags } };
  }
  const opens = fds.map(([child, parent]) => `${child}<>/proc/${runnerPid}/fd/${parent}`).join(' ');
  return { program: '/bin/sh', args: ['-c', `exec ${opens} && exec "$@"`, 'sh', program, ...args], env };
}

/** Starts the job on a new terminal; returns its pid, a session and process group leader. */
export function startInTerminal(cmd: JobCommand, size: TerminalSize, ends: JobEnds): number | undefined {
  const log = fs.openSync(cmd.logPath, 'w');
  const endings = new LineEndings();
  const { program, args, env } = placeJobserver(cmd, process.pid);
  const name = env.TERM ?? DEFAULT_TERM;
  let term: IPty;
  try {
    term = nodePty().spawn(program, args, {
      name, cols: size.cols, rows: size.rows, cwd: cmd.cwd, env: { ...env, TERM: name },
      encoding: null, // bytes as the job wrote them, escapes and all
    });
  } catch (err) {
    fs.closeSync(log);
    setImmediate(() => ends.error(err instanceof Error ? err : new Error(String(err))));
    return undefined;
  }
  term.onData((data: string | Buffer) => {
    const bytes = endings.push(typeof data === 'string' ? Buffer.from(data) : data);
    if (bytes.length > 0) fs.writeSync(log, bytes);
  });
  // node-pty reports the exit once the terminal has been read to its end.
  term.onExit(({ exitCode, signal }) => {
    const rest = endings.end();
    if (rest.length > 0) fs.writeSync(log, rest);
    fs.closeSync(log);
    if (signal !== undefined && signal !== 0) ends.exit(null, signalName(signal));
    else ends.exit(exitCode, null);
  });
  term.write(EOF);
  return term.pid;
}
