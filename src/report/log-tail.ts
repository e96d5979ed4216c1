// Reads the end of a job's log, bounded in bytes, for every place that shows
// a log (the terminal, JUnit): a log of any size costs at most `limit` bytes
// of memory, and a log that is not a regular file is never waited on.
import fs from 'node:fs';
import { openRegularFile } from '../regular-file.js';

/** The end of a log as it is shown; null when the file is gone or cannot be read. */
export interface LogTail {
  text: string;
  /** Bytes before `text` that were left out. */
  omitted: number;
}

/** Reads at most the last `limit` bytes of a log, starting on a whole UTF-8 character. */
export function readLogTail(file: string, limit: number): LogTail | null {
  let opened: ReturnType<typeof openRegularFile>;
  try {
    opened = openRegularFile(file);
  } catch {
    return null;
  }
  if ('kind' in opened) return null; // a fifo or device in the state directory is no log runner wrote
  const { fd, size } = opened;
  try {
    const start = Math.max(0, size - limit);
    const buf = Buffer.alloc(size - start);
    let n = 0;
    while (n < buf.length) {
      const got = fs.readSync(fd, buf, n, buf.length - n, start + n);
      if (got === 0) break; // truncated since the fstat
      n += got;
    }
    let from = 0;
    // Continuation bytes (10xxxxxx) at the cut belong to a character that began before it.
    if (start > 0) while (from < n && ((buf[from] ?? 0) & 0xc0) === 0x80) from++;
    return { text: buf.subarray(from, n).toString('utf8'), omitted: start + from };
  } finally {
    fs.closeSync(fd);
  }
}

/** Bytes, for a reader: "812 bytes", "57.2 MB". */
export function describeBytes(n: number): string {
  if (n < 1000) return `${n} byte${n === 1 ? '' : 's'}`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
