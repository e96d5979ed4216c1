// The files a job actually opened, from `strace -f -y` output: the
// language-agnostic answer to "what did this test really load", native
// libraries included. Pure parsing; exec/ runs the tracer.
import path from 'node:path';
import { type TracedCall, decoration, stringArg, tracedCalls } from './trace-lines.js';

/** strace's arguments to put before the job's command. */
export function traceArgs(traceFile: string): string[] {
  // -f: follow forks; -qq: no attach/exit noise; -y: each descriptor with the path it names (AT_FDCWD too,
  // since strace 5.15), so a relative name is read where the process really was; %file: every call taking a
  // file name; %process and fchdir: forks and directory changes, for the calls strace prints no directory for.
  return ['-f', '-qq', '-y', '-e', 'trace=%file,%process,fchdir', '-o', traceFile, '--'];
}

/** Calls whose success means the file was read or run: where their directory and name arguments are. */
const READING: Record<string, { dir: number | null; name: number; flags?: number }> = {
  open: { dir: null, name: 0, flags: 1 },
  openat: { dir: 0, name: 1, flags: 2 },
  openat2: { dir: 0, name: 1, flags: 2 },
  execve: { dir: null, name: 0 },
  execveat: { dir: 0, name: 1 },
  stat: { dir: null, name: 0 },
  lstat: { dir: null, name: 0 },
  newfstatat: { dir: 0, name: 1 },
  statx: { dir: 0, name: 1 },
  access: { dir: null, name: 0 },
  faccessat: { dir: 0, name: 1 },
  faccessat2: { dir: 0, name: 1 },
  readlink: { dir: null, name: 0 },
  readlinkat: { dir: 0, name: 1 },
};

const FORKS = new Set(['clone', 'clone3', 'fork', 'vfork']);

/** A write-only open: an output, not an input (O_RDWR, as a database opens, counts as a read). */
const isWriteOnly = (flags: string): boolean => /O_WRONLY|O_CREAT|O_TRUNC/.test(flags) && !/O_RDWR/.test(flags);

const succeeded = (result: string): boolean => result !== '?' && !result.startsWith('-');

/**
 * The paths a traced job opened, read or ran successfully, absolute, in the
 * order first seen. A call that failed, or never returned (its process was
 * killed inside it), read nothing. Writes (O_WRONLY, O_CREAT or O_TRUNC
 * without O_RDWR) are outputs and left out. A relative name is resolved
 * where the process was: strace's `-y` prints the directory of each `*at`
 * call; for the others (`access`, `stat`, `execve`) each process's directory
 * is followed through chdir, fchdir and forks, starting from `cwd`.
 */
export function parseTrace(text: string, cwd: string): string[] {
  const seen = new Set<string>();
  const dirs = new WorkingDirs(cwd);
  for (const call of tracedCalls(text)) {
    if (!succeeded(call.result)) continue;
    if (FORKS.has(call.name)) {
      dirs.forked(call.pid, call.result.split(/\s/)[0]!);
      continue;
    }
    if (call.name === 'chdir' || call.name === 'fchdir') {
      dirs.changed(call);
      continue;
    }
    const where = READING[call.name];
    if (where === undefined) continue;
    const name = stringArg(call.args[where.name]);
    if (name === null || name === '') continue; // '' with AT_EMPTY_PATH: the descriptor itself, opened earlier
    if (where.flags !== undefined && isWriteOnly(call.args[where.flags] ?? '')) continue;
    if (path.isAbsolute(name)) {
      seen.add(path.normalize(name));
      continue;
    }
    const dirArg = where.dir === null ? undefined : call.args[where.dir];
    const dir = decoration(dirArg);
    if (dir !== null) {
      dirs.seen(call.pid, dirArg!, dir);
      seen.add(path.resolve(dir, name));
    } else if (dirArg === undefined || dirArg === 'AT_FDCWD') {
      dirs.resolve(call.pid, name, (abs) => seen.add(abs));
    }
    // A descriptor strace could not name: where the name points is unknown; the job's other reads still count.
  }
  dirs.finish();
  return [...seen];
}

type Pending = { kind: 'read'; name: string; done: (abs: string) => void } | { kind: 'chdir'; to: string };

/**
 * Each process's working directory, for the calls strace prints without it.
 * A process starts where its parent was when it forked; the parent's fork
 * line may come after the child's first calls, so until then the child's
 * relative names wait. Threads share a directory; a thread that changes it
 * for its siblings is seen by their next `*at` call.
 */
class WorkingDirs {
  private readonly dirOf = new Map<string, string>();
  private readonly waiting = new Map<string, Pending[]>();
  private first: string | null = null;

  constructor(private readonly cwd: string) {}

  private known(pid: string): string | undefined {
    if (this.first === null) {
      this.first = pid; // the job's own process: it starts in the job's directory
      this.dirOf.set(pid, this.cwd);
    }
    return this.dirOf.get(pid);
  }

  resolve(pid: string, name: string, done: (abs: string) => void): void {
    const dir = this.known(pid);
    if (dir !== undefined) done(path.resolve(dir, name));
    else this.wait(pid, { kind: 'read', name, done });
  }

  /** A `*at` call printed the process's directory (AT_FDCWD) or a descriptor's: the former is the truth now. */
  seen(pid: string, dirArg: string, dir: string): void {
    this.known(pid);
    if (dirArg.startsWith('AT_FDCWD')) this.dirOf.set(pid, dir);
  }

  changed(call: TracedCall): void {
    const to = call.name === 'fchdir' ? decoration(call.args[0]) : stringArg(call.args[0]);
    if (to === null) return;
    const dir = this.known(call.pid);
    if (dir !== undefined) this.dirOf.set(call.pid, path.resolve(dir, to));
    else if (path.isAbsolute(to)) this.dirOf.set(call.pid, to);
    else this.wait(call.pid, { kind: 'chdir', to });
  }

  forked(parent: string, child: string): void {
    const dir = this.known(parent) ?? this.cwd;
    const pending = this.waiting.get(child);
    this.waiting.delete(child);
    if (pending !== undefined) this.replay(child, dir, pending);
    else if (!this.dirOf.has(child)) this.dirOf.set(child, dir);
  }

  /** Processes whose fork was never seen: their names are taken as relative to the job's directory. */
  finish(): void {
    for (const [pid, pending] of this.waiting) this.replay(pid, this.cwd, pending);
    this.waiting.clear();
  }

  private wait(pid: string, p: Pending): void {
    const list = this.waiting.get(pid);
    if (list === undefined) this.waiting.set(pid, [p]);
    else list.push(p);
  }

  private replay(pid: string, start: string, pending: readonly Pending[]): void {
    let dir = start;
    for (const p of pending) {
      if (p.kind === 'chdir') dir = path.resolve(dir, p.to);
      else p.done(path.resolve(dir, p.name));
    }
    // What the process's own `*at` calls printed since is newer than what the replay worked out.
    if (!this.dirOf.has(pid)) this.dirOf.set(pid, dir);
  }
}
