// The files snapshot read lazily (issue 17 point 1): a file's stat is compared
// with its packed row in place, and only what changed gets an entry.
import { describe, expect, it } from 'vitest';
import { encodeFiles } from '../../../src/manifest/codec.js';
import { type FileEntry, FileTable } from '../../../src/manifest/index.js';
import type { Digest, RelPath } from '../../../src/types.js';

const hex = (c: string): Digest => c.repeat(32) as Digest;
const SCAN = 7;
/** Entries older than this are not racy. */
const RACY_LIMIT = 10_000;

function entry(size: number, mtimeMs: number, digest: Digest): FileEntry {
  return { size, mtimeMs, ctimeMs: mtimeMs, ino: size + 100, digest, changedAt: 5, seen: 0 };
}

/** A table read back from a snapshot of a.txt and dir/b.txt, as the manifest loads it. */
function stored(): FileTable {
  const files = new Map<RelPath, FileEntry>([
    ['a.txt' as RelPath, entry(3, 1000, hex('a'))],
    ['dir/b.txt' as RelPath, entry(4, 2000, hex('b'))],
  ]);
  return FileTable.decode(encodeFiles(files));
}

describe('issue 17: the lazy files snapshot', () => {
  it('reads back every entry as it was written, by path and in order', () => {
    const t = stored();
    expect(t.size).toBe(2);
    expect([...t.keys()]).toEqual(['a.txt', 'dir/b.txt']);
    expect(t.get('dir/b.txt' as RelPath)).toEqual(entry(4, 2000, hex('b')));
    expect(t.hasDigest('a.txt' as RelPath, hex('a'))).toBe(true);
    expect(t.hasDigest('a.txt' as RelPath, hex('b'))).toBe(false);
  });

  it('an unchanged, settled stat keeps the stored digest and marks the file seen', () => {
    const t = stored();
    expect(t.visitStat('a.txt' as RelPath, 3, 1000, 1000, 103, SCAN, RACY_LIMIT)).toBe('unchanged');
    expect(t.wasSeen('a.txt' as RelPath, SCAN)).toBe(true);
    expect(t.get('a.txt' as RelPath)?.seen).toBe(SCAN);
    expect(t.unseen(SCAN)).toEqual(['dir/b.txt']);
    // Listed twice in one scan (a whitelist naming it twice): seen once.
    expect(t.visitStat('a.txt' as RelPath, 3, 1000, 1000, 103, SCAN, RACY_LIMIT)).toBe('seen-twice');
  });

  it('a changed stat asks for the content, and the file is not seen until its new entry is set', () => {
    const t = stored();
    expect(t.visitStat('a.txt' as RelPath, 5, 1000, 1000, 103, SCAN, RACY_LIMIT)).toBe('changed');
    expect(t.wasSeen('a.txt' as RelPath, SCAN)).toBe(false);
    t.set('a.txt' as RelPath, { ...entry(5, 3000, hex('c')), seen: SCAN });
    expect(t.get('a.txt' as RelPath)?.digest).toBe(hex('c'));
    expect(t.wasSeen('a.txt' as RelPath, SCAN)).toBe(true);
  });

  it('a same-size rewrite (another mtime, same size) asks for the content', () => {
    const t = stored();
    expect(t.visitStat('dir/b.txt' as RelPath, 4, 2001, 2001, 104, SCAN, RACY_LIMIT)).toBe('changed');
    // Same size and mtime but another inode (replaced by a rename): changed too.
    expect(t.visitStat('dir/b.txt' as RelPath, 4, 2000, 2000, 999, SCAN, RACY_LIMIT)).toBe('changed');
  });

  it('a racy entry (stat as stored, but written too close to the last scan) is read again, not seen', () => {
    const t = stored();
    expect(t.visitStat('dir/b.txt' as RelPath, 4, 2000, 2000, 104, SCAN, 2000)).toBe('racy');
    expect(t.wasSeen('dir/b.txt' as RelPath, SCAN)).toBe(false);
  });

  it('a new file has no row; a deleted one is left unseen, and deleting it leaves the others', () => {
    const t = stored();
    expect(t.visitStat('new.txt' as RelPath, 1, 1, 1, 1, SCAN, RACY_LIMIT)).toBe('new');
    expect(t.visitStat('a.txt' as RelPath, 3, 1000, 1000, 103, SCAN, RACY_LIMIT)).toBe('unchanged');
    expect(t.unseen(SCAN)).toEqual(['dir/b.txt']);
    expect(t.delete('dir/b.txt' as RelPath)).toBe(true);
    expect(t.has('dir/b.txt' as RelPath)).toBe(false);
    expect(t.get('a.txt' as RelPath)?.digest).toBe(hex('a'));
  });

  it('issue 17: gives every file with its digest in order, packed rows and entries set since alike', () => {
    const t = stored();
    t.set('dir/b.txt' as RelPath, entry(5, 3000, hex('c'))); // changed: an entry now, in its place
    t.set('new.txt' as RelPath, entry(1, 4000, hex('d')));
    const seen: [string, string][] = [];
    t.forEachDigest((path, digest) => seen.push([path, digest]));
    expect(seen).toEqual([
      ['a.txt', hex('a')],
      ['dir/b.txt', hex('c')],
      ['new.txt', hex('d')],
    ]);
    expect(seen.map(([p]) => t.digestOf(p as RelPath))).toEqual(seen.map(([, d]) => d));
  });

  it('a checkpoint copy keeps its files when the table changes after it', () => {
    const t = stored();
    const before = t.copy();
    t.delete('a.txt' as RelPath);
    t.set('n.txt' as RelPath, entry(1, 1, hex('d')));
    expect([...before.keys()]).toEqual(['a.txt', 'dir/b.txt']);
    expect([...t.keys()]).toEqual(['dir/b.txt', 'n.txt']);
  });

  it('written again from a table, the snapshot holds what the table holds', () => {
    const t = stored();
    t.set('a.txt' as RelPath, entry(9, 9000, hex('e')));
    const again = FileTable.decode(encodeFiles(t));
    expect([...again]).toEqual([...t]);
    expect(again.get('a.txt' as RelPath)).toEqual(entry(9, 9000, hex('e')));
  });
});
