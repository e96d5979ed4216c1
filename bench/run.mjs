#!/usr/bin/env node
// bench/run.mjs - runner's speed and memory against floors, side by side.
//
// For each size it generates a synthetic tree (../shared/bench/gen-tree.mjs),
// gives it a trivial tool (`true` on every file) and times the real CLI:
// a cold `runner run`, a no-op run and a one-file-changed run, each with its
// peak RSS; in the same run it times two floors on the same files: `find -type
// f -printf '%T@ %s\n'` and `git status --porcelain` on a committed copy.
// No-op runs and floors alternate round by round, so drift hits both alike;
// each round also times `node -e 0`, what no Node program goes under.
// When watchman is on PATH, as many rounds after those time the no-op with
// watchman (RUNNER_WATCHMAN=1, a private server the bench starts and stops),
// each beside a git status of its own, and issue 17's targets are checked on
// the rounds' paired ratios: the no-op at most 1.5x git status, with watchman
// at most 0.5x. The first no-op after the cold run is not timed (it plans in
// full and leaves the settled mark, as a user's first no-op does).
// The cold run's floor is `xargs -0 -P <j> -n 1 true` over the same files
// (one process per file, as runner starts them), timed just before and just
// after it; their mean is the floor (issue 17: cold run at most 1.5x it).
// Only one spawnSync sits inside each timed region: tree generation, the git
// copy and commit, and file edits all happen outside.
//
// The jobserver section measures what taking and returning one GNU make
// jobserver token costs per job: 500 trivial jobs (`true` on 500 small .txt
// files, all forced with --force) run by `make -j2` whose recipe is
// `+runner run -q --force -C <tree>` (so runner reads tokens from make's pipe),
// against `runner -j 2 run -q --force --no-jobserver` alone on the same tree
// (local pool, no tokens). Median of 3 each, alternating; the difference over
// 500 is the per-job overhead (make's own start-up, a few ms, lands in it
// too: about 0.01 ms per job). make's stderr must not say `INTERNAL:
// Exiting with` (tokens lost): if it does, the bench fails (exit 1).
//
// The deps section times `runner scan` with a tool that declares a deps kind
// on a generated 10,000-file tree per kind (python; javascript; javascript as
// .tsx files with JSX), cold and after one file changes, and checks that a
// change reads the imports of that one file only.
//
// The noop-deps section (bench/noop-deps.mjs) times a no-op `runner run` with
// a trivial tool declaring "deps": "python" or "javascript" against the same
// no-op without deps, alternating round by round, on generated trees of 661
// (pip-sized) and 10,000 files per language: the ratio must stay within 1.2.
//
// The workspace section (bench/workspace.mjs) times `runner scan` cold, no-op
// and after one change, with "deps": "javascript" against the same scan
// without, alternating, on a generated monorepo (about 3,000 files in 12
// packages linked through node_modules, per-package tsconfigs extending a base
// with `paths`) and on the 10,000-file .ts/.js tree.
//
// The batch section (bench/batch.mjs) times batch tools ({files}, issue 14) on
// a generated tree of 1,000 .py and 300 .ts files: a cold run against the
// tool by hand under `xargs -P N` and against one process per file ({file}),
// one changed file against the tool on it plus runner's no-op, and how many
// processes narrowing a failed chunk of 1,000 starts; medians of 5.
//
// The startup section (bench/startup.mjs) times `runner --version`, `runner
// --help` and a no-op `runner run` on a 100-file tree, each paired with `node
// -e 0` in the same round (21 rounds, order rotating): the median difference
// is runner's own start-up (target: --version within 0.05 s of node -e 0).
//
// The remote section (bench/remote.mjs) runs the real Turborepo Remote Cache
// server (turborepo-remote-cache) on loopback: a 10,000-file tree with a
// trivial tool, clone A cold (runs and uploads), then clone B (a copy at
// another path) cold with the cache warm, beside both no-ops; requests counted
// from the server's log. Target: 10,000 hits restored in under 3 s, no-ops
// send no request.
//
// The watch section (bench/watch.mjs) starts `runner watch` on a generated
// 10,000- and 100,000-file tree (warm manifest): ready time, peak RSS, inotify
// watches, and an edit to its job's start after the quiet period (issue 17).
//
// Usage: node bench/run.mjs [options]      (npm run bench)
//   --only tree|jobserver|deps|noop-deps|workspace|batch|startup|remote|watch   run just that section (default: all)
//   --sizes N[,N...]  file counts to generate (default 10000,100000)
//   --runs N          samples per median, tree, noop-deps and workspace (no-op) sections
//                     (default 5; the jobserver section always takes 3)
//   --kinds K[,K...]  deps kinds the noop-deps section times: python,
//                     javascript (default both)
//   --runner PATH     runner executable (default <repo>/bin/runner; node
//                     scripts are run with this node)
//   --tmp DIR         make the scratch directory under DIR (default os.tmpdir())
//   --keep            keep the scratch directory (trees, state, git copies)
//   --json            print the results as JSON on stdout instead of the table
//   --no-readme       leave README.md alone; by default each section run writes
//                     its output there, between its markers under "The bench's
//                     last output" (bench/readme.mjs), with the date, the load
//                     average and the options; only when the runner is this
//                     repository's own bin/runner and no rebuild happened meanwhile
//   --rss auto|time|python|none   how to read peak RSS (default auto: GNU
//                     /usr/bin/time, else python3 wait4)
//   --strict          exit 1 when the 100,000-file (find or git status, with or
//                     without watchman), a cold-run, the jobserver, a noop-deps,
//                     a batch, the startup, the remote or a watch target FAILs
//   -h, --help
// Progress goes to stderr. Exit: 0 done; 1 runner failed (its output is
// shown, or make lost jobserver tokens), or a target failed under --strict; 2 bad usage or a missing tool;
// 3 the bench's own setup failed; 128+N on signal N. The scratch directory is
// removed on every exit path unless --keep.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseRssMethod, cpuCount, createMeasurer, median, whichOnPath } from './measure.mjs';
import { benchNoopDeps } from './noop-deps.mjs';
import { benchWorkspace } from './workspace.mjs';
import { benchBatch } from './batch.mjs';
import { benchStartup } from './startup.mjs';
import { benchRemote } from './remote.mjs';
import { benchWatch, renderWatch } from './watch.mjs';
import { evaluateGitTargets, evaluateTarget, renderJson, renderText } from './report.mjs';
import { startWatchmanServer } from './watchman-server.mjs';
import { writeReadme } from './readme.mjs';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const GEN_TREE = path.resolve(REPO, '..', 'shared', 'bench', 'gen-tree.mjs');
const RUNNERRC = { include: ['**/*'], tools: [{ name: 'noop', command: ['true'] }] };
const STATE_DIR = '.runner';
/** Issue 17: a cold run (one process per file) at most this times `xargs -P <j> -n 1 true` over the same files. */
const COLD_MAX_OVER_XARGS = 1.5;
const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
const SECTIONS = ['tree', 'jobserver', 'deps', 'noop-deps', 'workspace', 'batch', 'startup', 'remote', 'watch'];
/** Dependency scanning: a generated tree per deps kind, cold and after one change (issue 4's target). */
const DEPS = {
  files: 10_000,
  changedRuns: 3,
  maxColdMs: 10_000,
  kinds: [
    { kind: 'python', ext: 'py:100', include: ['**/*.py'] },
    { kind: 'javascript', ext: 'ts:50,js:50', include: ['**/*.ts', '**/*.js'] },
    // Every file a .tsx with a JSX element: es-module-lexer gives up on those, a full parse reads them.
    { kind: 'javascript', label: 'javascript (JSX)', ext: 'ts:100', include: ['**/*.tsx'], jsx: true },
  ],
};
const JOBSERVER = {
  jobs: 500,
  makeJobs: 2,
  runs: 3,
  maxMsPerJob: 1,
  runnerrc: { include: ['**/*.txt'], tools: [{ name: 'noop', command: ['true'] }] },
};

