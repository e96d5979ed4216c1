// better-sqlite3, loaded when the first database opens: a command that never
// opens the store (`--help`) never loads its native addon, in dist/ or in the
// bundle. The bundle holds the package's JavaScript (scripts/bundle.mjs) and
// hands the addon's file to it, which spares Node's loader and the package's
// search for its addon (about 5 ms of every run); that only while the
// installed package is the version bundled, since the two must match.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Database from 'better-sqlite3';

/** The version of better-sqlite3 whose JavaScript the bundle holds; not defined outside the bundle. */
declare const RUNNER_BUNDLED_SQLITE: string | undefined;

interface Sqlite {
  Database: typeof Database;
  options: Database.Options;
}

let loaded: Sqlite | null = null;

export function openSqlite(file: string): Database.Database {
  loaded ??= loadSqlite();
  return new loaded.Database(file, loaded.options);
}

function loadSqlite(): Sqlite {
  const installed = createRequire(import.meta.url);
  if (typeof RUNNER_BUNDLED_SQLITE === 'string') {
    const addon = bundledAddon(installed, RUNNER_BUNDLED_SQLITE);
    // In the bundle this is the bundled JavaScript (scripts/bundle.mjs rewrites this very call).
    if (addon !== null)
      return {
        Database: createRequire(import.meta.url)('better-sqlite3') as typeof Database,
        options: { nativeBinding: addon },
      };
  }
  return { Database: installed('better-sqlite3') as typeof Database, options: {} };
}

/** The installed package's built addon when the package is the version bundled; else null. */
function bundledAddon(installed: NodeJS.Require, version: string): string | null {
  try {
    const manifest = installed.resolve('better-sqlite3/package.json');
    if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: unknown }).version !== version) return null;
    const addon = path.join(path.dirname(manifest), 'build', 'Release', 'better_sqlite3.node');
    return fs.existsSync(addon) ? addon : null;
  } catch {
    return null; // not found where dist/ looks: the plain load says why
  }
}
