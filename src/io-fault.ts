// Names what the operating system refused when runner writes its own files
// (the state database and its -wal/-shm, the job logs): no space on a device,
// a read-only file system or file, permission denied. Only looks: access(2),
// open(2) without creating or truncating, statfs(2), /proc/self/mountinfo.
import fs from 'node:fs';
import path from 'node:path';
import { assertNever } from './types.js';

/** Where a file lives: the mount's source (/dev/vda1, tmpfs) and its mount point. */
export interface Device {
  source: string;
  mountPoint: string;
}

export type IoFault =
  | { kind: 'no-space'; device: Device | null }
  | { kind: 'quota'; device: Device | null }
  | { kind: 'read-only-fs'; device: Device | null }
  /** Runner's own file without its owner's write bit (a state made read-only once, writable again only in part). */
  | { kind: 'read-only-file'; mode: number }
  | { kind: 'permission'; owner: number; mode: number; uid: number }
  | { kind: 'other'; detail: string };

/**
 * Less than this free for runner's user counts as a full disk: a write the
 * size of a typical pipe buffer would fail, so a job's log may be cut short.
 */
export const LOW_SPACE_BYTES = 64 * 1024;

/** What the operating system's refusal (an errno code) on `file` means. */
export function faultOfErrno(code: string, file: string): IoFault {
  switch (code) {
    case 'ENOSPC':
      return { kind: 'no-space', device: deviceOf(file) };
    case 'EDQUOT':
      return { kind: 'quota', device: deviceOf(file) };
    case 'EROFS':
      return { kind: 'read-only-fs', device: deviceOf(file) };
    case 'EACCES':
    case 'EPERM':
      return permissionFault(file);
    default:
      return { kind: 'other', detail: code };
  }
}

function permissionFault(file: string): IoFault {
  const uid = process.geteuid?.() ?? -1;
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st === undefined) return { kind: 'permission', owner: -1, mode: 0, uid };
  const mode = st.mode & 0o7777;
  // Readable by its owner but not writable: "read-only", which chmod u+w undoes.
  if (st.uid === uid && (mode & 0o400) !== 0 && (mode & 0o200) === 0) return { kind: 'read-only-file', mode };
  return { kind: 'permission', owner: st.uid, mode, uid };
}

/** A fault and the file or directory it was found on. */
export interface PlacedFault {
  path: string;
  fault: IoFault;
}

/**
 * The first reason runner cannot write here: each existing file opened for
 * reading and writing (nothing created, nothing truncated), then the
 * directory, then (with space) its free space. Null when all is writable.
 */
export function writeFault(dir: string, files: readonly string[], opts: { space: boolean }): PlacedFault | null {
  for (const f of files) {
    let fd: number;
    try {
      fd = fs.openSync(f, fs.constants.O_RDWR);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      if (code === 'ENOENT') continue;
      return { path: f, fault: faultOfErrno(code, f) };
    }
    fs.closeSync(fd);
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    if (code !== 'ENOENT') return { path: dir, fault: faultOfErrno(code, dir) };
  }
  return opts.space && isFull(dir) ? { path: dir, fault: { kind: 'no-space', device: deviceOf(dir) } } : null;
}

/** True when the file system holding dir has less than LOW_SPACE_BYTES free for runner's user. */
export function isFull(dir: string): boolean {
  let st: fs.StatsFs;
  try {
    st = fs.statfsSync(dir);
  } catch {
    return false;
  }
  // Root may use the blocks the file system reserves; anyone else only the available ones.
  const blocks = process.geteuid?.() === 0 ? st.bfree : st.bavail;
  return blocks * st.bsize < LOW_SPACE_BYTES;
}

/** The mount holding file, from /proc/self/mountinfo (Linux); null where that cannot be read. */
export function deviceOf(file: string): Device | null {
  try {
    return mountHolding(parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')), realpathOfExisting(file));
  } catch {
    return null;
  }
}

/** Each mount, in mount order: "ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS" (proc(5)). */
export function parseMountinfo(text: string): Device[] {
  const out: Device[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields[4] === undefined) continue;
    out.push({ source: unescapeMount(fields[dash + 2] ?? 'none'), mountPoint: unescapeMount(fields[4]) });
  }
  return out;
}

/** The mount an absolute real path lies on: the longest mount point above it, the last one mounted over the same point. */
export function mountHolding(mounts: readonly Device[], real: string): Device | null {
  let best: Device | null = null;
  for (const m of mounts) {
    const inside = m.mountPoint === '/' || real === m.mountPoint || real.startsWith(m.mountPoint + '/');
    if (inside && (best === null || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** The real path of file, or of its nearest existing ancestor (a log not created yet). */
function realpathOfExisting(file: string): string {
  let p = path.resolve(file);
  for (;;) {
    try {
      return fs.realpathSync(p);
    } catch {
      const up = path.dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function onDevice(device: Device | null): string {
  return device === null ? 'its file system' : `${device.source} mounted at ${device.mountPoint}`;
}

/** The fault in words, e.g. "no space left on /dev/vda1 mounted at /". */
export function describeFault(f: IoFault): string {
  switch (f.kind) {
    case 'no-space':
      return `no space left on ${onDevice(f.device)}`;
    case 'quota':
      return `disk quota exceeded on ${onDevice(f.device)}`;
    case 'read-only-fs':
      return `read-only file system (${onDevice(f.device)})`;
    case 'read-only-file':
      return `the file is read-only (mode ${octal(f.mode)})`;
    case 'permission':
      return `permission denied (owner uid ${f.owner}, mode ${octal(f.mode)}; runner runs as uid ${f.uid})`;
    case 'other':
      return f.detail;
    default:
      return assertNever(f);
  }
}

/** What the user can do about it; never "clean": that would throw away every result. */
export function remedyFor(f: IoFault): string {
  switch (f.kind) {
    case 'no-space':
    case 'quota':
      return 'free some space there and run again';
    case 'read-only-fs':
      return 'remount it read-write, or use --state-dir DIR';
    case 'read-only-file':
      return 'make it writable (chmod u+w), or use --state-dir DIR';
    case 'permission':
      return 'give runner write access to it, or use --state-dir DIR';
    case 'other':
      return 'check the device, then run again';
    default:
      return assertNever(f);
  }
}

function octal(mode: number): string {
  return '0' + mode.toString(8).padStart(3, '0');
}