class UsageError extends Error {}
class SetupError extends Error {}
class RunnerFailed extends Error {}
class Interrupted extends Error {
  constructor(signal) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
  }
}

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const o = {
    sizes: [10_000, 100_000],
    kinds: ['python', 'javascript'],
    runs: 5,
    runner: null,
    tmp: null,
    keep: false,
    json: false,
    rss: 'auto',
    strict: false,
    help: false,
    only: null,
    readme: true,
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline;
    if (a.startsWith('--') && a.includes('=')) [a, inline] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    const count = (v, what) => {
      const n = Number(v.replace(/_/g, ''));
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what}: "${v}" is not a positive integer`);
      return n;
    };
    switch (a) {
      case '--sizes':
        o.sizes = [
          ...new Set(
            value()
              .split(/[\s,]+/)
              .filter(Boolean)
              .map((v) => count(v, '--sizes')),
          ),
        ];
        break;
      case '--runs':
        o.runs = count(value(), '--runs');
        break;
      case '--kinds':
        o.kinds = [
          ...new Set(
            value()
              .split(/[\s,]+/)
              .filter(Boolean),
          ),
        ];
        for (const k of o.kinds)
          if (!['python', 'javascript'].includes(k))
            throw new UsageError(`--kinds: "${k}" is not python or javascript`);
        break;
      case '--runner':
        o.runner = path.resolve(value());
        break;
      case '--tmp':
        o.tmp = path.resolve(value());
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--only':
        o.only = value();
        if (!SECTIONS.includes(o.only)) throw new UsageError(`--only: "${o.only}" is not ${SECTIONS.join(', ')}`);
        break;
      case '--json':
        o.json = true;
        break;
      case '--strict':
        o.strict = true;
        break;
      case '--no-readme':
        o.readme = false;
        break;
      case '--rss':
        o.rss = value();
        if (!['auto', 'time', 'python', 'none'].includes(o.rss))
          throw new UsageError(`--rss: "${o.rss}" is not auto, time, python or none`);
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${argv[i]} (see --help)`);
    }
  }
  if (!o.sizes.length) throw new UsageError('--sizes: no size given');
  return o;
}

function usageText() {
  const lines = fs
    .readFileSync(fileURLToPath(import.meta.url), 'utf8')
    .split('\n')
    .slice(1);
  return (
    lines
      .slice(
        0,
        lines.findIndex((l) => !l.startsWith('//')),
      )
      .map((l) => l.slice(3))
      .join('\n') + '\n'
  );
}

// ---------------------------------------------------------------- plumbing

const started = Date.now();
function progress(msg) {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}
const int = (n) => n.toLocaleString('en-US');

// spawnSync blocks the event loop, so a signal's handler runs only once we
// yield. Every spawn is followed by checkpoint(), which yields and then stops
// the bench if a signal came in meanwhile.
let pendingSignal = null;
for (const sig of Object.keys(SIGNALS))
  process.on(sig, () => {
    pendingSignal ??= sig;
  });
