// Creates a directory and its missing parents, one level at a time: Node's
// recursive mkdirSync never returns under /proc (mkdir there fails ENOENT
// while the parent exists, and it retries for ever), so `--merged-log
// /proc/x/y` spun at 100% CPU (issue 12). Every step here runs once.
import fs from 'node:fs';
import path from 'node:path';

export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d) && path.dirname(d) !== d; d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      // Another runner made it between the check and here (two runs started together on a new state directory).
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  // As mkdir -p: a file in the way is an error, not a directory that exists.
  if (!fs.statSync(dir).isDirectory())
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
}
