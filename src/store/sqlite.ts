// better-sqlite3, loaded when the first database opens: a command that never
// opens the store (`--help`) never loads its native addon, in dist/ or in the
// bundle, which hoists a package's static import to its top (scripts/bundle.mjs).
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

let loaded: typeof Database | null = null;

export function openSqlite(file: string): Database.Database {
  loaded ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return new loaded(file);
}