async function checkpoint(childResult) {
  await new Promise((resolve) => setImmediate(resolve));
  if (pendingSignal) throw new Interrupted(pendingSignal);
  if (childResult?.signal === 'SIGINT' || childResult?.signal === 'SIGTERM') throw new Interrupted(childResult.signal);
}

/** Untimed helper command; throws SetupError with its output on failure. */
async function sh(argv, { cwd, env, what } = {}) {
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  await checkpoint(r);
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    throw new SetupError(`${what ?? argv.join(' ')} failed (${why})\n${r.stderr ?? ''}${r.stdout ?? ''}`.trimEnd());
  }
  return r.stdout;
}

function withoutEnv(env, drop) {
  const e = { ...env };
  for (const k of Object.keys(e)) if (drop(k)) delete e[k];
  return e;
}

/** How to launch the runner: node scripts with this node, anything else directly. */
function runnerLauncher(runnerPath) {
  if (!fs.existsSync(runnerPath)) throw new UsageError(`runner not found: ${runnerPath}`);
  let head = '';
  try {
    head = fs.readFileSync(runnerPath, 'utf8').slice(0, 200).split('\n')[0];
  } catch {
    /* binary */
  }
  const isNodeScript = /\.[cm]?js$/.test(runnerPath) || (head.startsWith('#!') && head.includes('node'));
  return isNodeScript ? [process.execPath, runnerPath] : [runnerPath];
}

/**
 * The newest mtime among the runner's own files (its dist/ beside bin/, or the
 * file itself): if it moves during the bench, a rebuild happened mid-run and
 * the figures (or a state database) mix two builds.
 */
function buildStamp(runnerPath) {
  const dist = path.join(path.dirname(path.dirname(runnerPath)), 'dist');
  let newest = fs.statSync(runnerPath).mtimeMs;
  if (fs.existsSync(dist)) {
    for (const f of fs.readdirSync(dist, { recursive: true })) {
      if (String(f).endsWith('.js')) newest = Math.max(newest, fs.statSync(path.join(dist, String(f))).mtimeMs);
    }
  }
  return newest;
}

function listFiles(root) {
  const files = [];
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop();
    for (const d of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (r !== STATE_DIR && r !== '.git') stack.push(r);
      } else if (d.isFile()) files.push(r);
    }
  }
  return files.sort();
}

/** `runs` generated files spread evenly over the sorted listing, none twice. */
function pickEditTargets(tree, runs) {
  const files = listFiles(tree).filter((f) => f !== '.runnerrc.json');
  if (files.length < runs) throw new SetupError(`only ${files.length} files to edit, need ${runs}`);
  return Array.from({ length: runs }, (_, i) => files[Math.floor(((i + 0.5) * files.length) / runs)]);
}

function appendLine(file, i) {
  const ext = path.extname(file);
  const line = ext === '.py' ? `# bench edit ${i}` : ext === '.txt' ? `bench edit ${i}` : `// bench edit ${i}`;
  fs.appendFileSync(file, `${line}\n`);
}

// ---------------------------------------------------------------- one size

