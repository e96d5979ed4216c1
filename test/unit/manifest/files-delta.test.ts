// The files snapshot saved as its changes (issue 17 point 3): a save writes
// only the entries changed since the list was last written whole, and a
// fresh load (base and delta replayed) reads exactly the table a whole save
// would have stored, order included; a failed scan's changes are undone
// without a copy of the map.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFiles } from '../../../src/manifest/codec.js';
import { type FileEntry, FileTable, Manifest, type ScanUpdate } from '../../../src/manifest/index.js';
import type { Digest, RelPath } from '../../../src/types.js';
import { scanUpdate } from '../../helpers/stored-files.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-files-delta-'));
  file = path.join(dir, 'manifest.db');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const hexOf = (n: number): Digest => n.toString(16).padStart(32, '0') as Digest;
const entry = (n: number): FileEntry => ({
  size: n,
  mtimeMs: 1000 + n,
  ctimeMs: 1000 + n,
  ino: n,
  digest: hexOf(n),
  changedAt: n,
  seen: 0,
});
const p = (i: number): RelPath => `dir${i % 7}/f${i}.txt` as RelPath;

/** A scan's update of the manifest's own table, as scan/ hands it over: changed and removed paths named. */
const updateOf = (m: Manifest, changed: RelPath[], removed: RelPath[]): ScanUpdate =>
  scanUpdate(m.files, m.dirs, changed, removed);

function deltaRows(): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM snapshot WHERE name LIKE 'files_delta/%'").pluck().get() as number;
  } finally {
    db.close();
  }
}

function snapshotRow(name: string): Buffer | undefined {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT data FROM snapshot WHERE name = ?').pluck().get(name) as Buffer | undefined;
  } finally {
    db.close();
  }
}

/** A deterministic stream of numbers (no Math.random: a failure replays). */
function numbers(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x;
  };
}

/** One random edit of the table (change, add, remove, add back), recorded in changed/removed as a scan would. */
function edit(t: FileTable, next: () => number, changed: RelPath[], removed: RelPath[], round: number): void {
  const path = p(next() % 60);
  if (t.has(path) && next() % 3 === 0) {
    t.delete(path);
    removed.push(path);
  } else {
    t.set(path, entry(round * 1000 + (next() % 1000)));
    changed.push(path);
  }
}

describe('issue 17: the files list saved as its changes', () => {
  it('one changed file leaves the whole list as stored and writes one entry beside it', () => {
    const m = Manifest.open(file);
    for (let i = 0; i < 50; i++) m.files.set(p(i), entry(i));
    m.adoptScan(updateOf(m, [...m.files.keys()], []));
    m.save(() => true);
    m.close();
    const whole = snapshotRow('files');
    expect(whole).toBeDefined();
    expect(deltaRows()).toBe(0);

    const again = Manifest.open(file);
    again.files.set(p(3), entry(3003));
    again.adoptScan(updateOf(again, [p(3)], []));
    again.save(() => true);
    const expected = encodeFiles(again.files);
    again.close();
    expect(snapshotRow('files')!.equals(whole!)).toBe(true);
    expect(deltaRows()).toBe(1);
    expect(snapshotRow('files_delta/1')!.length).toBeLessThan(200);

    const read = Manifest.open(file);
    expect(encodeFiles(read.files).equals(expected)).toBe(true);
    expect(read.files.get(p(3))?.digest).toBe(hexOf(3003));
    read.close();
  });

  it('after random edits over many saves, a fresh load reads what a whole save would store, order included', () => {
    const next = numbers(17);
    const m = Manifest.open(file);
    for (let i = 0; i < 40; i++) m.files.set(p(i), entry(i));
    m.adoptScan(updateOf(m, [...m.files.keys()], []));
    m.save(() => true);
    m.close();
    for (let round = 1; round <= 30; round++) {
      const open = Manifest.open(file);
      const changed: RelPath[] = [];
      const removed: RelPath[] = [];
      for (let k = next() % 5; k >= 0; k--) edit(open.files, next, changed, removed, round);
      open.adoptScan(updateOf(open, changed, removed));
      open.save(() => true);
      // What a whole save would store: the table as it stands, in its order.
      const whole = encodeFiles(open.files);
      open.close();
      const read = Manifest.open(file);
      expect(encodeFiles(read.files).equals(whole), `round ${round}`).toBe(true);
      read.close();
    }
    expect(deltaRows()).toBeGreaterThan(0);
  });

  it('many changes are folded into the whole list and the delta goes', () => {
    const m = Manifest.open(file);
    for (let i = 0; i < 10; i++) m.files.set(p(i), entry(i));
    m.adoptScan(updateOf(m, [...m.files.keys()], []));
    m.save(() => true);
    m.files.set(p(1), entry(5001));
    m.adoptScan(updateOf(m, [p(1)], []));
    m.save(() => true);
    expect(deltaRows()).toBeGreaterThan(0);
    const many: RelPath[] = [];
    for (let i = 100; i < 1200; i++) {
      m.files.set(`more/f${i}` as RelPath, entry(i));
      many.push(`more/f${i}` as RelPath);
    }
    m.adoptScan(updateOf(m, many, []));
    m.save(() => true);
    const whole = encodeFiles(m.files);
    m.close();
    expect(deltaRows()).toBe(0);
    expect(snapshotRow('files')!.equals(whole)).toBe(true);
  });
});

