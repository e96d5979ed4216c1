// Runner's writes to a job's log: the job's output as it arrives, from both
// streams in arrival order, with the stream index beside it (log-streams.ts),
// and runner's own lines. A failure here is runner's, not the job's: it is
// named as what it is and never recorded as the job's result.
import fs from 'node:fs';
import path from 'node:path';
import { StateDirError } from '../errors.js';
import { describeFault, writeFault } from '../io-fault.js';
import { type LogStream, STREAM_INDEX_HEADER, segmentRecord, trailerRecord } from '../log-streams.js';
import { removeFile } from '../remove-file.js';
import { runningStreamIndexPath } from '../state-dir.js';

/** Index records are held until this many bytes are pending: a job that switches streams often costs a write per 4 KB of records, not per switch. */
const INDEX_FLUSH_BYTES = 4096;

/**
 * A running job's log and its stream index. Each chunk of output is written
 * to the log as it arrives; the index grows by a record only when the stream
 * changes, and its trailer is written when the job has ended: an index with
 * no trailer (runner stopped mid-job) is known for incomplete, never trusted.
 * The index file is created only once it has records to hold (at the end,
 * for most jobs), and the log itself, unless asked for at once, at the job's
 * first byte: a job that writes nothing, the common case, costs no file at all.
 */
export class JobLog {
  /** Bytes in the log. */
  bytes = 0;
  /** Set at the first write that failed: the job's output is lost from then on, which is runner's fault. */
  fault: string | null = null;
  private stream: LogStream | null = null;
  private streamBytes = 0;
  private pending = STREAM_INDEX_HEADER;
  /**
   * Set when the index could not be written: it is left without its trailer,
   * so it is never trusted (`runner log` says the streams cannot be told
   * apart), while the log, whole, still makes a result.
   */
  private indexLost = false;
  private closed = false;

  private indexFd: number | null = null;

  private constructor(
    readonly path: string,
    /** The log's descriptor; null until its first byte (atFirstByte). */
    private fd: number | null,
  ) {}

  /**
   * Creates a job's log, a file that must not exist yet (each run of a job
   * gets a fresh one: nothing else may be writing into it); failing that,
   * runner cannot run jobs at all (its state directory is full, read-only
   * or broken). Left empty, it is removed at close().
   */
  static open(logPath: string): JobLog {
    return new JobLog(logPath, openLog(logPath));
  }

  /**
   * A job's log created (as open() does, a file that must not exist yet) only
   * when the job writes its first byte. A file that cannot be created then is
   * a write that failed: runner's fault, the job's output lost, never a
   * result (issue 17, point 4: a silent job costs no open, close and unlink).
   */
  static atFirstByte(logPath: string): JobLog {
    return new JobLog(logPath, null);
  }

  /** Appends what `stream` wrote. */
  write(stream: LogStream, data: Buffer): void {
    if (data.length === 0 || this.fault !== null || this.closed) return;
    try {
      this.fd ??= fs.openSync(this.path, 'wx');
      writeAll(this.fd, data);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (stream !== this.stream) {
      if (this.stream !== null) this.pending += segmentRecord(this.stream, this.streamBytes);
      this.stream = stream;
      this.streamBytes = 0;
      if (this.pending.length >= INDEX_FLUSH_BYTES) this.flushIndex();
    }
    this.streamBytes += data.length;
    this.bytes += data.length;
  }

  /** Adds runner's own line; returns what went wrong when it could not. */
  note(line: string): string | null {
    this.write('runner', Buffer.from(line));
    return this.fault;
  }

  /** After the job has ended: the last segment and the trailer, then both files closed. Returns the fault, if any. */
  close(): string | null {
    if (this.closed) return this.fault;
    // A job that wrote nothing keeps no log (result-recorder.ts), so no index either.
    if (this.fault === null && this.bytes > 0) {
      if (this.stream !== null) this.pending += segmentRecord(this.stream, this.streamBytes);
      this.pending += trailerRecord(this.bytes);
      this.flushIndex();
    }
    this.closed = true;
    if (this.fd !== null) fs.closeSync(this.fd);
    if (this.indexFd !== null) fs.closeSync(this.indexFd);
    // A log exists only with bytes in it (or a fault's part of them): what a job wrote decides, not how it was opened.
    if (this.fd !== null && this.bytes === 0 && this.fault === null) {
      try {
        removeFile(this.path);
      } catch {
        // left for the next runner, which empties running/ when it takes the state directory
      }
    }
    return this.fault;
  }

  private flushIndex(): void {
    if (!this.indexLost) {
      try {
        this.indexFd ??= fs.openSync(runningStreamIndexPath(this.path), 'wx');
        writeAll(this.indexFd, Buffer.from(this.pending, 'latin1'));
      } catch {
        this.indexLost = true;
      }
    }
    this.pending = '';
  }

  private fail(err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    // The file system's own account (a full disk named with its device) when it has one.
    this.fault = logWriteFault(this.path) ?? `cannot write the job's log (${code}: ${describeErrno(code)})`;
  }
}

/** write(2) may take less than it is given: the rest follows. */
function writeAll(fd: number, data: Buffer): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
}

/** Creates a file of a job's log that must not exist yet. */
function openLog(logPath: string): number {
  try {
    return fs.openSync(logPath, 'wx');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    throw new StateDirError(
      { path: logPath, problem: `cannot write a job's log (${code}: ${describeErrno(code)})` },
      { cause: err },
    );
  }
}

export function describeErrno(code: string): string {
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'a directory is in the way';
    case 'EDQUOT':
      return 'the disk quota is used up';
    default:
      return 'the operating system refused';
  }
}

/**
 * After a job failed: when its log cannot be written now (the disk holding it
 * is full, the file system or the file read-only), the job likely failed only
 * because its output could not be written, which is runner's fault, not the
 * job's. Returns what went wrong, or null.
 */
export function logWriteFault(logPath: string): string | null {
  const found = writeFault(path.dirname(logPath), [logPath], { space: true });
  return found === null ? null : `cannot write the job's log (${describeFault(found.fault)})`;
}
