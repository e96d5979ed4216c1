// Bundles the compiled CLI (dist/cli/main.js and everything it imports from
// dist/) into one CommonJS script, dist/bundle/runner.cjs, which bin/runner
// loads, and makes V8's code cache for it, dist/bundle/runner.cjs.cache.
// Start-up is dominated by the ES module loader's work per file: one module
// instead of about 180 takes a third off a no-op run (README, Performance);
// the code cache takes the bundle's compiling off every start (Node 20 caches
// a script's code, never an ES module's). commander, which every command but
// a bare --version loads, is bundled (about 3 ms of every command), and so
// are the packages a run loads (picomatch, ignore, better-sqlite3's
// JavaScript): Node's loader found and compiled them at every run, about
// 7 ms. They still load when first needed, as from dist/. Other packages
// stay external. Run after tsc; without esbuild (a git install that skipped
// it) nothing is bundled and bin/runner loads dist/.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, 'dist', 'cli', 'main.js');
const outDir = path.join(root, 'dist', 'bundle');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('runner: esbuild is not installed: dist/ is not bundled (runner starts more slowly)');
  fs.rmSync(outDir, { recursive: true, force: true });
  process.exit(0);
}
/**
 * What deps/graph-cache.ts keys kept graphs by (codeIdentity): every compiled
 * file of dist/ and the python helper, hashed here once, so that a run reads
 * and hashes no code to know it.
 */
function codeIdentity() {
  const hash = crypto.createHash('sha256');
  const files = fs
    .readdirSync(path.join(root, 'dist'), { recursive: true })
    .filter((f) => f.endsWith('.js') && !f.startsWith(`bundle${path.sep}`))
    .sort();
  for (const f of files)
    hash
      .update(`${f}\0`)
      .update(fs.readFileSync(path.join(root, 'dist', f)))
      .update('\0');
  hash.update(fs.readFileSync(path.join(root, 'src', 'deps', 'python-imports.py')));
  return hash.digest('hex').slice(0, 32);
}

