// Reading a failed batch process's log for the files its failure pattern
// names (issue 14): how names are taken, and what a log of any size costs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { findNamedFiles } from '../../../src/api/failure-pattern.js';

const PATTERN = '^(?<file>[^:]+):\\d+: error';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function logOf(text: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-pattern-'));
  dirs.push(dir);
  const file = path.join(dir, 'log');
  fs.writeFileSync(file, text);
  return file;
}

const FILES = new Set(['pkg/a.py', 'pkg/b.py', 'pkg/c d.py']);
const named = (text: string | Buffer, roots: string[] = ['/src']): Record<string, string[]> =>
  Object.fromEntries(
    [...findNamedFiles(logOf(text), PATTERN, FILES, roots)].map(([f, l]) => [f, [...l.lines, `+${l.more}`]]),
  );

test.each([
  ['a name as given', 'pkg/a.py:1: error: x\n', { 'pkg/a.py': ['pkg/a.py:1: error: x', '+0'] }],
  ['a leading ./', './pkg/b.py:3: error: y\n', { 'pkg/b.py': ['./pkg/b.py:3: error: y', '+0'] }],
  ['an absolute path under the root', '/src/pkg/a.py:1: error\n', { 'pkg/a.py': ['/src/pkg/a.py:1: error', '+0'] }],
  ['an absolute path elsewhere', '/other/pkg/a.py:1: error\n', {}],
  ['a path outside the tree', '../pkg/a.py:1: error\n', {}],
  ['a file not in the process', 'pkg/z.py:1: error\n', {}],
  ['a space in the name', 'pkg/c d.py:2: error\n', { 'pkg/c d.py': ['pkg/c d.py:2: error', '+0'] }],
  ['CRLF and colours', '\x1b[31mpkg/a.py\x1b[0m:1: error\r\n', { 'pkg/a.py': ['pkg/a.py:1: error', '+0'] }],
  ['no final newline', 'ok\npkg/b.py:9: error', { 'pkg/b.py': ['pkg/b.py:9: error', '+0'] }],
  ['a line that names nothing', 'pkg/a.py: warning\n', {}],
])('issue 14: %s', (_, text, expected) => {
  expect(named(text)).toEqual(expected);
});

test('issue 14: every line naming a file is kept in order, up to 100; the rest are counted', () => {
  const lines = Array.from({ length: 150 }, (_, i) => `pkg/a.py:${i + 1}: error`);
  const found = named(lines.join('\n') + '\npkg/b.py:1: error\n');
  expect(found['pkg/a.py']).toEqual([...lines.slice(0, 100), '+50']);
  expect(found['pkg/b.py']).toEqual(['pkg/b.py:1: error', '+0']);
});

test('issue 14: a line longer than 64 KiB is matched on its start; the lines after it still count', () => {
  const long = 'pkg/a.py:1: error ' + 'x'.repeat(300 * 1024);
  const found = findNamedFiles(logOf(`${long}\npkg/b.py:2: error\n`), PATTERN, FILES, ['/src']);
  expect(found.get('pkg/a.py')?.lines[0]?.length).toBeLessThanOrEqual(64 * 1024);
  expect(found.get('pkg/b.py')?.lines).toEqual(['pkg/b.py:2: error']);
});

test('issue 14: a name split across two read blocks is read whole', () => {
  const pad = 'y'.repeat(64 * 1024 - 5) + '\n';
  expect(named(pad + 'pkg/a.py:1: error\n')).toEqual({ 'pkg/a.py': ['pkg/a.py:1: error', '+0'] });
});

test('issue 14: a missing log names no file', () => {
  expect(findNamedFiles('/nonexistent/runner/log', PATTERN, FILES, ['/src']).size).toBe(0);
});