async function benchSize(files, ctx) {
  const { measure, runs, notes } = ctx;
  const dir = path.join(ctx.work, `files-${files}`);
  const tree = path.join(dir, 'tree');
  const gitTree = path.join(dir, 'git-copy');
  fs.mkdirSync(dir);

  // --- setup (untimed)
  progress(`${int(files)} files: generating tree in ${tree}`);
  let t = Date.now();
  const genOut = await sh([process.execPath, GEN_TREE, '--out', tree, '--files', String(files), '--seed', '1'], {
    what: 'gen-tree.mjs',
  });
  const gen = JSON.parse(genOut.trim().split('\n').pop());
  const generateMs = Date.now() - t;
  progress(
    `${int(files)} files: generated ${int(gen.files)} files, ${int(gen.dirs)} dirs, ` +
      `${(gen.bytes / 2 ** 20).toFixed(0)} MB in ${(generateMs / 1000).toFixed(1)} s`,
  );
  fs.writeFileSync(path.join(tree, '.runnerrc.json'), JSON.stringify(RUNNERRC, null, 2) + '\n');

  progress(`${int(files)} files: committing a copy for the git status floor`);
  t = Date.now();
  await sh(['cp', '-a', tree, gitTree]);
  const git = (...args) =>
    sh(
      [
        'git',
        '-c',
        'user.name=bench',
        '-c',
        'user.email=bench@example.invalid',
        '-c',
        'init.defaultBranch=main',
        ...args,
      ],
      { cwd: gitTree, env: ctx.gitEnv },
    );
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '--no-verify', '-m', 'bench tree');
  const dirty = await git('status', '--porcelain'); // warm-up; also rewrites a refreshed index
  if (dirty.trim()) throw new SetupError(`git copy is not clean after commit:\n${dirty.slice(0, 500)}`);
  const gitSetupMs = Date.now() - t;

  const editTargets = pickEditTargets(tree, runs);
  // Every file runner runs the tool on (its config included: `**/*`), for the cold floor.
  const fileList = path.join(dir, 'files.list');
  fs.writeFileSync(
    fileList,
    listFiles(tree)
      .map((f) => `${f}\0`)
      .join(''),
  );
  const xargsArgv = ['xargs', '-0', '-a', fileList, '-P', String(ctx.jobs), '-n', '1', 'true'];
  const findArgv = [
    'find',
    tree,
    '-path',
    path.join(tree, STATE_DIR),
    '-prune',
    '-o',
    '-type',
    'f',
    '-printf',
    '%T@ %s\\n',
  ];
  const gitStatusArgv = ['git', '-C', gitTree, 'status', '--porcelain'];
  const runnerArgv = [...ctx.runner, 'run', '-C', tree, '-q', '-j', String(ctx.jobs)];
  measure.run(findArgv, { stdout: 'ignore' }); // warm-up, untimed
  await checkpoint();

  // --- timed
  const runRunner = async (phase, env = ctx.runnerEnv) => {
    const r = measure.run(runnerArgv, { cwd: ctx.work, env, withRss: ctx.rss.method !== 'none' });
    await checkpoint(r);
    if (r.status !== 0) {
      const rebuilt =
        buildStamp(ctx.runnerPath) !== ctx.buildStamp
          ? '\n(the runner was rebuilt while the bench ran: its state database may come from the older build)'
          : '';
      throw new RunnerFailed(
        `runner failed (${r.signal ? `killed by ${r.signal}` : `exit ${r.status}`}) ` +
          `on the ${phase} run, ${int(files)} files: ${runnerArgv.join(' ')}\n` +
          `--- stderr ---\n${r.stderr.trimEnd()}\n--- stdout ---\n${r.stdout.trimEnd()}${rebuilt}`,
      );
    }
    if (r.stderr.trim())
      notes.add(`runner -q wrote to stderr (${phase} run, ${int(files)} files): ${r.stderr.trim().slice(0, 300)}`);
    return {
      ms: Math.max(0, r.ms - ctx.wrapperOverheadMs),
      rawMs: r.ms,
      peakRssKiB: r.peakRssKiB,
      said: r.stdout.trim().split('\n').pop(), // runner's own summary line, for the JSON only
    };
  };
  const runFloor = async (argv, opts) => {
    const r = measure.run(argv, opts);
    await checkpoint(r);
    if (r.status !== 0) throw new SetupError(`${argv.join(' ')} failed (exit ${r.status})\n${r.stderr}`);
    return r;
  };

  progress(`${int(files)} files: cold floor, before (xargs -P ${ctx.jobs} -n 1 true)`);
  const xargsBefore = await runFloor(xargsArgv, { cwd: tree, stdout: 'ignore' });
  progress(`${int(files)} files: cold run (scan, digest, ${int(files + 1)} jobs)`);
  const cold = await runRunner('cold');
  progress(`${int(files)} files: cold run took ${(cold.ms / 1000).toFixed(2)} s; cold floor, after`);
  const xargsAfter = await runFloor(xargsArgv, { cwd: tree, stdout: 'ignore' });
  const xargsMs = (xargsBefore.ms + xargsAfter.ms) / 2;
  const coldFloor = {
    command: `xargs -0 -a <files> -P ${ctx.jobs} -n 1 true`,
    jobs: ctx.jobs,
    xargs: { ms: xargsMs, runsMs: [xargsBefore.ms, xargsAfter.ms] },
    ratio: cold.ms / xargsMs,
    maxRatio: COLD_MAX_OVER_XARGS,
    pass: cold.ms / xargsMs <= COLD_MAX_OVER_XARGS,
  };

  // The no-op, paired round by round with the floors. One untimed run first: the cold run ran every job, so
  // the run after it plans in full (and leaves the settled mark, README "A settled no-op") as a user's first
  // no-op does; what is timed is every no-op after that.
  progress(`${int(files)} files: one untimed no-op run (the first after the cold run)`);
  await runRunner('no-op warm-up');
  const noopRuns = [];
  const findRuns = [];
  const gitRuns = [];
  // What no Node program goes under: starting Node itself, paired with git status too.
  const nodeRuns = [];
  const gitRound = async () => {
    const g = await runFloor(gitStatusArgv, { env: ctx.gitEnv });
    if (g.stdout.trim()) throw new SetupError(`git copy became dirty:\n${g.stdout.slice(0, 500)}`);
    return g.ms;
  };
  for (let i = 0; i < runs; i++) {
    progress(`${int(files)} files: no-op round ${i + 1}/${runs} (find, node -e 0, git status, runner)`);
    findRuns.push((await runFloor(findArgv, { stdout: 'ignore' })).ms);
    nodeRuns.push((await runFloor([process.execPath, '-e', '0'], { stdout: 'ignore' })).ms);
    gitRuns.push(await gitRound());
    noopRuns.push(await runRunner('no-op'));
  }
  // The no-op with watchman (issue 17 point 5), after the plain rounds rather than between them (each query
  // makes watchman write and remove a cookie file in the tree's root, a change of its stat that a plain run
  // then reads: a user does not switch watchman on and off between runs), paired round by round with git
  // status of its own: the bench's own server; two untimed runs first (the first walks and stores
  // watchman's clock).
  const watchmanEnv = ctx.watchman === null ? null : { ...ctx.runnerEnv, ...ctx.watchman.env };
  const watchmanRuns = [];
  const watchmanGitRuns = [];
  if (watchmanEnv !== null) {
    progress(`${int(files)} files: two untimed no-op runs with watchman (it starts watching the tree)`);
    for (const phase of ['watchman warm-up', 'watchman warm-up']) await runRunner(phase, watchmanEnv);
    for (let i = 0; i < runs; i++) {
      progress(`${int(files)} files: no-op with watchman round ${i + 1}/${runs} (git status, runner with watchman)`);
      watchmanGitRuns.push(await gitRound());
      watchmanRuns.push(await runRunner('no-op with watchman', watchmanEnv));
    }
  }

  const changedRuns = [];
  for (let i = 0; i < runs; i++) {
    progress(`${int(files)} files: one-changed round ${i + 1}/${runs} (${editTargets[i]})`);
    appendLine(path.join(tree, editTargets[i]), i);
    changedRuns.push(await runRunner('one-changed'));
  }

  const summarize = (xs) => ({
    ms: median(xs.map((x) => x.ms)),
    runsMs: xs.map((x) => x.ms),
    peakRssKiB: xs.some((x) => x.peakRssKiB == null) ? null : Math.max(...xs.map((x) => x.peakRssKiB)),
    rssKiB: xs.map((x) => x.peakRssKiB),
    said: xs.map((x) => x.said),
  });
  const noop = summarize(noopRuns);
  const noopWatchman = watchmanRuns.length === 0 ? null : summarize(watchmanRuns);
  const oneChanged = summarize(changedRuns);
  const find = { ms: median(findRuns), runsMs: findRuns };
  const gitStatus = { ms: median(gitRuns), runsMs: gitRuns };
  const nodeStart = { ms: median(nodeRuns), runsMs: nodeRuns };
  if (noop.ms > cold.ms / 2)
    notes.add(`${int(files)} files: the no-op run takes more than half the cold run; is it re-running jobs?`);
  if (oneChanged.ms > noop.ms * 2 + 1000)
    notes.add(
      `${int(files)} files: one changed file costs ${((oneChanged.ms - noop.ms) / 1000).toFixed(2)} s over a no-op`,
    );

  return {
    files,
    generated: { files: gen.files, dirs: gen.dirs, bytes: gen.bytes },
    setup: { generateMs, gitSetupMs },
    cold,
    coldFloor,
    noop,
    noopWatchman,
    oneChanged,
    find,
    gitStatus,
    ...(watchmanGitRuns.length === 0
      ? {}
      : { gitStatusWithWatchman: { ms: median(watchmanGitRuns), runsMs: watchmanGitRuns } }),
    nodeStart,
    ratios: {
      noopOverFind: noop.ms / find.ms,
      noopOverGitStatus: noop.ms / gitStatus.ms,
      // Paired round by round: the median of each round's ratio, not a ratio of medians.
      noopOverGitStatusPaired: median(noopRuns.map((x, i) => x.ms / gitRuns[i])),
      watchmanOverGitStatusPaired:
        noopWatchman === null ? null : median(watchmanRuns.map((x, i) => x.ms / watchmanGitRuns[i])),
      nodeStartOverGitStatusPaired: median(nodeRuns.map((ms, i) => ms / gitRuns[i])),
    },
  };
}

