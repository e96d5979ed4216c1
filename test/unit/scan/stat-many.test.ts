import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KIND, STAT_WIDTH, errorOfKind, statMany } from '../../../src/scan/stat-many.js';

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
