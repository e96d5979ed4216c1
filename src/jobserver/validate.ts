// Decides whether the descriptors MAKEFLAGS names really are make's jobserver
// before runner touches them. Inside Node every low descriptor is close-on-exec
// and libuv reuses freed numbers (epoll, its signal pipe), so only these checks
// tell make's pipe from Node's own: ../shared/docs/jobserver.md §4.
import fs from 'node:fs';

/** What the checks read of /proc; tests pass a made-up one. */
export interface ProcView {
  /** readlink /proc/<pid>/fd/<fd>, or null when it does not resolve. */
  fdTarget(pid: 'self' | number, fd: number): string | null;
  /** O_ACCMODE bits of /proc/self/fdinfo/<fd> flags (0 read, 1 write, 2 both), or null. */
  accessMode(fd: number): number | null;
  isFifo(fd: number): boolean;
  parentPid(): number;
}

export type PipeCheck =
  | { ok: true }
  | { ok: false; problem: 'closed-fd' | 'not-a-pipe'; detail: string };

export function checkPipe(read: number, write: number, proc: ProcView): PipeCheck {
  const r = proc.fdTarget('self', read);
  const w = proc.fdTarget('self', write);
  if (r === null || w === null) {
    return { ok: false, problem: 'closed-fd', detail: `descriptor ${r === null ? read : write} is not open in runner` };
  }
  if (r !== w || !proc.isFifo(read) || !proc.isFifo(write)) {
    return { ok: false, problem: 'not-a-pipe', detail: `descriptors ${read} and ${write} are not the two ends of one pipe (${r}, ${w})` };
  }
  if (proc.accessMode(read) !== 0 || proc.accessMode(write) !== 1) {
    return { ok: false, problem: 'not-a-pipe', detail: `descriptors ${read} and ${write} are not open for reading and writing respectively` };
  }
  // The one check that tells a stale number reused by Node's own pipe from make's (§4, item 3).
  const ppid = proc.parentPid();
  if (proc.fdTarget(ppid, read) !== r || proc.fdTarget(ppid, write) !== w) {
    return { ok: false, problem: 'closed-fd', detail: `the parent process (pid ${ppid}) does not hold that pipe at descriptors ${read},${write}` };
  }
  return { ok: true };
}

export const linuxProc: ProcView = {
  fdTarget(pid, fd) {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
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
};
