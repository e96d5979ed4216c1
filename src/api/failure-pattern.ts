// Reads a failed batch process's log for the files its tool's failure
// pattern names (a regular expression with a `file` group, like an
// errorformat): line by line, in blocks, so a log of any size costs bounded
// memory. Decides nothing: the narrowing (narrowing.ts) judges by what it finds.
import fs from 'node:fs';
import path from 'node:path';

/** A line longer than this is matched on its first this many bytes (one endless line must not cost its size). */
const MAX_LINE_BYTES = 64 * 1024;
const BLOCK_BYTES = 64 * 1024;
/** Lines kept per named file, for its log; the rest are counted. */
const MAX_LINES_PER_FILE = 100;
/** Bytes of naming lines kept for all files together; past it lines are only counted. */
const MAX_KEPT_BYTES = 1024 * 1024;

/** The lines of a log that name one file, as many as are kept, and how many more there were. */
export interface NamingLines {
  lines: string[];
  more: number;
}

/**
 * The files of `files` (paths relative to the source tree) that `pattern`'s
 * `file` group names in the log at `logFile`, each with the lines naming it.
 * A name is taken as the tool wrote it, less a leading `./`; an absolute one
 * counts when it is under one of `roots` (the tree the process ran in).
 * Names of no file in `files` are ignored.
 */
export function findNamedFiles(
  logFile: string,
  pattern: string,
  files: ReadonlySet<string>,
  roots: readonly string[],
): Map<string, NamingLines> {
  const re = new RegExp(pattern, 'g');
  const found = new Map<string, NamingLines>();
  let keptBytes = 0;
  const onLine = (line: string): void => {
    const named = new Set<string>();
    for (const m of line.matchAll(re)) {
      const name = m.groups?.file;
      if (name === undefined) continue;
      const file = normalise(name, roots);
      if (file !== null && files.has(file)) named.add(file);
    }
    for (const file of named) {
      let entry = found.get(file);
      if (entry === undefined) found.set(file, (entry = { lines: [], more: 0 }));
      if (entry.lines.length < MAX_LINES_PER_FILE && keptBytes + line.length <= MAX_KEPT_BYTES) {
        entry.lines.push(line);
        keptBytes += line.length;
      } else entry.more++;
    }
  };
  forEachLine(logFile, onLine);
  return found;
}

/** A name as a tool printed it, as a path relative to the tree; null for one outside every root. */
function normalise(name: string, roots: readonly string[]): string | null {
  let p = name.trim();
  if (path.isAbsolute(p)) {
    const under = roots.map((r) => path.relative(r, p)).find((rel) => rel !== '' && !rel.startsWith('..'));
    if (under === undefined || path.isAbsolute(under)) return null;
    p = under;
  }
  p = path.posix.normalize(p);
  while (p.startsWith('./')) p = p.slice(2);
  return p;
}

/** Calls `onLine` for each line of `file` (no `\n`, no trailing `\r`, ANSI colours taken out); a missing log has none. */
function forEachLine(file: string, onLine: (line: string) => void): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return;
  }
  try {
    const block = Buffer.alloc(BLOCK_BYTES);
    let carry: Buffer[] = [];
    let carried = 0;
    let overlong = false;
    const emit = (): void => {
      const text = Buffer.concat(carry, carried).toString('utf8');
      onLine(plain(text.endsWith('\r') ? text.slice(0, -1) : text));
      carry = [];
      carried = 0;
      overlong = false;
    };
    const keep = (bytes: Buffer): void => {
      if (overlong) return;
      const room = MAX_LINE_BYTES - carried;
      if (bytes.length > room) overlong = true;
      const part = bytes.length > room ? bytes.subarray(0, room) : bytes;
      carry.push(Buffer.from(part)); // a copy: the block is read into again
      carried += part.length;
    };
    for (;;) {
      const got = fs.readSync(fd, block, 0, BLOCK_BYTES, null);
      if (got === 0) break;
      let start = 0;
      for (let nl = block.indexOf(10, start); nl !== -1 && nl < got; nl = block.indexOf(10, start)) {
        keep(block.subarray(start, nl));
        emit();
        start = nl + 1;
      }
      if (start < got) keep(block.subarray(start, got));
    }
    if (carried > 0) emit();
  } finally {
    fs.closeSync(fd);
  }
}

/** ANSI escape sequences (colours, cursor moves) taken out: a tool on a terminal colours the names the pattern looks for. */
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
const plain = (s: string): string => (s.includes('\x1b') ? s.replace(ANSI, '') : s);
