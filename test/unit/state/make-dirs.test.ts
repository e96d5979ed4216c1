// src/make-dirs.ts: mkdir -p one level at a time. Two runs started together
// on a new state directory both find it missing, and one makes it first: the
// other must take the directory that now exists, as mkdir -p does, and still
// refuse a file in the way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, onTestFinished, test, vi } from 'vitest';
import { makeDirs } from '../../../src/make-dirs.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-make-dirs-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a directory another process made after the check is taken, not refused', () => {
  const root = scratch();
  const target = path.join(root, 'tree', '.runner');
  const realExists = fs.existsSync;
  // The check sees the state of the moment before the other runner's mkdir: both levels missing.
  vi.spyOn(fs, 'existsSync').mockImplementation((p) => {
    const missing = p === target || p === path.dirname(target);
    if (missing) fs.mkdirSync(p as string, { recursive: true }); // the other runner, just after the check
    return missing ? false : realExists(p);
  });
  expect(() => makeDirs(target)).not.toThrow();
  expect(fs.statSync(target).isDirectory()).toBe(true);
});

test('a file in the way is still an error, whoever put it there', () => {
  const root = scratch();
  const target = path.join(root, '.runner');
  fs.writeFileSync(target, 'not a directory');
  expect(() => makeDirs(target)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  const realExists = fs.existsSync;
  vi.spyOn(fs, 'existsSync').mockImplementation((p) => (p === target ? false : realExists(p)));
  expect(() => makeDirs(target)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
});

test('parents are made one level at a time', () => {
  const root = scratch();
  const target = path.join(root, 'a', 'b', 'c');
  makeDirs(target);
  expect(fs.statSync(target).isDirectory()).toBe(true);
});
