import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KIND, STAT_WIDTH, errorOfKind, statMany, statMethod } from '../../../src/scan/stat-many.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-stat-'));
  fs.writeFileSync(path.join(root, 'a'), 'aaa');
  fs.mkdirSync(path.join(root, 'd'));
  fs.symlinkSync('loop', path.join(root, 'loop'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function check(paths: string[]): void {
  const out = statMany(root, paths);
  const a = fs.statSync(path.join(root, 'a'));
  paths.forEach((p, i) => {
    const o = i * STAT_WIDTH;
    if (p === 'a')
      expect([out[o], out[o + 1], out[o + 2], out[o + 3], out[o + 4]]).toEqual([
        3,
        a.mtimeMs,
        a.ctimeMs,
        a.ino,
        KIND.file,
      ]);
    else if (p === 'd') expect(out[o + 4]).toBe(KIND.other);
    else if (p === 'missing') expect(errorOfKind(out[o + 4]!)).toBe('ENOENT');
    else expect(errorOfKind(out[o + 4]!)).toBe('ELOOP');
  });
}

describe('statMany', () => {
  it('stats each path on this thread when there are few', () => {
    check(['a', 'd', 'missing', 'loop']);
  });

  it('gives the same answers when a worker thread takes part of a large batch', () => {
    const paths = Array.from({ length: 25_000 }, (_, i) => ['a', 'd', 'missing', 'loop'][i % 4]!);
    check(paths);
  });
});

describe('statMany without a Stats object per file (issue 17)', () => {
  it('issue 17: stats through the fs binding on Node 20, through fs.statSync elsewhere', () => {
    expect(statMethod(root)).toBe(process.versions.node.startsWith('20.') ? 'binding' : 'fs');
  });

  it("issue 17: gives fs.statSync's numbers to the bit, nanosecond times and kinds included, on both threads", () => {
    // Times with fractions of a millisecond, as file systems keep them: the manifest compares them exactly.
    const names = ['n0', 'n1', 'n2', 'n3', 'big'];
    names.forEach((n, i) => {
      fs.writeFileSync(path.join(root, n), 'x'.repeat(i * 7));
      fs.utimesSync(path.join(root, n), 1_600_000_000.5 + i, 1_700_000_000 + 0.123_456_789 + i * 0.000_271);
    });
    fs.truncateSync(path.join(root, 'big'), 5 * 1024 ** 3); // a sparse file past 2^32 bytes
    fs.symlinkSync('n1', path.join(root, 'to-n1'));
    fs.symlinkSync('d', path.join(root, 'to-d'));
    const kinds = [...names, 'to-n1', 'to-d', 'd', 'missing'];
    for (const count of [kinds.length, 25_000]) {
      const paths = Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!);
      const out = statMany(root, paths);
      paths.forEach((p, i) => {
        const o = i * STAT_WIDTH;
        const st = fs.statSync(path.join(root, p), { throwIfNoEntry: false });
        const got = [out[o], out[o + 1], out[o + 2], out[o + 3], out[o + 4]];
        if (st === undefined) expect(errorOfKind(got[4]!)).toBe('ENOENT');
        else
          expect(got, `${p} (#${i} of ${count})`).toEqual([
            st.size,
            st.mtimeMs,
            st.ctimeMs,
            st.ino,
            st.isFile() ? KIND.file : KIND.other,
          ]);
      });
    }
  });
});
