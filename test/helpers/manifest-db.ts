// Reads the manifest database directly (read-only), as outside evidence of what
// runner stored. Knows only the documented storage of file entries: a `files`
// table with a `path` column, or (schema 1 as built) a `snapshot` row named
// 'files' whose blob holds the tracked paths as UTF-8 text, and (schema 4)
// 'files_delta/N' rows, one per save since, naming the paths it changed: a
// path whose last operation is 'removed' (2, the sixth number of its entry) is gone.
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
      const deltas = db.prepare("SELECT name, data FROM snapshot WHERE name LIKE 'files_delta/%'").raw().all() as [
        string,
        Buffer,
      ][];
      const changed = new Map<string, number>();
      const seq = (name: string): number => Number(name.slice('files_delta/'.length));
      for (const [, data] of deltas.sort((a, b) => seq(a[0]) - seq(b[0])))
        for (const [p, op] of deltaOps(data)) changed.set(p, op);
      // Callers pass paths that are not substrings of one another.
      return { has: (p) => (changed.has(p) ? changed.get(p) !== 2 : blob.includes(Buffer.from(p, 'utf8'))) };
    }
    throw new Error(`${dbFile}: neither a files table nor a snapshot table (tables: ${tables.join(', ')})`);
  } finally {
    db.close();
  }
}

/** Path to operation of a files_delta blob: count, 6 numbers per entry (float64), text length, '\0'-joined paths. */
function deltaOps(buf: Buffer): Map<string, number> {
  const count = buf.readUInt32LE(0);
  const per = buf.readUInt32LE(4);
  const textAt = 8 + count * per * 8;
  const paths = buf.toString('utf8', textAt + 4, textAt + 4 + buf.readUInt32LE(textAt)).split('\0');
  const ops = new Map<string, number>();
  for (let i = 0; i < count; i++) ops.set(paths[i]!, buf.readDoubleLE(8 + (i * per + per - 1) * 8));
  return ops;
}

export function readSchemaVersion(dbFile: string): unknown {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT version FROM schema_version').pluck().get();
  } finally {
    db.close();
  }
}
