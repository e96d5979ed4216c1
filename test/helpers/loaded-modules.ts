// Runs the real CLI and says what it loaded: the packages (by name) and
// runner's own files (relative to the repository: bin/runner, the bundle
// dist/bundle/runner.cjs), for tests that keep a command from loading what it
// does not need (issue 15).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunResult, baseEnv, runRunner } from './cli.js';
import { REPO } from './sandbox.js';

const PRELOAD = fileURLToPath(new URL('./loaded-modules.mjs', import.meta.url));

export interface Loaded {
  res: RunResult;
  /** Package names, e.g. 'commander', '@babel/parser'. */
  packages: Set<string>;
  /** runner's own files, e.g. 'bin/runner', 'dist/bundle/runner.cjs'. */
  own: Set<string>;
  /** Each file of a package, from its package's directory on: 'better-sqlite3/lib/database.js'. */
  packageFiles: Set<string>;
}

/**
 * Runs `runner ARGS` in `cwd` with the module lister preloaded; `scratch` holds the list (outside the tree);
 * `bin`: another bin/runner than the repository's.
 */
export async function loadedBy(args: string[], cwd: string, scratch: string, bin?: string): Promise<Loaded> {
  const list = path.join(scratch, `loaded-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  fs.writeFileSync(list, '');
  const res = await runRunner(args, {
    cwd,
    env: baseEnv({ RUNNER_TEST_LOADED: list }),
    nodeArgs: ['--import', PRELOAD],
    ...(bin === undefined ? {} : { bin }),
  });
  const packages = new Set<string>();
  const own = new Set<string>();
  const packageFiles = new Set<string>();
  const repo = fs.realpathSync(REPO) + path.sep;
  for (const line of fs.readFileSync(list, 'utf8').split('\n')) {
    if (line === '') continue;
    const file = line.startsWith('file:') ? fileURLToPath(line) : line;
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (pkg !== null) packages.add(pkg[1]!);
    if (pkg !== null) packageFiles.add(file.slice(file.lastIndexOf('/node_modules/') + '/node_modules/'.length));
    else if (file.startsWith(repo)) own.add(file.slice(repo.length));
  }
  return { res, packages, own, packageFiles };
}
