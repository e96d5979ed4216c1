// Where runner's own package is installed (package.json, bin/, src/deps/
// python-imports.py): the first directory above this module that holds a
// package.json. Found by walking up, because this code runs from dist/ and
// from the bundle (dist/bundle/runner.cjs), which sit at different depths.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** An absolute path inside runner's package, from its path relative to the package's root. */
export function packageFile(rel: string): string {
  if (root === null) {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!fs.existsSync(path.join(dir, 'package.json'))) {
      const up = path.dirname(dir);
      if (up === dir) throw new Error(`runner's package.json is not above ${fileURLToPath(import.meta.url)}`);
      dir = up;
    }
    root = dir;
  }
  return path.join(root, rel);
}
