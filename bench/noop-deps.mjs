// bench/noop-deps.mjs - what a deps kind adds to a no-op run (issue 10, point 15).
//
// For each language and size it generates one tree (../shared/bench/gen-tree.mjs:
// python files importing each other, or .ts/.js files importing each other) and
// copies it twice: one copy with a trivial tool (`true` on every file) and no
// deps, one with the same tool declaring the language's deps kind. After a
// cold run on each, a wait past the racy margin (2 s) and an untimed no-op
// on each, no-op runs of the two copies
// alternate round by round (which one goes first alternates too), so drift
// and cache warmth hit both alike; the ratio of the medians is held against
// the target. Each run's CPU time (user + system, from the same rusage as
// the peak RSS) is reported beside it: on a busy machine the wall clock
// varies by a factor of two from run to run, CPU time far less. Every timed
// run must really be a no-op (0 jobs ran), or the bench fails. Only the
// runner's spawnSync sits inside a timed region.

import fs from 'node:fs';
import path from 'node:path';
import { median } from './measure.mjs';

/** runner's src/racy-margin.ts: how long after a write its stat is trusted. */
const RACY_MARGIN_MS = 2000;

export const NOOP_DEPS = {
  /** pip-sized (pip 24 has 661 .py files under src/), and 10,000 files. */
  sizes: [661, 10_000],
  maxRatio: 1.2,
  langs: [
    { kind: 'python', ext: 'py:100', include: ['**/*.py'], seed: '5' },
    { kind: 'javascript', ext: 'ts:50,js:50', include: ['**/*.ts', '**/*.js'], seed: '6' },
  ],
};

const int = (n) => n.toLocaleString('en-US');

/** Times one language at one size; `io` carries run.mjs's plumbing (sh, checkpoint, progress, errors). */
async function benchOne(lang, files, ctx, io) {
  const { measure, notes } = ctx;
  const label = `noop-deps ${lang.kind} ${int(files)}`;
  const dir = path.join(ctx.work, `noop-deps-${lang.kind}-${files}`);
  const trees = { none: path.join(dir, 'none'), deps: path.join(dir, 'deps') };
  fs.mkdirSync(dir);

  // --- setup (untimed)
  io.progress(`${label}: generating the tree (${lang.ext})`);
  const genOut = await io.sh(
    [
      process.execPath,
      ctx.genTree,
      '--out',
      trees.none,
      '--files',
      String(files),
      '--ext',
      lang.ext,
      '--seed',
      lang.seed,
    ],
    { what: 'gen-tree.mjs' },
  );
  const gen = JSON.parse(genOut.trim().split('\n').pop());
  await io.sh(['cp', '-a', trees.none, trees.deps]);
  const configOf = (deps) => ({
    include: lang.include,
    addSourceTreeToPythonPath: true,
    tools: [{ name: 'noop', command: ['true'], ...(deps ? { deps: lang.kind } : {}) }],
  });
  fs.writeFileSync(path.join(trees.none, '.runnerrc.json'), JSON.stringify(configOf(false), null, 2) + '\n');
  fs.writeFileSync(path.join(trees.deps, '.runnerrc.json'), JSON.stringify(configOf(true), null, 2) + '\n');

  const argvOf = (tree) => [...ctx.runner, 'run', '-q', '--json', '-j', String(ctx.jobs), '-C', tree];
  const runOnce = async (variant, phase) => {
    const argv = argvOf(trees[variant]);
    const r = measure.run(argv, { cwd: ctx.work, env: ctx.runnerEnv, withRss: ctx.rss.method !== 'none' });
    await io.checkpoint(r);
    if (r.status !== 0) {
      throw new io.RunnerFailed(
        `${label}: runner failed (${r.signal ? `killed by ${r.signal}` : `exit ${r.status}`}) on the ` +
          `${phase} run of the ${variant} tree: ${argv.join(' ')}\n--- stderr ---\n${r.stderr.trimEnd()}\n--- stdout ---\n${r.stdout.trimEnd()}`,
      );
    }
    let report;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      throw new io.RunnerFailed(
        `${label}: runner run --json printed no JSON (${phase}, ${variant}): ${r.stdout.slice(0, 300)}`,
      );
    }
    if (phase === 'timed' && report.counts?.ran !== 0) {
      throw new io.RunnerFailed(
        `${label}: a timed no-op of the ${variant} tree ran ${report.counts?.ran} jobs, so it is no no-op`,
      );
    }
    if (r.stderr.trim())
      notes.add(`${label}: runner wrote to stderr (${phase}, ${variant}): ${r.stderr.trim().slice(0, 300)}`);
    return { ms: Math.max(0, r.ms - ctx.wrapperOverheadMs), cpuMs: r.cpuMs, deps: report.deps?.[lang.kind] ?? null };
  };

  io.progress(`${label}: cold runs (${int(gen.files)} jobs each)`);
  const cold = { none: await runOnce('none', 'cold'), deps: await runOnce('deps', 'cold') };
  // Past the racy margin (2 s), so that the no-ops measured trust the stats the cold runs took: a file written
  // within it is read again by every run, and a kept import graph that read one is resolved again.
  await new Promise((resolve) => setTimeout(resolve, RACY_MARGIN_MS + 200));
  // An untimed no-op each: whatever the cold run left to settle (racy entries) settles here.
  await runOnce('none', 'warm-up');
  await runOnce('deps', 'warm-up');

  // --- timed, alternating
  const samples = { none: [], deps: [] };
  for (let i = 0; i < ctx.runs; i++) {
    io.progress(`${label}: no-op round ${i + 1}/${ctx.runs}`);
    const order = i % 2 === 0 ? ['none', 'deps'] : ['deps', 'none'];
    for (const variant of order) samples[variant].push(await runOnce(variant, 'timed'));
  }
  const summarize = (xs) => ({
    ms: median(xs.map((x) => x.ms)),
    runsMs: xs.map((x) => x.ms),
    cpuMs: xs.some((x) => x.cpuMs == null) ? null : median(xs.map((x) => x.cpuMs)),
    runsCpuMs: xs.map((x) => x.cpuMs),
  });
  const none = summarize(samples.none);
  const deps = { ...summarize(samples.deps), reported: samples.deps.map((x) => x.deps) };
  const ratio = deps.ms / none.ms;
  return {
    kind: lang.kind,
    files: gen.files,
    runs: ctx.runs,
    cold: { noneMs: cold.none.ms, depsMs: cold.deps.ms },
    none,
    deps,
    ratio,
    cpuRatio: deps.cpuMs == null || none.cpuMs == null ? null : deps.cpuMs / none.cpuMs,
    target: { maxRatio: NOOP_DEPS.maxRatio, pass: ratio <= NOOP_DEPS.maxRatio },
  };
}

/** Every language asked for (--kinds), at every size. */
export async function benchNoopDeps(ctx, io) {
  const out = [];
  for (const lang of NOOP_DEPS.langs.filter((l) => ctx.kinds.includes(l.kind))) {
    for (const files of NOOP_DEPS.sizes) out.push(await benchOne(lang, files, ctx, io));
  }
  return {
    runCommand: [...ctx.runner, 'run', '-q', '--json', '-j', String(ctx.jobs), '-C', '<tree>'],
    maxRatio: NOOP_DEPS.maxRatio,
    results: out,
    pass: out.every((r) => r.target.pass),
  };
}