// ---------------------------------------------------------------- jobserver

/** A word for a make recipe: shell-quoted, with make's `$` escaped. */
function recipeWord(w) {
  const q = /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
  return q.replace(/\$/g, '$$$$');
}

async function benchJobserver(ctx) {
  const { measure, notes } = ctx;
  const { jobs, makeJobs, runs } = JOBSERVER;
  const dir = path.join(ctx.work, 'jobserver');
  const tree = path.join(dir, 'tree');
  const makefile = path.join(dir, 'Makefile');
  fs.mkdirSync(tree, { recursive: true });

  // --- setup (untimed)
  progress(`jobserver: writing ${jobs} files and a Makefile in ${dir}`);
  for (let i = 0; i < jobs; i++) fs.writeFileSync(path.join(tree, `f${String(i).padStart(3, '0')}.txt`), `file ${i}\n`);
  fs.writeFileSync(path.join(tree, '.runnerrc.json'), JSON.stringify(JOBSERVER.runnerrc, null, 2) + '\n');
  const recipeArgv = [...ctx.runner, 'run', '-q', '--force', '-C', tree];
  fs.writeFileSync(makefile, `.PHONY: all\nall:\n\t+${recipeArgv.map(recipeWord).join(' ')}\n`);
  const makeArgv = [ctx.make, `-j${makeJobs}`, '-f', makefile];
  const aloneArgv = [...ctx.runner, '-j', String(makeJobs), 'run', '-q', '--force', '--no-jobserver', '-C', tree];

  const ranAll = (stdout, what) => {
    const said =
      stdout
        .trim()
        .split('\n')
        .filter((l) => /\bjobs?:/.test(l))
        .pop() ?? '';
    const m = said.match(/(\d+) ran/);
    if (!m || Number(m[1]) !== jobs) {
      throw new SetupError(
        `jobserver: ${what} did not run all ${jobs} jobs (said: "${said || stdout.trim().slice(-300)}")`,
      );
    }
    return said;
  };
  const runMake = async (phase) => {
    const r = measure.run(makeArgv, { cwd: dir, env: ctx.runnerEnv });
    await checkpoint(r);
    if (/INTERNAL: Exiting with/.test(r.stderr)) {
      throw new RunnerFailed(
        `jobserver: make lost jobserver tokens on the ${phase} run (runner did not return ` +
          `every token it took): ${makeArgv.join(' ')}\n--- make stderr ---\n${r.stderr.trimEnd()}`,
      );
    }
    if (r.status !== 0) {
      throw new RunnerFailed(
        `jobserver: make failed (${r.signal ? `killed by ${r.signal}` : `exit ${r.status}`}) on the ` +
          `${phase} run: ${makeArgv.join(' ')}\n--- stderr ---\n${r.stderr.trimEnd()}\n--- stdout ---\n${r.stdout.trimEnd()}`,
      );
    }
    if (/ignoring jobserver|overrides make's jobserver/.test(r.stderr)) {
      throw new RunnerFailed(
        `jobserver: runner did not take its tokens from make's pipe on the ${phase} run, ` +
          `so there is nothing to measure:\n${r.stderr.trimEnd()}`,
      );
    }
    if (r.stderr.trim())
      notes.add(`jobserver: make/runner wrote to stderr (${phase} run): ${r.stderr.trim().slice(0, 300)}`);
    return { ms: r.ms, said: ranAll(r.stdout, `make -j${makeJobs}`) };
  };
  const runAlone = async (phase) => {
    const r = measure.run(aloneArgv, { cwd: dir, env: ctx.runnerEnv });
    await checkpoint(r);
    if (r.status !== 0) {
      throw new RunnerFailed(
        `jobserver: runner failed (${r.signal ? `killed by ${r.signal}` : `exit ${r.status}`}) on the ` +
          `${phase} run: ${aloneArgv.join(' ')}\n--- stderr ---\n${r.stderr.trimEnd()}\n--- stdout ---\n${r.stdout.trimEnd()}`,
      );
    }
    if (r.stderr.trim())
      notes.add(`jobserver: runner -q wrote to stderr (${phase} run): ${r.stderr.trim().slice(0, 300)}`);
    return { ms: r.ms, said: ranAll(r.stdout, 'runner alone') };
  };

  progress(`jobserver: warm-up (first run creates the state database), untimed`);
  await runAlone('warm-up');
  await runMake('warm-up');

  // --- timed, alternating so drift hits both alike
  const makeRuns = [];
  const aloneRuns = [];
  for (let i = 0; i < runs; i++) {
    progress(`jobserver: round ${i + 1}/${runs} (make -j${makeJobs}, runner alone -j ${makeJobs})`);
    makeRuns.push(await runMake('timed'));
    aloneRuns.push(await runAlone('timed'));
  }
  const underMake = {
    ms: median(makeRuns.map((x) => x.ms)),
    runsMs: makeRuns.map((x) => x.ms),
    said: makeRuns.map((x) => x.said),
  };
  const alone = {
    ms: median(aloneRuns.map((x) => x.ms)),
    runsMs: aloneRuns.map((x) => x.ms),
    said: aloneRuns.map((x) => x.said),
  };
  const msPerJob = (underMake.ms - alone.ms) / jobs;
  return {
    jobs,
    makeJobs,
    runs,
    makeCommand: [...makeArgv.slice(0, -1), '<Makefile>'],
    recipe: `+${[...ctx.runner, 'run', '-q', '--force', '-C', '<tree>'].join(' ')}`,
    aloneCommand: [...aloneArgv.slice(0, -1), '<tree>'],
    underMake,
    alone,
    diffMs: underMake.ms - alone.ms,
    msPerJob,
    target: { maxMsPerJob: JOBSERVER.maxMsPerJob, msPerJob, pass: msPerJob < JOBSERVER.maxMsPerJob },
  };
}

