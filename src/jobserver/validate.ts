// Decides whether the descriptors MAKEFLAGS names really are make's jobserver
// before runner touches them. Inside Node every low descriptor is close-on-exec
// and libuv reuses freed numbers (epoll, its signal pipe), so only these checks
// tell make's pipe from Node's own: ../shared/docs/jobserver.md §4.
// readFdFacts() reads /proc; judgePipe() decides from what it read and reads nothing.
import fs from 'node:fs';

/** What the checks read of /proc; tests pass a made-up one. */
export interface ProcView {
  /** readlink /proc/self/fd/<fd>, or null when it does not resolve. */
  fdTarget(fd: number): string | null;
  /** O_ACCMODE bits of /proc/self/fdinfo/<fd> flags (0 read, 1 write, 2 both), or null. */
  accessMode(fd: number): number | null;
  isFifo(fd: number): boolean;
  parentPid(): number;
  /** readlink of every entry of /proc/<pid>/fd; null when they cannot be read (another user, hidepid, no /proc). */
  heldTargets(pid: number): string[] | null;
}

/** What runner sees of one descriptor MAKEFLAGS names. */
export interface EndFacts {
  fd: number;
  /** Link target (`pipe:[INO]` for a pipe end); null: not open in runner. */
  target: string | null;
  isFifo: boolean;
  accessMode: number | null;
}

export interface FdFacts {
  read: EndFacts;
  write: EndFacts;
  parent: { pid: number; /** null: the parent's descriptors cannot be read. */ targets: string[] | null };
}

export type PipeCheck =
  /** basis: how the pipe was told from one of Node's own. */
  | { ok: true; basis: 'parent-holds-it' | 'parent-unreadable' }
  | { ok: false; problem: 'closed-fd' | 'not-a-pipe'; detail: string };

const PIPE_TARGET = /^pipe:\[\d+\]$/;

export function readFdFacts(read: number, write: number, proc: ProcView): FdFacts {
  const end = (fd: number): EndFacts => ({
    fd,
    target: proc.fdTarget(fd),
    isFifo: proc.isFifo(fd),
    accessMode: proc.accessMode(fd),
  });
  const pid = proc.parentPid();
  return { read: end(read), write: end(write), parent: { pid, targets: proc.heldTargets(pid) } };
}

/** Pure: use the pipe or ignore it, and why. */
export function judgePipe(f: FdFacts): PipeCheck {
  const { read: r, write: w } = f;
  if (r.target === null || w.target === null) {
    return {
      ok: false,
      problem: 'closed-fd',
      detail: `descriptor ${r.target === null ? r.fd : w.fd} is not open in runner`,
    };
  }
  if (r.target !== w.target || !PIPE_TARGET.test(r.target) || !r.isFifo || !w.isFifo) {
    return {
      ok: false,
      problem: 'not-a-pipe',
      detail: `descriptors ${r.fd} and ${w.fd} are not the two ends of one pipe (${r.target}, ${w.target})`,
    };
  }
  if (r.accessMode !== 0 || w.accessMode !== 1) {
    return {
      ok: false,
      problem: 'not-a-pipe',
      detail: `descriptors ${r.fd} and ${w.fd} are not open for reading and writing respectively`,
    };
  }
  // A pipe made after exec (libuv's signal pipe on a stale 4,5) is runner's alone; make's is held by the
  // parent too, at whatever numbers it likes: a server may dup2 the pipe onto R,W only in the child (§4, item 3).
  if (f.parent.targets === null) return { ok: true, basis: 'parent-unreadable' };
  if (!f.parent.targets.includes(r.target)) {
    return {
      ok: false,
      problem: 'closed-fd',
      detail: `the parent process (pid ${f.parent.pid}) does not hold that pipe (${r.target})`,
    };
  }
  return { ok: true, basis: 'parent-holds-it' };
}

export function checkPipe(read: number, write: number, proc: ProcView): PipeCheck {
  return judgePipe(readFdFacts(read, write, proc));
}

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

export const linuxProc: ProcView = {
  fdTarget(fd) {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return null;
    }
  },
  accessMode(fd) {
    try {
      const m = /^flags:\s*([0-7]+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      return m === null ? null : Number.parseInt(m[1]!, 8) & 3;
    } catch {
      return null;
    }
  },
  isFifo(fd) {
    try {
      return fs.fstatSync(fd).isFIFO();
    } catch {
      return false;
    }
  },
  parentPid: () => process.ppid,
  heldTargets(pid) {
    let names: string[];
    try {
      names = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      return null; // EACCES (another user, a setuid parent), ENOENT (hidepid, no /proc)
    }
    const targets: string[] = [];
    for (const name of names) {
      try {
        targets.push(fs.readlinkSync(`/proc/${pid}/fd/${name}`));
      } catch (err) {
        if (code(err) !== 'ENOENT') return null; // ENOENT: closed since the listing
      }
    }
    return targets;
  },
};
