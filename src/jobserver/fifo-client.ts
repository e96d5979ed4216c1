// Opens make's fifo jobserver (--jobserver-auth=fifo:PATH, make 4.4 and later)
// as a TokenSource: the read end non-blocking first (that open never waits),
// then the write end, as ninja does (../shared/docs/jobserver.md §5).
import fs from 'node:fs';
import { JobserverError } from '../errors.js';
import type { TokenSource } from './client.js';
import { readOne, writeOne } from './pipe-client.js';

export function openFifoSource(path: string, makeflags: string): TokenSource {
  const st = fs.statSync(path, { throwIfNoEntry: false });
  if (st === undefined || !st.isFIFO()) {
    throw new JobserverError({
      kind: 'cannot-open',
      makeflags,
      detail: `${path} ${st === undefined ? 'does not exist' : 'is not a fifo'}`,
    });
  }
  let read: number;
  let write: number;
  try {
    read = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    write = fs.openSync(path, fs.constants.O_WRONLY);
  } catch (err) {
    throw new JobserverError(
      { kind: 'cannot-open', makeflags, detail: `cannot open ${path} (${(err as NodeJS.ErrnoException).code})` },
      { cause: err },
    );
  }
  const buf = Buffer.alloc(1);
  return {
    tryRead: () => readOne(read, buf),
    write: (byte) => writeOne(write, byte),
    close: () => {
      fs.closeSync(read);
      fs.closeSync(write);
    },
  };
}
