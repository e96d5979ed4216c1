// Reads files runner is given by name (a config, a whitelist, a job's log)
// without ever waiting on them: a fifo, socket or device named where a file
// belongs is told apart before a read could block for ever (issue 12).
import fs from 'node:fs';

export type FileKind = 'file' | 'directory' | 'fifo' | 'socket' | 'character device' | 'block device' | 'other';

export function kindOf(st: fs.Stats): FileKind {
  return st.isFile()
    ? 'file'
    : st.isDirectory()
      ? 'directory'
      : st.isFIFO()
        ? 'fifo'
        : st.isSocket()
          ? 'socket'
          : st.isCharacterDevice()
            ? 'character device'
            : st.isBlockDevice()
              ? 'block device'
              : 'other';
}

/** "a fifo (named pipe)", for messages. */
export function describeKind(kind: FileKind): string {
  switch (kind) {
    case 'file':
      return 'a regular file';
    case 'directory':
      return 'a directory';
    case 'fifo':
      return 'a fifo (named pipe)';
    case 'socket':
      return 'a socket';
    case 'character device':
      return 'a character device';
    case 'block device':
      return 'a block device';
    case 'other':
      return 'not a regular file';
  }
}

/** What is at `file` (links followed) when it exists and is no regular file; null otherwise. Opens nothing. */
export function nonRegularKind(file: string): FileKind | null {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return null; // unreadable: the caller's own read says why
  }
  if (st === undefined) return null;
  const kind = kindOf(st);
  return kind === 'file' ? null : kind;
}

/**
 * Opens `file` for reading when it is a regular file, and returns its
 * descriptor and size; else what it is. The open is O_NONBLOCK, which on a
 * fifo returns at once (on a regular file it changes nothing), and the kind
 * is taken from the descriptor, so no swap after a check can make it wait.
 * OS errors (ENOENT, EACCES) are thrown as they are.
 */
export function openRegularFile(file: string): { fd: number; size: number } | { kind: FileKind } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  try {
    const st = fs.fstatSync(fd);
    const kind = kindOf(st);
    if (kind === 'file') return { fd, size: st.size };
    fs.closeSync(fd);
    return { kind };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** The whole text of a regular file, or what `file` is instead. For small files only (configs, lists). */
export function readRegularText(file: string): { text: string } | { kind: FileKind } {
  const opened = openRegularFile(file);
  if ('kind' in opened) return opened;
  try {
    return { text: fs.readFileSync(opened.fd, 'utf8') };
  } finally {
    fs.closeSync(opened.fd);
  }
}
