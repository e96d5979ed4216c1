// Snapshots other stages keep in the manifest (the deps stage's import caches,
// MBs at 10,000 files): one larger than 64 KB is not read with the rest when
// the manifest loads, but when it is first asked for; what is set is written
// and read back the same either way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Manifest } from '../../../src/manifest/index.js';
import { Store } from '../../../src/store/index.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-blobs-'));
  file = path.join(dir, 'manifest.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const big = Buffer.alloc(100_000, 7);

function keep(blobs: Record<string, Buffer>): void {
  const m = Manifest.open(file);
  for (const [name, data] of Object.entries(blobs)) m.setBlob(name, data);
  m.save(() => true);
  m.close();
}

describe("another stage's snapshots", () => {
  it('issue 10: one over 64 KB is read when first asked for, after the load: a store changed meanwhile is refused', () => {
    keep({ 'imports.big': big, 'imports.small': Buffer.from('small') });
    const m = Manifest.open(file);
    try {
      // Another writer after the load: what the load read stands, what it left for later cannot be read now.
      const db = new Database(file);
      db.prepare('UPDATE snapshot SET data = ? WHERE name = ?').run(Buffer.from('other'), 'imports.small');
      db.close();
      expect(m.blob('imports.small')?.toString()).toBe('small');
      expect(() => m.blob('imports.big')).toThrow(/changed since it was loaded/);
    } finally {
      m.close();
    }
  });

  it('issue 10: read later, set without being read, and absent, each comes back as written', () => {
    keep({ 'imports.big': big, 'imports.other': Buffer.alloc(70_000, 1) });
    const m = Manifest.open(file);
    expect(m.blob('imports.big')?.equals(big)).toBe(true);
    m.setBlob('imports.other', Buffer.from('replaced')); // never read: its new bytes are what is written
    expect(m.blob('imports.none')).toBeUndefined();
    m.save(() => true);
    m.close();
    const again = Manifest.open(file);
    try {
      expect(again.blob('imports.big')?.equals(big)).toBe(true);
      expect(again.blob('imports.other')?.toString()).toBe('replaced');
    } finally {
      again.close();
    }
  });

  it('the store reads by name and size which to leave, and reads each snapshot whole by its name later', () => {
    keep({ 'imports.big': big, 'imports.small': Buffer.from('small') });
    const store = Store.open(file);
    try {
      const state = store.read((name, bytes) => name.startsWith('imports.') && bytes > 64 * 1024);
      expect([...state.later]).toEqual(['imports.big']);
      expect(state.snapshots.has('imports.big')).toBe(false);
      expect(state.snapshots.get('imports.small')?.toString()).toBe('small');
      expect(store.snapshot('imports.big')?.equals(big)).toBe(true);
      expect(store.snapshot('imports.none')).toBeUndefined();
      expect(store.read().snapshots.get('imports.big')?.equals(big)).toBe(true);
    } finally {
      store.close();
    }
  });
});
