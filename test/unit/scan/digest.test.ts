// A file's digest is the first 32 hex digits of its content's sha256, whatever
// its size: read in one chunk and hashed in one call, or streamed chunk by chunk.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestFile } from '../../../src/scan/digest.js';

const CHUNK = 1 << 18;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-digest-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('digestFile', () => {
  it.each([0, 1, 1000, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5])(
    'a file of %i bytes: its sha256, as one Hash over the whole content gives it',
    (size) => {
      const content = crypto.randomBytes(size);
      const file = path.join(dir, `f${size}`);
      fs.writeFileSync(file, content);
      expect(digestFile(file)).toBe(crypto.createHash('sha256').update(content).digest('hex').slice(0, 32));
    },
  );

  it('files read one after another each get their own digest (the read buffer is shared)', () => {
    const big = Buffer.alloc(CHUNK + 7, 1);
    const small = Buffer.from('small\n');
    fs.writeFileSync(path.join(dir, 'big'), big);
    fs.writeFileSync(path.join(dir, 'small'), small);
    const want = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex').slice(0, 32);
    expect([digestFile(path.join(dir, 'big')), digestFile(path.join(dir, 'small'))]).toEqual([want(big), want(small)]);
    expect(digestFile(path.join(dir, 'big'))).toBe(want(big));
  });
});
