// Writes the merged log: every failure's log under a header (a log several
// files share, once), copied in chunks so a log of any size costs one buffer of memory (a 600 MB log read
// whole was shown as "(log missing)"; issue 12). Decides nothing about what ran.
import fs from 'node:fs';
import path from 'node:path';
import { ReportFileError } from '../errors.js';
import { type JobEnd, SPAWN_ERROR } from '../job-end.js';
import { makeDirs } from '../make-dirs.js';
import { describeKind, nonRegularKind, openRegularFile } from '../regular-file.js';
import { fifoHasReader } from '../process-probe.js';
import { type StagedRoot, StagedPathStream } from '../staged-path.js';
import { assertNever } from '../types.js';
import type { JobReport } from './run-report.js';

const CHUNK = 1 << 20;

/** How a failure ended, in its header: the one place the merged log renders a JobEnd. */
function headerEnd(end: JobEnd | null): string {
  // Every job that ran has an end; one without reads as a job that never started.
  const e = end ?? SPAWN_ERROR;
  switch (e.kind) {
    case 'timeout':
      return 'timed out';
    case 'exit':
      return `exit ${e.code}`;
    case 'signal':
      return `signal ${e.signal}`;
    // Was "signal ?", the flat fields' reading of no code and no signal.
    case 'spawn-error':
      return 'could not start';
    case 'interrupted':
      return 'interrupted';
    default:
      return assertNever(e);
  }
}

/** Writes all of `data` to `out`; returns its last byte, or null when it is empty. */
function writeAll(out: number, data: Buffer): number | null {
  for (let w = 0; w < data.length;) w += fs.writeSync(out, data, w, data.length - w);
  return data.length === 0 ? null : data[data.length - 1]!;
}

/**
 * Appends one job's log to `out`, the staged trees' paths in it shown as the
 * source tree's (the stored log keeps what the tool wrote); returns the last
 * byte written (a newline or not), or null when nothing was.
 */
function copyLog(out: number, log: string, buf: Buffer, roots: readonly StagedRoot[]): number | null {
  let opened: ReturnType<typeof openRegularFile>;
  try {
    opened = openRegularFile(log);
  } catch {
    fs.writeSync(out, '(log missing)\n');
    return 0x0a;
  }
  if ('kind' in opened) {
    fs.writeSync(out, `(log is ${describeKind(opened.kind)}, not read)\n`);
    return 0x0a;
  }
  let last: number | null = null;
  const shown = new StagedPathStream(roots);
  try {
    for (;;) {
      const n = fs.readSync(opened.fd, buf, 0, buf.length, null);
      if (n === 0) break;
      last = writeAll(out, shown.push(buf.subarray(0, n))) ?? last;
    }
    last = writeAll(out, shown.end()) ?? last;
  } finally {
    fs.closeSync(opened.fd);
  }
  return last;
}

/** The log file's identity (device and inode), shared by the results one process judged; null when unreadable. */
function logIdentity(log: string): string | null {
  try {
    const st = fs.statSync(log);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/**
 * Writes every failed job's log into `file`, through a temp file and a
 * rename as the JUnit report is, so a reader never sees half of it; `option`
 * names where the path came from, for messages.
 */
export function writeMergedLogFile(
  option: string,
  file: string,
  jobs: readonly JobReport[],
  roots: readonly StagedRoot[] = [],
): void {
  // A device or a pipe (/dev/null, /dev/stdout) is written to, never renamed over. A fifo nobody reads
  // would make the open wait for ever: a non-blocking open fails with ENXIO then (fifo(7)).
  const kind = nonRegularKind(file);
  if (kind === 'directory' || kind === 'socket' || kind === 'block device')
    throw new ReportFileError({ option, path: file, problem: `is ${describeKind(kind)}` });
  if (kind === 'fifo' && !fifoHasReader(file))
    throw new ReportFileError({ option, path: file, problem: 'is a fifo (named pipe) that nothing reads' });
  const direct = kind !== null;
  const temp = direct ? file : path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  let out: number | null = null;
  try {
    if (!direct) makeDirs(path.dirname(file));
    out = fs.openSync(temp, 'w');
    const buf = Buffer.alloc(CHUNK);
    // Files a batch process judged together share its log (one file, linked under each result): copied once.
    const copied = new Map<string, string>();
    for (const j of jobs) {
      if (j.status !== 'failed' && j.status !== 'cached-failure') continue;
      const header = `${j.tool} ${j.path} (${j.status === 'cached-failure' ? 'cached failure, ' : ''}${headerEnd(j.end)})`;
      const id = j.log === null ? null : logIdentity(j.log);
      const first = id === null ? undefined : copied.get(id);
      if (first !== undefined) {
        fs.writeSync(out, `==> ${header}: the same output as ${first} above <==\n\n`);
        continue;
      }
      if (id !== null) copied.set(id, `${j.tool} ${j.path}`);
      fs.writeSync(out, `==> ${header} <==\n`);
      const last = j.log === null ? null : copyLog(out, j.log, buf, roots);
      fs.writeSync(out, last === null || last === 0x0a ? '\n' : '\n\n');
    }
    fs.closeSync(out);
    out = null;
    if (!direct) fs.renameSync(temp, file);
  } catch (err) {
    try {
      if (out !== null) fs.closeSync(out);
      if (!direct) fs.rmSync(temp, { force: true });
    } catch {
      // there was no temp file: its directory is the problem
    }
    throw new ReportFileError(
      { option, path: file, problem: `cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)})` },
      { cause: err },
    );
  }
}
