// How a file runner does not track is identified in a dependency digest
// (issue 16): by content, so another machine's copy of the same bytes gives
// the same key; never by reading what could block.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgramIds } from '../../../src/config/index.js';
import { externalIdentity } from '../../../src/deps/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'external-identity-'));
  dirs.push(d);
  return d;
}

describe('issue 16: a file outside the tracked set is identified by content', () => {
  it('gives copies of the same bytes with other mtimes one identity, and other bytes another', () => {
    const d = tempDir();
    for (const name of ['a.json', 'b.json']) fs.writeFileSync(path.join(d, name), '{ "x": 1 }\n');
    fs.writeFileSync(path.join(d, 'c.json'), '{ "x": 2 }\n');
    fs.utimesSync(path.join(d, 'b.json'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    const id = externalIdentity(new ProgramIds());
    expect(id(path.join(d, 'b.json'))).toBe(id(path.join(d, 'a.json')));
    expect(id(path.join(d, 'c.json'))).not.toBe(id(path.join(d, 'a.json')));
    expect(id(path.join(d, 'gone.json'))).toBe('missing');
  });

  it('never reads a fifo a dependency names (a read could wait for ever)', () => {
    const fifo = path.join(tempDir(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(externalIdentity(new ProgramIds())(fifo)).toMatch(/^unreadable 0:/);
  });
});