describe('issue 17: deltas folded when a run ends', () => {
  it('once many saves wrote deltas, flush writes the whole list and removes them; a fresh load reads the same', () => {
    const m = Manifest.open(file);
    for (let i = 0; i < 20; i++) m.files.set(p(i), entry(i));
    m.adoptScan(updateOf(m, [...m.files.keys()], []));
    m.save(() => true);
    m.flush();
    for (let k = 1; k <= 40; k++) {
      m.files.set(p(k % 20), entry(100 + k));
      m.adoptScan(updateOf(m, [p(k % 20)], []));
      m.save(() => true);
    }
    expect(deltaRows()).toBe(40);
    m.flush();
    const whole = encodeFiles(m.files);
    expect(deltaRows()).toBe(0);
    expect(snapshotRow('files')!.equals(whole)).toBe(true);
    m.files.set(p(3), entry(999));
    m.adoptScan(updateOf(m, [p(3)], []));
    m.save(() => true);
    const expected = encodeFiles(m.files);
    m.close();
    expect(deltaRows()).toBe(1);
    const read = Manifest.open(file);
    expect(encodeFiles(read.files).equals(expected)).toBe(true);
    read.close();
  });
});

describe('issue 17: a failed scan undone without a copy of the file map', () => {
  it('rollback puts back every changed, added and removed path, in the same order, and the changes to save', () => {
    const next = numbers(5);
    for (let trial = 0; trial < 20; trial++) {
      const t = FileTable.of(Array.from({ length: 30 }, (_, i) => [p(i), entry(i)] as const));
      t.markSaved();
      t.set(p(2), entry(902));
      const before = encodeFiles(t);
      const changesBefore = [...(t.changesSinceSave() ?? [])];
      const c = t.checkpoint();
      for (let k = next() % 8; k >= 0; k--) edit(t, next, [], [], trial + 1);
      t.rollback(c);
      expect(encodeFiles(t).equals(before), `trial ${trial}`).toBe(true);
      expect([...(t.changesSinceSave() ?? [])]).toEqual(changesBefore);
    }
  });
});

describe('issue 17: the whole list written in batches', () => {
  it('reads back every entry, in order, whatever the count against the batch size', () => {
    for (const n of [0, 1, 2047, 2048, 2049, 4096, 4097]) {
      const files = new Map<RelPath, FileEntry>();
      for (let i = 0; i < n; i++) files.set(`dir${i % 5}/é${i}.txt` as RelPath, entry(i));
      const table = FileTable.decode(encodeFiles(files));
      expect([...table], `${n} files`).toEqual([...files]);
      // From the packed table itself (rows read in place), the same bytes.
      table.set('late.txt' as RelPath, entry(n + 1));
      expect(encodeFiles(table).equals(encodeFiles(new Map(table))), `${n} files`).toBe(true);
    }
  });
});
