// Reads the manifest database directly (read-only), as outside evidence of what
// runner stored. Knows only the documented storage of file entries: a `files`
// table with a `path` column, or (schema 1 as built) a `snapshot` row named
// 'files' whose blob holds the tracked paths as UTF-8 text.
import Database from 'better-sqlite3';

export interface StoredFiles {
  has(relPath: string): boolean;
}

export function readStoredFiles(dbFile: string): StoredFiles {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (tables.includes('files')) {
      const paths = new Set(db.prepare('SELECT path FROM files').pluck().all() as string[]);
      return { has: (p) => paths.has(p) };
    }
    if (tables.includes('snapshot')) {
      const blob = db.prepare("SELECT data FROM snapshot WHERE name = 'files'").pluck().get() as Buffer | undefined;
      if (!blob) throw new Error(`${dbFile}: no 'files' snapshot row`);
      // Callers pass paths that are not substrings of one another.
      return { has: (p) => blob.includes(Buffer.from(p, 'utf8')) };
    }
    throw new Error(`${dbFile}: neither a files table nor a snapshot table (tables: ${tables.join(', ')})`);
  } finally {
    db.close();
  }
}

export function readSchemaVersion(dbFile: string): unknown {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT version FROM schema_version').pluck().get();
  } finally {
    db.close();
  }
}
