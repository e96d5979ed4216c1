// The python import cache kept in the manifest: what one interpreter under one
// environment made of the tree (its search path and library directories), and
// per file the imports read from it: tracked files by digest, followed files
// (outside the tracked set) by stat identity. A codec and nothing else.
import type { RelPath } from '../types.js';
import type { PythonFileImports } from './python.js';

/** What the import cache keeps of a followed file, valid while its stat identity is unchanged. */
export interface FollowedFile {
  /** size:mtimeNs:ctimeNs:inode when it was read; '' when that stat was racy (read again next time). */
  stat: string;
  /** Content digest of what was read; null when it could not be read. */
  digest: string | null;
  found: PythonFileImports;
}

/**
 * Valid only for that interpreter and environment (a parse depends on the
 * Python version, the search path on PYTHONPATH), so a new key discards it.
 */
export interface ImportCache {
  key: string;
  sysPath: string[];
  extensionSuffixes: string[];
  builtins: string[];
  /** The standard library's directories: its files are leaves, covered by the interpreter. */
  stdlib: string[];
  /** site-packages directories: followed even below the standard library. */
  siteDirs: string[];
  /** [path, statIdentity id] of the site directories and .pth files sys.path was built from. */
  siteFiles: [string, string][];
  files: Map<RelPath, { digest: string; found: PythonFileImports }>;
  /** Files outside the tracked set that imports reach, by absolute path. */
  followed: Map<string, FollowedFile>;
}

type Encoded = Omit<ImportCache, 'files' | 'followed'> & {
  files: [RelPath, { digest: string; found: PythonFileImports }][];
  followed?: [string, FollowedFile][];
};

export function decodeImportCache(buf: Buffer | undefined): ImportCache | null {
  if (buf === undefined || buf.length === 0) return null;
  const raw = JSON.parse(buf.toString('utf8')) as Encoded;
  // A cache from before files outside the tracked set were followed lacks what following needs: start over.
  if (!Array.isArray(raw.stdlib) || !Array.isArray(raw.siteFiles) || raw.followed === undefined) return null;
  return { ...raw, files: new Map(raw.files), followed: new Map(raw.followed) };
}

export function encodeImportCache(cache: ImportCache): Buffer {
  return Buffer.from(JSON.stringify({ ...cache, files: [...cache.files], followed: [...cache.followed] }), 'utf8');
}
