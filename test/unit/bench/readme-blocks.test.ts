// bench/readme.mjs: what a bench run writes into README.md goes between its
// section's markers and nowhere else; a README without them is not touched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
// @ts-expect-error -- a plain ES module of the bench, without types
import { replaceBlock, writeReadme } from '../../../bench/readme.mjs';

const replace = replaceBlock as (text: string, name: string, heading: string, body: string) => string | null;
const write = writeReadme as (file: string, blocks: [string, string][], heading: string) => string[];

const README = [
  '# Title',
  '<!-- bench:tree -->',
  'old tree',
  '<!-- /bench:tree -->',
  'between',
  '<!-- bench:batch -->',
  'old batch',
  '<!-- /bench:batch -->',
  'end',
].join('\n');

test('a block is replaced between its own markers, the rest of the text kept byte for byte', () => {
  const out = replace(README, 'batch', 'Written on a day:', 'line 1\nline 2\n\n');
  expect(out).toBe(README.replace('old batch', 'Written on a day:\n\n```text\nline 1\nline 2\n```'));
  // Written again, it replaces what it wrote: the same text for the same output.
  expect(replace(out!, 'batch', 'Written on a day:', 'line 1\nline 2\n\n')).toBe(out);
});

test('an output holding a fence gets another fence; missing, repeated or reversed markers write nothing', () => {
  expect(replace(README, 'tree', 'H', 'a ``` b')).toContain('~~~~text\na ``` b\n~~~~');
  expect(replace(README, 'watch', 'H', 'x')).toBeNull();
  expect(replace(README + '\n<!-- bench:tree -->', 'tree', 'H', 'x')).toBeNull();
  expect(replace('<!-- /bench:tree -->\n<!-- bench:tree -->', 'tree', 'H', 'x')).toBeNull();
});

test('writeReadme writes the blocks it has markers for and names the others', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-readme-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'README.md');
  fs.writeFileSync(file, README);
  expect(
    write(
      file,
      [
        ['tree', 'T'],
        ['watch', 'W'],
      ],
      'H',
    ),
  ).toEqual(['watch']);
  expect(fs.readFileSync(file, 'utf8')).toBe(README.replace('old tree', 'H\n\n```text\nT\n```'));
  fs.writeFileSync(file, 'no markers');
  const before = fs.statSync(file).mtimeMs;
  expect(write(file, [['tree', 'T']], 'H')).toEqual(['tree']);
  expect(fs.readFileSync(file, 'utf8')).toBe('no markers');
  expect(fs.statSync(file).mtimeMs).toBe(before);
});