// The packages in the bundle: commander, imported by the CLI, and those dist/
// loads when first needed with createRequire(import.meta.url)(NAME), which
// esbuild cannot follow. bundledLoads makes each of those a require(NAME),
// which esbuild bundles and calls where the code stood: still a load when
// first needed, now of code in the bundle and its code cache. Every other
// package (bindings, better-sqlite3's own loader of its addon) stays external.
// store/sqlite.ts loads the installed better-sqlite3 whole, not the bundled
// JavaScript, when its version is not RUNNER_BUNDLED_SQLITE.
const LAZY = ['picomatch', 'ignore', 'better-sqlite3'];
const BUNDLED = ['commander', ...LAZY];
const rewritten = new Set();
function bundledLoads(file) {
  const text = fs.readFileSync(file, 'utf8');
  return text.replace(/createRequire\(import\.meta\.url\)\((['"])([^'"]+)\1\)/g, (call, _q, name) => {
    if (!LAZY.includes(name)) return call;
    rewritten.add(name);
    return `require(${JSON.stringify(name)})`;
  });
}

/** The version of the package esbuild bundles: the one dist/ resolves. */
function packageVersion(name) {
  const file = createRequire(entry).resolve(`${name}/package.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

// What the bundle's code expects of an ES module, in a script: its own URL; and
// one namespace object per package or Node module however many files import
// it (esbuild's __toESM makes a new one for each, copying every property:
// node:fs 74 times, about 6 ms of every run).
const PRELUDE = `'use strict';
var __runnerModuleUrl = require('node:url').pathToFileURL(__filename).href;
var __toESMMade = new WeakMap();
function __toESM(mod, isNodeMode) {
  if (!isNodeMode || mod === null || (typeof mod !== 'object' && typeof mod !== 'function')) return __toESMEach(mod, isNodeMode);
  let ns = __toESMMade.get(mod);
  if (ns === undefined) __toESMMade.set(mod, (ns = __toESMEach(mod, isNodeMode)));
  return ns;
}`;

const result = await esbuild.build({
  entryPoints: [entry],
  outfile: path.join(outDir, 'runner.cjs'),
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  plugins: [
    {
      name: 'packages-external-but-bundled',
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) =>
          BUNDLED.some((name) => args.path === name || args.path.startsWith(`${name}/`))
            ? undefined
            : { external: true },
        );
        build.onLoad({ filter: /\.js$/ }, (args) =>
          args.path.startsWith(path.join(root, 'dist') + path.sep)
            ? { contents: bundledLoads(args.path), loader: 'js' }
            : undefined,
        );
      },
    },
  ],
  // Every import() becomes a require(): a vm.Script has no loader for import(), and every package it loads is CommonJS.
  supported: { 'dynamic-import': false },
  define: {
    RUNNER_CODE_IDENTITY: JSON.stringify(codeIdentity()),
    RUNNER_BUNDLED_SQLITE: JSON.stringify(packageVersion('better-sqlite3')),
    'import.meta.url': '__runnerModuleUrl',
  },
  banner: { js: PRELUDE },
  logLevel: 'warning',
});
if (result.errors.length > 0) process.exit(1);
for (const name of LAZY) {
  if (!rewritten.has(name)) {
    console.error(`runner: scripts/bundle.mjs: no createRequire(import.meta.url)('${name}') in dist/ to bundle`);
    process.exit(1);
  }
}
const helper = 'var __toESM = ';
let code = result.outputFiles[0].text;
if (code.split(helper).length !== 2) {
  console.error(`runner: scripts/bundle.mjs: esbuild's bundle has not one "${helper}" (another esbuild?)`);
  process.exit(1);
}
code = code.replace(helper, 'var __toESMEach = ');
// esbuild escapes every other character in code, not in the comments it keeps. One such character makes
// the whole bundle two-byte text for V8, and reading it takes twice as long (about 1 ms of every command).
const wide = /[^\x00-\x7f]/.exec(code);
if (wide !== null) {
  const line = code.slice(0, wide.index).split('\n').length;
  console.warn(`runner: the bundle is not ASCII at line ${line} (a comment?), which slows every start a little`);
}
// The key bin/runner matches the code cache's against: V8 itself checks only the length of the source.
const key = crypto.createHash('sha256').update(code).digest('hex');
const bundle = path.join(outDir, 'runner.cjs');
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(bundle, `${code}// code cache key: ${key}\n`);

// bin/runner writes the cache at the end of a run, so that it holds every
// function that run compiled (V8 compiles most only when first called), not
// the top level alone. Only one process's functions go in, so the run is the
// one people wait on most: a `--json` run after an edit to a settled tree of
// three files. A cold run and, once the files' times are past the racy
// margin (two seconds), a no-op before it leave the state and the settled
// mark, so it takes the stored tree's check, the narrowed plan and its early
// start, a one-file and a batch tool's jobs, the listing and the JSON (the
// config and the state lie outside the tree, which the check wants to hold
// tracked files alone). Alternated with a cache made from a cold run, it took
// 1.4 to 2.5 ms off a no-op and left the run after an edit as it was (README,
// Performance). Where no run can work yet (a git install whose prepare comes
// before better-sqlite3 is built), it is made at the end of `--help`. All of
// it is in dist/, not in a temporary directory: a git install's prepare
// writes nothing outside the checkout (scripts/prepare.mjs). Without a cache
// runner still runs, slower.
const cacheFile = `${bundle}.cache`;
const work = path.join(root, 'dist', 'code-cache-run');
const tree = path.join(work, 'tree');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(tree, { recursive: true });
try {
  for (const name of ['a', 'b', 'c']) fs.writeFileSync(path.join(tree, `${name}.txt`), `${name}\n`);
  const config = path.join(work, 'runnerrc.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      include: ['**/*.txt'],
      tools: [
        { name: 'check', command: ['true', '{file}'] },
        { name: 'batch', command: ['true', '{files}'] },
      ],
    }),
  );
  const run = ['run', '-q', '-C', tree, '-c', config, '--state-dir', path.join(work, 'state')];
  const { RACY_MARGIN_MS } = await import(pathToFileURL(path.join(root, 'dist', 'racy-margin.js')).href);
  const pastRacy = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RACY_MARGIN_MS + 200);
  const edit = () => fs.appendFileSync(path.join(tree, 'b.txt'), 'b\n');
  const ended = [];
  const attempts = [
    [{ args: run }, { before: pastRacy, args: run }, { before: edit, args: [...run, '--json'] }],
    [{ args: ['--help'] }],
  ];
  for (const steps of attempts) {
    const failed = steps.some((step, i) => {
      step.before?.();
      const last = i === steps.length - 1;
      const ran = spawnSync(process.execPath, [path.join(root, 'bin', 'runner'), ...step.args], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: os.homedir(),
          RUNNER_WATCHMAN: '0',
          ...(last ? { RUNNER_WRITE_CODE_CACHE: cacheFile } : {}),
        },
        encoding: 'utf8',
      });
      if (ran.status === 0 && (!last || fs.existsSync(cacheFile))) return false;
      ended.push(
        `runner ${step.args.join(' ')} ended with ${ran.status ?? ran.signal}: ${ran.stderr?.trim().split('\n')[0] ?? ran.error}`,
      );
      return true;
    });
    if (!failed) break;
    fs.rmSync(cacheFile, { force: true });
  }
  if (!fs.existsSync(cacheFile)) console.warn(`runner: no code cache (runner starts more slowly): ${ended.join('; ')}`);
  else if (ended.length > 0) console.warn(`runner: the code cache is made from --help alone: ${ended[0]}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
