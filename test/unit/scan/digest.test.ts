// A file's digest is the first 32 hex digits of its content's sha256, whatever
// its size, through the addon (native/digest.c, 64 KB reads) and without it
// (Node's fs and crypto, 256 KB reads: one call for a file of one chunk, else
// streamed): the same digests, and the same errors by code.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeAddon } from '../../../src/native-addon.js';
import { digestFile, digestFileInJs } from '../../../src/scan/digest.js';

const JS_CHUNK = 1 << 18;
const NATIVE_READ = 1 << 16;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-digest-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const want = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex').slice(0, 32);
const SIZES = [0, 1, 1000, NATIVE_READ - 1, NATIVE_READ, NATIVE_READ + 1, JS_CHUNK - 1, JS_CHUNK, JS_CHUNK + 1];

/** What a read of `file` throws, as its code ('' when it throws none). */
function codeOf(read: () => unknown): string {
  try {
    read();
    return '';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'none';
  }
}

describe('digestFile', () => {
  it('goes through the addon here: it is built on Linux and this Node offers OpenSSL', () => {
    expect(process.platform).toBe('linux');
    expect(nativeAddon()?.digestFile).toBeTypeOf('function');
  });

  it.each([...SIZES, 2 * JS_CHUNK, 3 * JS_CHUNK + 5])(
    'a file of %i bytes: its sha256, as one Hash over the whole content gives it, both ways',
    (size) => {
      const content = crypto.randomBytes(size);
      const file = path.join(dir, `f${size}`);
      fs.writeFileSync(file, content);
      expect(digestFile(file)).toBe(want(content));
      expect(digestFileInJs(file)).toBe(want(content));
    },
  );

  it('files read one after another each get their own digest (the read buffer is shared)', () => {
    const big = Buffer.alloc(JS_CHUNK + 7, 1);
    const small = Buffer.from('small\n');
    fs.writeFileSync(path.join(dir, 'big'), big);
    fs.writeFileSync(path.join(dir, 'small'), small);
    for (const digest of [digestFile, digestFileInJs]) {
      expect([digest(path.join(dir, 'big')), digest(path.join(dir, 'small'))]).toEqual([want(big), want(small)]);
      expect(digest(path.join(dir, 'big'))).toBe(want(big));
    }
  });

  it('a missing file, a directory and a name with a NUL fail with the code fs gives, both ways', () => {
    const missing = path.join(dir, 'missing');
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    expect([codeOf(() => digestFile(missing)), codeOf(() => digestFileInJs(missing))]).toEqual(['ENOENT', 'ENOENT']);
    expect([codeOf(() => digestFile(sub)), codeOf(() => digestFileInJs(sub))]).toEqual(['EISDIR', 'EISDIR']);
    // fs refuses the NUL itself; the addon must not read the name cut short at it (a file that exists).
    fs.writeFileSync(path.join(dir, 'cut'), 'x');
    expect(codeOf(() => digestFile(`${path.join(dir, 'cut')}\0more`))).toBe('EINVAL');
  });

  it('a file that cannot be read fails with EACCES, both ways', () => {
    const file = path.join(dir, 'locked');
    fs.writeFileSync(file, 'secret\n');
    fs.chmodSync(file, 0o000);
    // root reads anything: the check then holds only for someone else
    const root = process.getuid?.() === 0;
    const expected = root ? '' : 'EACCES';
    expect([codeOf(() => digestFile(file)), codeOf(() => digestFileInJs(file))]).toEqual([expected, expected]);
  });
});
