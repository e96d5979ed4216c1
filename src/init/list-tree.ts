// Lists the source tree for `runner init`: the files it may write tools for,
// leaving out what a config never tracks (node_modules, .git, caches, the
// state directory, hidden directories) and Python virtual environments.
import fs from 'node:fs';
import path from 'node:path';

/** Names never entered: what DEFAULT_EXCLUDE and the state directory leave out, and caches of tools. */
const SKIPPED = new Set(['node_modules', '__pycache__']);
/** Enough to see what a tree holds; a bigger tree is judged by its first files. */
export const MAX_LISTED = 100_000;

export interface Listed {
  files: string[];
  venvs: string[];
}

export function listTree(root: string): Listed {
  const files: string[] = [];
  const venvs: string[] = [];
  const pending = [''];
  while (pending.length > 0 && files.length < MAX_LISTED) {
    const rel = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      continue; // unreadable: the run will say so, the starter does without it
    }
    if (rel !== '' && entries.some((e) => e.name === 'pyvenv.cfg' && e.isFile())) {
      venvs.push(rel);
      continue;
    }
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      // Hidden directories (.git, .runner, .venv, .tox, editor folders) hold no source a starter checks.
      if (e.isDirectory()) {
        if (SKIPPED.has(e.name)) continue;
        if (!e.name.startsWith('.')) pending.push(child);
        // A hidden venv (.venv) is not listed, but runner's walk would enter it: the starter excludes it.
        else if (fs.existsSync(path.join(root, child, 'pyvenv.cfg'))) venvs.push(child);
      } else if (e.isFile()) files.push(child);
    }
  }
  return { files: files.sort(), venvs: venvs.sort() };
}
