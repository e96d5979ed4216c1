// src/deps/python-snapshot.ts: the kept python graph holds while every check
// does; a directory proved by its listing alone (read within its racy margin)
// is handed back with a stat identity once its times prove it, so later runs
// stat it rather than list it; a changed listing fails the graph.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import type { FileEntry } from '../../../src/manifest/index.js';
import { encodeResolved, treeKeyOf, validResolved } from '../../../src/deps/python-snapshot.js';
import { listKinds, listingIdentity, statIdentity } from '../../../src/deps/stat-identity.js';
import type { RelPath } from '../../../src/types.js';

const entry = (digest: string): FileEntry =>
  ({ size: 1, mtimeMs: 0, ctimeMs: 0, ino: 1, digest, changedAt: 0, seen: 0 }) as FileEntry;

function kept(checks: [string, string][]): { buf: Buffer; files: Map<RelPath, FileEntry> } {
  const files = new Map<RelPath, FileEntry>([['pkg/a.py' as RelPath, entry('d1')]]);
  const buf = encodeResolved(
    {
      key: 'k',
      tree: treeKeyOf(files),
      direct: new Map([['pkg/a.py' as RelPath, { files: [], external: [], unresolved: [] }]]),
      digests: new Map([['pkg/a.py' as RelPath, 'x']]),
      checks,
    },
    files,
  );
  return { buf, files };
}

test('a listing-only identity is settled into a stat identity once the times are old enough', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-pysnap-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'mod.py'), '');
  // Taken at the directory's own time: within its racy margin however slow the machine.
  const t0 = Math.max(fs.statSync(dir).mtimeMs, fs.statSync(dir).ctimeMs);
  const racy = listingIdentity(statIdentity(dir, t0), listKinds(dir));
  expect(racy.id).toMatch(/^L:/);
  const { buf, files } = kept([[dir, racy.id]]);

  // Read again at once: it holds, and the times still prove nothing: nothing to settle.
  const soon = validResolved(buf, 'k', files, t0);
  expect(soon?.settled).toBeUndefined();
  // As if read a minute later: it holds, and its identity is handed back as stat plus listing.
  const later = validResolved(buf, 'k', files, Date.now() + 60_000);
  expect(later).not.toBeNull();
  expect(later!.settled).toEqual([[dir, expect.stringMatching(/^d:.*\|[0-9a-f]{16}$/)]]);
  expect(later!.settled![0]![1].endsWith(racy.id.slice(2))).toBe(true);
  // Kept with the settled identity, the graph still holds.
  const again = kept([[dir, later!.settled![0]![1]]]);
  expect(validResolved(again.buf, 'k', again.files, Date.now() + 60_000)?.settled).toBeUndefined();

  // A new module in the directory fails the graph, whichever identity it was kept under.
  fs.writeFileSync(path.join(dir, 'new.py'), '');
  expect(validResolved(buf, 'k', files, Date.now() + 60_000)).toBeNull();
  expect(validResolved(again.buf, 'k', again.files, Date.now() + 60_000)).toBeNull();
});
