// The key a kept python graph is checked against (treeKeyOf): each tracked
// path and its digest, in the table's order. The manifest's table hands the
// digests over in place; the key is the one its entries give.
import { describe, expect, it } from 'vitest';
import { treeKeyOf } from '../../../src/deps/python-snapshot.js';
import { type FileEntry, FileTable } from '../../../src/manifest/index.js';
import type { Digest, RelPath } from '../../../src/types.js';

const entry = (i: number, digest: string): FileEntry => ({
  size: i,
  mtimeMs: 1,
  ctimeMs: 1,
  ino: i,
  digest: digest as Digest,
  changedAt: 1,
  seen: 0,
});

describe('treeKeyOf', () => {
  const rows: [RelPath, FileEntry][] = ['b.py', 'a.py', 'pkg/c.py'].map((p, i) => [
    p as RelPath,
    entry(i, `${i}`.repeat(32)),
  ]);

  it("issue 10: the manifest's table and a map of the same entries give the same key", () => {
    expect(treeKeyOf(FileTable.of(rows))).toBe(treeKeyOf(new Map(rows)));
  });

  it('a digest, a path or the order changed changes it', () => {
    const key = treeKeyOf(FileTable.of(rows));
    const other = rows.map(([p, e], i): [RelPath, FileEntry] => [p, i === 1 ? entry(1, 'f'.repeat(32)) : e]);
    expect(treeKeyOf(FileTable.of(other))).not.toBe(key);
    expect(treeKeyOf(FileTable.of([...rows].reverse()))).not.toBe(key);
    expect(treeKeyOf(FileTable.of(rows.slice(1)))).not.toBe(key);
  });
});
