// Content digests, read in fixed chunks so a large file never sits whole in memory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Digest } from '../types.js';

const CHUNK = 1 << 18;
let buffer: Buffer | null = null;

export function digestFile(abs: string): Digest {
  buffer ??= Buffer.allocUnsafe(CHUNK);
  const fd = fs.openSync(abs, 'r');
  try {
    const hash = crypto.createHash('sha256');
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
    return hash.digest('hex').slice(0, 32) as Digest;
  } finally {
    fs.closeSync(fd);
  }
}
