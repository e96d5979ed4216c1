// npm's `install` for runner itself: compiles native/spawn.c (posix_spawn of
// jobs, issue 17 point 4) with the node-gyp npm bundles. Never fails the
// install: without a compiler, Node's headers or Linux, it says so in one line
// and runner starts jobs through child_process, as it does without the addon.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = path.join(root, 'native');

function skip(why) {
  console.warn(`runner: the job-starting addon is not built (${why}); jobs start through child_process instead`);
  process.exit(0);
}

// pidfds and glibc's posix_spawn file actions are Linux's.
if (process.platform !== 'linux') process.exit(0);
if (!fs.existsSync(path.join(dir, 'binding.gyp'))) process.exit(0);
/** npm names its bundled node-gyp to scripts; outside npm, the one beside npm's own files. */
function nodeGyp() {
  const named = process.env.npm_config_node_gyp;
  if (named !== undefined && fs.existsSync(named)) return named;
  const npmCli = process.env.npm_execpath;
  const candidates = [
    npmCli && path.join(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((c) => c && fs.existsSync(c));
}
const gyp = nodeGyp();
if (gyp === undefined) skip('node-gyp not found');
const r = spawnSync(process.execPath, [gyp, 'rebuild', '--release', `--directory=${dir}`], {
  cwd: dir,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});
if (r.error !== undefined || r.status !== 0) {
  const said = `${r.stderr ?? ''}`.split('\n').find((l) => /error/i.test(l)) ?? r.error?.message ?? `exit ${r.status}`;
  fs.rmSync(path.join(dir, 'build'), { recursive: true, force: true });
  skip(said.trim());
}
