// Starts a plain job through runner's native addon (native/spawn.c): posix_spawn,
// which does not copy runner's page tables as libuv's fork() does (issue 17,
// point 4). Same contract as child_process's start with spawn.ts's options: its
// own session and process group, stdin on /dev/null, stdout and stderr on
// socketpairs, the jobserver's descriptors at their numbers, signals at their
// defaults. Decides nothing about the job; spawn.ts supervises it either way.
import net from 'node:net';
import os from 'node:os';
import util from 'node:util';
import { nativeAddon } from '../native-addon.js';
import type { JobCommand } from './job-command.js';

/**
 * How plain jobs start: 'native' through the addon when it loaded (else as
 * 'child-process'), 'child-process' through Node's child_process (a fork of runner).
 */
export type JobStart = 'native' | 'child-process';

/** RUNNER_NATIVE_SPAWN=0 in runner's environment: always child_process (to compare both, or to rule the addon out). */
export const NATIVE_SPAWN_ENV = 'RUNNER_NATIVE_SPAWN';

export function jobStartFor(env: NodeJS.ProcessEnv): JobStart {
  return env[NATIVE_SPAWN_ENV] === '0' ? 'child-process' : 'native';
}

/** Whether plain jobs started with `how` really go through the addon here. */
export function startsNatively(how: JobStart): boolean {
  return how === 'native' && nativeAddon() !== null;
}

export interface NativeChild {
  pid: number;
  stdout: net.Socket;
  stderr: net.Socket;
}

let signalNames: Map<number, NodeJS.Signals> | undefined;

/** Node's name for a signal number: of two names for one number (SIGABRT and SIGIOT, SIGIO and SIGPOLL), the first listed, as Node says. */
function signalName(n: number): string {
  if (signalNames === undefined) {
    signalNames = new Map();
    for (const [name, num] of Object.entries(os.constants.signals)) {
      if (!signalNames.has(num)) signalNames.set(num, name as NodeJS.Signals);
    }
  }
  return signalNames.get(n) ?? 'unknown';
}

/** The error child_process gives for a start the kernel refused: the same code, message and fields. */
function spawnError(errno: number, cmd: JobCommand): Error {
  const code = util.getSystemErrorName(errno);
  return Object.assign(new Error(`spawn ${cmd.program} ${code}`), {
    errno,
    code,
    syscall: `spawn ${cmd.program}`,
    path: cmd.program,
    spawnargs: cmd.args,
  });
}

/**
 * Starts the job, or returns null when the addon cannot: not loaded, or a NUL
 * byte in a word (child_process then refuses it with its own message, which
 * spawn-error.ts words). onExit gets Node's pair: an exit code, or a signal's
 * name; both null only if another part of the process reaped the job.
 */
export function spawnNative(
  cmd: JobCommand,
  onExit: (code: number | null, signal: string | null) => void,
): NativeChild | Error | null {
  const addon = nativeAddon();
  if (addon === null) return null;
  const envp: string[] = [];
  for (const name in cmd.env) envp.push(`${name}=${cmd.env[name]}`);
  const argv = [cmd.program, ...cmd.args];
  if (argv.some((w) => w.includes('\0')) || envp.some((e) => e.includes('\0')) || cmd.cwd.includes('\0')) return null;
  const fds: number[] = [];
  for (const [child, parent] of cmd.fds) fds.push(child, parent);
  const started = addon.spawn(cmd.program, argv, envp, cmd.cwd, fds, (code, sig) =>
    onExit(code, sig === null ? null : signalName(sig)),
  );
  if (typeof started === 'number') return spawnError(started, cmd);
  const [pid, out, err] = started;
  return {
    pid,
    stdout: new net.Socket({ fd: out, readable: true, writable: false }),
    stderr: new net.Socket({ fd: err, readable: true, writable: false }),
  };
}
