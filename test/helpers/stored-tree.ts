// What two copies of a tree compare after the same edits: the files and
// directory listings a scan stored (tests of the scan's shortcuts against the
// walk), and a seeded generator so a failing sequence of edits can be replayed.
import path from 'node:path';
import { Manifest } from '../../src/manifest/index.js';
import type { Sandbox } from './sandbox.js';

/** The manifest's files (digest and size) and directory listings, as the scan stored them. */
export function storedTree(sb: Sandbox): { files: Record<string, string>; dirs: Record<string, string> } {
  const m = Manifest.open(path.join(sb.tree, '.runner', 'manifest.db'));
  try {
    const files: Record<string, string> = {};
    // The config names each copy's own probe directory.
    for (const [p, e] of [...m.files].sort(([a], [b]) => a.localeCompare(b)))
      if (p !== '.runnerrc.json') files[p] = `${e.digest} ${e.size}`;
    const dirs: Record<string, string> = {};
    for (const [p, l] of [...m.dirs].sort(([a], [b]) => a.localeCompare(b)))
      dirs[p] = `${[...l.files].sort().join(',')} | ${[...l.subdirs].sort().join(',')}`;
    return { files, dirs };
  } finally {
    m.close();
  }
}

/** A small seeded generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
