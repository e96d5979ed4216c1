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

  it("refuses a sqlite database that is someone else's", () => {
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

describe('migrations', () => {
  it('brings a schema 1 database to the current version and keeps its results', async () => {
    const { MIGRATIONS } = await import('../../../src/store/migrations/index.js');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    MIGRATIONS.find((m) => m.version === 1)!.up(db);
    db.prepare('INSERT INTO schema_version VALUES (1)').run();
    // A schema 1 results snapshot: 5 numbers, 3 texts and 3 digests per result.
    const numbers = new Float64Array([0, 0, 2, 12.5, 1700000000000]);
    const text = Buffer.from(['lint', 'a.py', ''].join('\0'));
    const hex = Buffer.from('11'.repeat(16) + '22'.repeat(16) + '33'.repeat(16), 'hex');
    const head = Buffer.alloc(8);
    head.writeUInt32LE(1, 0);
    head.writeUInt32LE(5, 4);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(text.length, 0);
    db.prepare("INSERT INTO snapshot VALUES ('results', ?)").run(
      Buffer.concat([head, Buffer.from(numbers.buffer), len, text, hex]),
    );
    db.prepare(
      "INSERT INTO result_journal (tool, path, fingerprint, latch, digest, status, exit_code, signal, timed_out, duration_ms, has_log, finished_at) VALUES ('lint', 'b.py', ?, ?, ?, 'failed', 1, NULL, 0, 3, 0, 1700000000001)",
    ).run('44'.repeat(16), '22'.repeat(16), '55'.repeat(16));
    db.close();

    const m = Manifest.open(file);
    expect(m.history('lint', 'a.py' as never)).toMatchObject([
      { status: 'passed', hasLog: true, durationMs: 12.5, depsDigest: '', deps: '', fingerprint: '11'.repeat(16) },
    ]);
    expect(m.history('lint', 'b.py' as never)).toMatchObject([
      { status: 'failed', end: { kind: 'exit', code: 1 }, depsDigest: '', deps: '' },
    ]);
    // Schema 3: a result from before it was last used when it finished; its log size is unknown (0).
    expect(m.history('lint', 'a.py' as never)).toMatchObject([{ usedAt: 1700000000000, logBytes: 0 }]);
    expect(m.history('lint', 'b.py' as never)).toMatchObject([{ usedAt: 1700000000001, logBytes: 0 }]);
    m.close();
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT version FROM schema_version').pluck().get()).toBe(CURRENT_SCHEMA_VERSION);
    expect(after.prepare('SELECT deps_digest FROM result_journal').pluck().all()).toEqual(['']);
    after.close();
  });
});
