// Opens make's pipe jobserver (--jobserver-auth=R,W) as a TokenSource. Reads
// go through a private, non-blocking description of the read end, opened via
// /proc, so O_NONBLOCK never reaches the description make shares with its
// other children (../shared/docs/jobserver.md §5); bytes go back through W.
import fs from 'node:fs';
import { JobserverError } from '../errors.js';
import type { TokenSource } from './client.js';

export function readOne(fd: number, buf: Buffer): number | 'empty' | 'eof' {
  try {
    return fs.readSync(fd, buf, 0, 1, null) === 0 ? 'eof' : buf[0]!;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 'empty';
    throw err;
  }
}

export function writeOne(fd: number, byte: number): void {
  fs.writeSync(fd, Buffer.of(byte), 0, 1);
}

export function openPipeSource(read: number, write: number, makeflags: string): TokenSource {
  let priv: number;
  try {
    priv = fs.openSync(`/proc/self/fd/${read}`, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw new JobserverError(
      {
        kind: 'cannot-open',
        makeflags,
        detail: `cannot open descriptor ${read} (${(err as NodeJS.ErrnoException).code})`,
      },
      { cause: err },
    );
  }
  const buf = Buffer.alloc(1);
  return {
    tryRead: () => readOne(priv, buf),
    write: (byte) => writeOne(write, byte),
    close: () => fs.closeSync(priv),
  };
}