// ---------------------------------------------------------------- deps

/** `runner scan --json` on a tree whose one tool declares a deps kind: time, and the import counts it reports. */
async function benchDepsKind(spec, ctx) {
  const { measure, notes } = ctx;
  const label = spec.label ?? spec.kind;
  const dir = path.join(ctx.work, `deps-${label.replace(/\W+/g, '-')}`);
  progress(`deps ${label}: generating ${int(DEPS.files)} files (${spec.ext}${spec.jsx ? ', as .tsx with JSX' : ''})`);
  await sh(
    [process.execPath, GEN_TREE, '--out', dir, '--files', String(DEPS.files), '--ext', spec.ext, '--seed', '4'],
    { what: 'gen-tree' },
  );
  if (spec.jsx) {
    for (const f of listFiles(dir).filter((f) => f.endsWith('.ts'))) {
      fs.appendFileSync(path.join(dir, f), '\nexport const View = () => <div className="view">{String(1)}</div>;\n');
      fs.renameSync(path.join(dir, f), path.join(dir, f + 'x'));
    }
  }
  const config = {
    include: spec.include,
    addSourceTreeToPythonPath: true,
    tools: [{ name: 'noop', command: ['true'], deps: spec.kind }],
  };
  fs.writeFileSync(path.join(dir, '.runnerrc.json'), JSON.stringify(config, null, 2) + '\n');
  const scanArgv = [...ctx.runner, 'scan', '--json', '-C', dir];
  const scan = async (phase) => {
    const r = measure.run(scanArgv, { cwd: dir, env: ctx.runnerEnv });
    await checkpoint(r);
    if (r.status !== 0) {
      if (/not available in this version yet/.test(r.stderr)) return null;
      throw new RunnerFailed(`deps ${label}: runner scan failed (${phase}): exit ${r.status}\n${r.stderr.trimEnd()}`);
    }
    const counts = JSON.parse(r.stdout).deps?.[spec.kind];
    if (counts === undefined)
      throw new RunnerFailed(`deps ${spec.kind}: runner scan --json reported no ${spec.kind} import counts`);
    return { ms: r.ms, ...counts };
  };
  progress(`deps ${label}: cold scan`);
  const cold = await scan('cold');
  if (cold === null) return { kind: label, available: false };
  const files = listFiles(dir).filter((f) => spec.include.some((g) => f.endsWith(g.slice(g.lastIndexOf('.')))));
  const changed = [];
  for (let i = 0; i < DEPS.changedRuns; i++) {
    appendLine(path.join(dir, files[(i * 7919) % files.length]), i);
    progress(`deps ${label}: one file changed, round ${i + 1}/${DEPS.changedRuns}`);
    changed.push(await scan('one changed'));
  }
  const rescanned = changed.map((c) => c.scanned);
  if (rescanned.some((n) => n !== 1))
    notes.add(`deps ${label}: a one-file change read the imports of ${rescanned.join(', ')} files, not 1`);
  return {
    kind: label,
    available: true,
    files: cold.files,
    coldMs: cold.ms,
    coldScanned: cold.scanned,
    oneChangedMs: median(changed.map((c) => c.ms)),
    oneChangedScanned: rescanned,
    target: { maxColdMs: DEPS.maxColdMs, pass: cold.ms < DEPS.maxColdMs && rescanned.every((n) => n === 1) },
  };
}

