// Runner's own writes to a job's log. A failure here is runner's, not the
// job's: it is named as what it is and never recorded as the job's result.
import fs from 'node:fs';
import path from 'node:path';
import { StateDirError } from '../errors.js';
import { describeFault, writeFault } from '../io-fault.js';

/**
 * Creates a job's log, a file that must not exist yet (each run of a job gets
 * a fresh one: nothing else may be writing into it); failing that, runner
 * cannot run jobs at all (its state directory is full, read-only or broken).
 */
export function openLog(logPath: string): number {
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

/** Adds runner's own line to a job's log; returns what went wrong when it could not. */
export function noteInLog(logPath: string, line: string): string | null {
  try {
    fs.appendFileSync(logPath, line);
    return null;
  } catch (err) {
    return `cannot write the job's log ${logPath} (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
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
