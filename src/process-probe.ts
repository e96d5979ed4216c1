// Asks the kernel about other processes without disturbing them: whether a
// pid is alive, whether some process reads a fifo. Decides nothing.
import fs from 'node:fs';

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether some process has the fifo open for reading: a non-blocking open
 * for writing fails with ENXIO when none has (fifo(7)). Any other failure
 * (permission) answers yes: the caller then neither removes it nor waits on
 * it, and a later open names the error.
 */
export function fifoHasReader(fifo: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== 'ENXIO' && code !== 'ENOENT';
  }
  fs.closeSync(fd);
  return true;
}
