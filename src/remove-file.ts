// Removes one file, gone already or not. fs.rmSync would do, but on its first
// call Node compiles its internal rimraf module (5 ms on a quiet machine, far
// more under load), a cost every run that starts a job would pay for nothing.
import fs from 'node:fs';

export function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
