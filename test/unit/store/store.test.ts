import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { Manifest } from '../../../src/manifest/index.js';
import { CURRENT_SCHEMA_VERSION } from '../../../src/store/index.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-store-'));
  file = path.join(dir, 'manifest.db');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function openError(): StoreError {
  try {
    Manifest.open(file).close();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error('expected the store to be refused');
}

describe('store', () => {
  it('creates a fresh database at the current schema version, in WAL mode', () => {
    Manifest.open(file).close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_version').pluck().get()).toBe(CURRENT_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a database written by a newer runner and leaves it as it was', () => {
    Manifest.open(file).close();
    const db = new Database(file);
    db.prepare('UPDATE schema_version SET version = ?').run(CURRENT_SCHEMA_VERSION + 1);
    db.close();
    const before = fs.readFileSync(file);
    const err = openError();
    expect(err.fields.problem).toBe('newer-version');
    expect(err.message).toContain('runner clean');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file that is not a database and does not rebuild over it', () => {
    fs.writeFileSync(file, 'this is not sqlite, it is a text file long enough to have a header'.repeat(20));
    const before = fs.readFileSync(file);
    const err = openError();
    expect(err.fields.problem).toBe('corrupt');
    expect(err.message).toMatch(/runner clean/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a sqlite database that is someone else\'s', () => {
    const db = new Database(file);
    db.exec('CREATE TABLE customers (id INTEGER)');
    db.close();
    expect(openError().message).toContain('is not a runner database (it holds tables customers)');
  });
});

describe('store at the current version', () => {
  it('refuses a database that claims the current version but lacks its tables', () => {
    const db = new Database(file);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); CREATE TABLE files (path TEXT)');
    db.prepare('INSERT INTO schema_version VALUES (?)').run(CURRENT_SCHEMA_VERSION);
    db.close();
    expect(openError().message).toContain('lacks tables meta, snapshot, latches, result_journal');
  });
});
