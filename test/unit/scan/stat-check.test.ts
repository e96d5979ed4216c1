// The native check of stored stats (native/stat-check.c) on real files: which
// rows it names as differing or racy, and that a stopped check answers -1
// (it cannot tell) rather than a count it did not finish.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { nativeAddon } from '../../../src/native-addon.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-stat-check-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const AT = [0, 1, 2, 3] as const;

/** Rows of [size, mtimeMs, ctimeMs, ino] as the files snapshot packs them, for each name under dir. */
function rows(names: string[], change: (i: number, row: number[]) => void = () => {}): Buffer {
  const numbers = Buffer.alloc(names.length * 4 * 8);
  names.forEach((n, i) => {
    const st = fs.statSync(path.join(dir, n));
    const row = [st.size, st.mtimeMs, st.ctimeMs, st.ino];
    change(i, row);
    row.forEach((v, k) => numbers.writeDoubleLE(v, (i * 4 + k) * 8));
  });
  return numbers;
}

function check(names: string[], numbers: Buffer, racyLimit: number, cap: number, stop = false): number[] {
  const addon = nativeAddon();
  expect(addon).not.toBeNull();
  const text = Buffer.from(names.map((n) => `${n}\0`).join(''));
  const handle = addon!.statCheckStart(dir, text, names.length, numbers, 4, AT, 0, racyLimit);
  return addon!.statCheckFinish(handle, cap, stop);
}

function writeFiles(n: number): string[] {
  const names = Array.from({ length: n }, (_, i) => `f${i}.txt`);
  for (const name of names) fs.writeFileSync(path.join(dir, name), `${name}\n`);
  return names;
}

test('every stat as stored and older than the racy limit: no row differs', () => {
  const names = writeFiles(5);
  expect(check(names, rows(names), Date.now() + 60_000, 10)).toEqual([0]);
});

test('a changed size, a missing file and a racy one are named by their rows, up to the cap', () => {
  const names = writeFiles(6);
  fs.rmSync(path.join(dir, names[4]!));
  const numbers = rows(names.slice(0, 4), (i, row) => {
    if (i === 1) row[0] = row[0]! + 1;
  });
  const all = Buffer.concat([numbers, Buffer.alloc(2 * 4 * 8)]);
  // Rows 4 (gone) and 5 (stored as zeros) differ too.
  expect(check(names, all, Date.now() + 60_000, 10)).toEqual([3, 1, 4, 5]);
  expect(check(names, all, Date.now() + 60_000, 2)).toEqual([3, 1, 4]);
  // Every file written just now is racy under a limit in the past.
  expect(check(names.slice(0, 4), rows(names.slice(0, 4)), 0, 10)).toEqual([4, 0, 1, 2, 3]);
});

test('a check stopped before its end cannot tell: -1, no rows', () => {
  const names = writeFiles(3000);
  const numbers = rows(names, (i, row) => {
    if (i % 2 === 0) row[0] = -1;
  });
  expect(check(names, numbers, Date.now() + 60_000, 10, true)).toEqual([-1]);
  expect(check(names, numbers, Date.now() + 60_000, 0)).toEqual([1500]);
});