async function benchDeps(ctx) {
  const out = [];
  for (const spec of DEPS.kinds) out.push(await benchDepsKind(spec, ctx));
  return out;
}

// ---------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(usageText());
    return 0;
  }

  const sections = opts.only ? [opts.only] : SECTIONS;
  const loadBefore = os.loadavg()[0];
  const doTree = sections.includes('tree');
  const doJobserver = sections.includes('jobserver');
  const doDeps = sections.includes('deps');
  const doNoopDeps = sections.includes('noop-deps');
  const doWorkspace = sections.includes('workspace');
  const doBatch = sections.includes('batch');
  const doStartup = sections.includes('startup');
  const doRemote = sections.includes('remote');
  const doWatch = sections.includes('watch');
  if ((doTree || doDeps || doNoopDeps || doWorkspace || doWatch) && !fs.existsSync(GEN_TREE))
    throw new UsageError(`tree generator not found: ${GEN_TREE} (expected shared/ beside the repository)`);
  for (const tool of [
    ...(doTree ? ['true', 'find', 'git', 'cp', 'xargs'] : ['true']),
    ...(doJobserver ? ['make'] : []),
    ...(doNoopDeps ? ['cp', 'python3'] : []),
    ...(doWorkspace ? ['cp'] : []),
    ...(doBatch ? ['python3', 'xargs', 'sh'] : []),
  ]) {
    if (!whichOnPath(tool)) throw new UsageError(`"${tool}" is not on PATH`);
  }
  let make = null;
  if (doJobserver) {
    make = whichOnPath('make');
    const v = spawnSync(make, ['--version'], { encoding: 'utf8' });
    if (v.status !== 0 || !/^GNU Make/.test(v.stdout ?? '')) throw new UsageError(`${make} is not GNU make`);
  }
  const runnerPath = opts.runner ?? path.join(REPO, 'bin', 'runner');
  const runner = runnerLauncher(runnerPath);
  const runnerEnv = withoutEnv(process.env, (k) => ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL'].includes(k));
  // The rows measure the walk: a machine with watchman would take the other path (README, "With watchman"),
  // and start a watchman server that outlives the bench. The tree section's no-op with watchman asks a
  // private server of the bench's own (watchman-server.mjs) instead.
  runnerEnv.RUNNER_WATCHMAN ??= '0';
  const help = spawnSync(runner[0], [...runner.slice(1), '--help'], { env: runnerEnv, encoding: 'utf8' });
  await checkpoint(help);
  if (help.status !== 0) {
    throw new RunnerFailed(
      `runner does not start: ${[...runner, '--help'].join(' ')} ` +
        `(${help.error?.message ?? (help.signal ? `killed by ${help.signal}` : `exit ${help.status}`)})\n` +
        `${help.stderr ?? ''}${help.stdout ?? ''}`.trimEnd(),
    );
  }
  const rss = chooseRssMethod(opts.rss);

  const base = opts.tmp ?? os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  const work = fs.mkdtempSync(path.join(base, 'runner-bench-'));
  progress(`scratch directory ${work}${opts.keep ? ' (kept)' : ''}`);
  try {
    const measure = createMeasurer({ rss, scratchDir: work });
    const wrapperOverheadMs = measure.overheadMs();
    const ctx = {
      work,
      runs: opts.runs,
      measure,
      rss,
      wrapperOverheadMs,
      runner,
      runnerPath,
      buildStamp: buildStamp(runnerPath),
      runnerEnv,
      jobs: cpuCount(),
      notes: new Set(),
      /** The tree section's private watchman server (null: none). */
      watchman: null,
      make,
      genTree: GEN_TREE,
      tsc: path.join(REPO, 'node_modules', '.bin', 'tsc'),
      kinds: opts.kinds,
      // An isolated git: no user/system config (fsmonitor, hooks, signing), no GIT_DIR from a calling hook.
      gitEnv: {
        ...withoutEnv(process.env, (k) => k.startsWith('GIT_')),
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
      },
    };
    const sizes = [];
    if (doTree) {
      ctx.watchman = await startWatchmanServer(path.join(work, 'watchman'));
      if (ctx.watchman === null) ctx.notes.add('watchman is not on PATH (or did not start): no no-op with watchman');
      try {
        for (const files of opts.sizes) sizes.push(await benchSize(files, ctx));
      } finally {
        await ctx.watchman?.stop();
      }
    }
    const jobserver = doJobserver ? await benchJobserver(ctx) : null;
    const deps = doDeps ? await benchDeps(ctx) : null;
    const noopDeps = doNoopDeps ? await benchNoopDeps(ctx, { sh, checkpoint, progress, RunnerFailed }) : null;
    const workspace = doWorkspace ? await benchWorkspace(ctx, { sh, checkpoint, progress, RunnerFailed }) : null;
    const batch = doBatch ? await benchBatch(ctx, { checkpoint, progress, RunnerFailed, SetupError }) : null;
    const startup = doStartup ? await benchStartup(ctx, { checkpoint, progress, RunnerFailed }) : null;
    const remote = doRemote ? await benchRemote(ctx, { checkpoint, progress, RunnerFailed }) : null;
    const watch = doWatch ? await benchWatch(ctx, { progress }) : null;

    if (buildStamp(runnerPath) !== ctx.buildStamp) {
      ctx.notes.add('the runner was rebuilt while the bench ran: the figures mix two builds; run it again');
    }
    const result = {
      sections,
      meta: {
        date: new Date().toISOString(),
        cpus: os.cpus().length,
        jobs: ctx.jobs,
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        ...(doTree
          ? {
              runs: opts.runs,
              runnerCommand: [...runner, 'run', '-C', '<tree>', '-q', '-j', String(ctx.jobs)],
              rss,
              wrapperOverheadMs,
              floors: {
                find: "find <tree> -path <tree>/.runner -prune -o -type f -printf '%T@ %s\\n' >/dev/null",
                gitStatus: 'git -C <committed copy> status --porcelain',
                coldRun: `xargs -0 -a <the tree's files> -P ${ctx.jobs} -n 1 true (in the tree), before and after the cold run`,
              },
            }
          : {}),
      },
      sizes,
      target: evaluateTarget(sizes),
      gitTargets: evaluateGitTargets(sizes),
      jobserver,
      deps,
      noopDeps,
      workspace,
      batch,
      startup,
      remote,
      watch,
      notes: [...ctx.notes],
    };
    if (opts.json) process.stdout.write(renderJson(result));
    else process.stdout.write(renderText(result) + (watch ? ['', ...renderWatch(watch)].join('\n') + '\n' : ''));
    for (const n of result.notes) progress(`note: ${n}`);
    if (opts.readme) writeSections(result, opts, loadBefore);
    const failed =
      (result.target && !result.target.pass) ||
      result.gitTargets.some((t) => t.pass === false) ||
      sizes.some((s) => !s.coldFloor.pass) ||
      (jobserver && !jobserver.target.pass) ||
      (noopDeps && !noopDeps.pass) ||
      (batch && !batch.pass) ||
      (startup && !startup.pass) ||
      (remote && !remote.pass) ||
      (watch && !watch.pass);
    return failed && opts.strict ? 1 : 0;
  } finally {
    if (opts.keep) {
      progress(`kept ${work}`);
    } else {
      progress(`removing ${work}`);
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}

/**
 * Writes each section's output into README.md (issue 17 point 5), when what was measured is this repository's
 * runner as built now: another runner's figures, or two builds' mixed, would be put under this one's name.
 */
function writeSections(result, opts, loadBefore) {
  const readme = path.join(REPO, 'README.md');
  if (opts.runner !== null && path.resolve(opts.runner) !== path.join(REPO, 'bin', 'runner')) {
    progress("README.md not written: the runner measured is not this repository's bin/runner");
    return;
  }
  if (result.notes.some((n) => n.includes('rebuilt while the bench ran'))) {
    progress('README.md not written: the runner was rebuilt while the bench ran');
    return;
  }
  const none = Object.fromEntries(SECTIONS.map((s) => [s === 'noop-deps' ? 'noopDeps' : s, null]));
  const blocks = result.sections.map((name) => {
    if (name === 'watch') return [name, renderWatch(result.watch).join('\n')];
    const key = name === 'noop-deps' ? 'noopDeps' : name;
    const only = { ...result, ...none, sections: [name], [key]: result[key] };
    if (name !== 'tree') Object.assign(only, { sizes: [], target: null, gitTargets: [] });
    return [name, renderText(only)];
  });
  const args = process.argv.slice(2).filter((a) => a !== '--no-readme');
  const heading =
    `Written by \`npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}\` on ${result.meta.date.slice(0, 16).replace('T', ' ')} UTC, ` +
    `load average ${loadBefore.toFixed(1)} before and ${os.loadavg()[0].toFixed(1)} after, ${result.meta.cpus} CPUs, node ${result.meta.node}:`;
  const missing = writeReadme(readme, blocks, heading);
  for (const name of missing)
    progress(`README.md has no markers for ${name} (<!-- bench:${name} --> ... <!-- /bench:${name} -->): not written`);
  const written = result.sections.filter((n) => !missing.includes(n));
  if (written.length > 0) progress(`README.md: wrote ${written.join(', ')} under "The bench's last output"`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof Interrupted) {
      progress(err.message);
      process.exitCode = 128 + SIGNALS[err.signal];
    } else if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof RunnerFailed) {
      process.stderr.write(`bench: ${err.message}\n`);
      process.exitCode = 1;
    } else if (err instanceof SetupError) {
      process.stderr.write(`bench: setup failed: ${err.message}\n`);
      process.exitCode = 3;
    } else {
      process.stderr.write(`bench: ${err?.stack ?? err}\n`);
      process.exitCode = 3;
    }
  },
);
