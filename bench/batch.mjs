// bench/batch.mjs - batch tools ({files}, issue 14 point 7): runner against
// the same tool run by hand, side by side in one run.
//
// Tree: 1,000 Python and 300 TypeScript files (bench/gen-batch-tree.mjs,
// valid for every tool below). Tools: `python3 -m py_compile`,
// `node_modules/.bin/tsc --noEmit`, and `python3 -m pyflakes` when it is
// installed (else a note). Each runner variant has its own config and state
// directory in the scratch directory, so the tree holds only the sources;
// bytecode goes to a scratch PYTHONPYCACHEPREFIX on both sides.
//   cold         runner with `{files}`, state removed first, against
//                `xargs -0 -P N -n ceil(files/N) TOOL` over the same files (N:
//                the -j runner is given), and runner with `{file}` (today's
//                way) on a sample of the files, scaled to all of them (its
//                no-op counted once, the rest times files/sample); the
//                three alternate round by round (target: runner/xargs <= 1.25)
//   one changed  one line appended to one file, then runner (must run one
//                job), against the tool by hand on that file plus runner's
//                no-op, both measured in the same round, their order
//                alternating (target: runner <= tool + no-op). Runner's run
//                is the no-op's work plus the tool by design, so the target
//                sits at parity, where a comparison of medians falls either
//                side by the tool's own spread (tsc: about 60 ms a run). The
//                verdict is therefore paired and one-sided: each round's
//                excess (runner - tool - no-op), and FAIL when runner is over
//                in so many rounds that even odds would give that at most 5%
//                of the time (8 or 9 of 9: a sign test), i.e. when the
//                rounds show runner over the target, not when they cannot
//                tell. Also decomposed: runner less its job's own time (its
//                report's durationMs, whole ms) against the no-op, and the
//                job against the tool by hand (reported, not a verdict)
//   narrowing    one file made invalid among 1,000 in one chunk (maxFiles
//                1000, -j 1), py_compile behind a shell that appends each
//                process's file count to a file: the processes runner starts
//                to find it, at three places in the chunk (target: extra
//                processes <= ceil(log2 n) + 2, "about log2(chunk size)")
// Reported: medians of wall clock and of CPU time (user + system of the
// command and every process it waited for). Only the measured command's
// spawnSync sits inside a timed region.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { median } from './measure.mjs';
import { generateBatchTree } from './gen-batch-tree.mjs';

export const BATCH = {
  pyFiles: 1000,
  tsFiles: 300,
  coldRounds: 5,
  changedRounds: 9,
  /** The one changed verdict's level: FAIL only on a count of rounds over that chance gives at most this often. */
  changedAlpha: 0.05,
  /** Files the per-file ({file}) variant runs on, cold; scaled to the tool's whole set. */
  perFileSample: { py: 100, ts: 10 },
  maxColdRatio: 1.25,
  /** Where in the chunk the one failing file sits, as a fraction of its files. */
  narrowAt: [0.1, 0.5, 0.9],
  /** "About log2(chunk size)": at most this many extra processes beyond ceil(log2 n). */
  narrowSlack: 2,
};

const int = (n) => n.toLocaleString('en-US');

/** The tools measured; pyflakes only when `python3 -m pyflakes` runs. */
function toolsOf(ctx) {
  const tools = [
    { name: 'py_compile', lang: 'py', argv: ['python3', '-m', 'py_compile'] },
    { name: 'tsc', lang: 'ts', argv: [ctx.tsc, '--noEmit'] },
  ];
  const probe = spawnSync('python3', ['-m', 'pyflakes', '--version'], { env: ctx.runnerEnv, stdio: 'ignore' });
  if (probe.status === 0) tools.push({ name: 'pyflakes', lang: 'py', argv: ['python3', '-m', 'pyflakes'] });
  else ctx.notes.add('batch: pyflakes is not installed (python3 -m pyflakes fails): its rows are skipped');
  return tools;
}

export async function benchBatch(ctx, io) {
  const loadBefore = os.loadavg()[0];
  const dir = path.join(ctx.work, 'batch');
  const tree = path.join(dir, 'tree');
  const pycache = path.join(dir, 'pycache');
  fs.mkdirSync(dir);
  if (!fs.existsSync(ctx.tsc)) throw new io.SetupError(`tsc not found at ${ctx.tsc} (npm install in the repository)`);
  io.progress(`batch: generating ${int(BATCH.pyFiles)} .py and ${int(BATCH.tsFiles)} .ts files`);
  const gen = generateBatchTree({ out: tree, pyFiles: BATCH.pyFiles, tsFiles: BATCH.tsFiles });
  const tools = toolsOf(ctx);
  const jobs = ctx.jobs;
  // What runner gives its tools (PATH and HOME pass through, `env` on top): the tool by hand gets the same.
  const toolEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PYTHONPYCACHEPREFIX: pycache };
  const withRss = ctx.rss.method !== 'none';

  const timed = async (argv, env, what) => {
    const r = ctx.measure.run(argv, { cwd: tree, env, withRss });
    await io.checkpoint(r);
    return { r, ms: withRss ? Math.max(0, r.ms - ctx.wrapperOverheadMs) : r.ms, cpuMs: r.cpuMs, what };
  };
  const failed = (what, argv, r) =>
    new io.RunnerFailed(
      `batch: ${what} failed (${r.signal ? `killed by ${r.signal}` : `exit ${r.status}`}): ${argv.join(' ')}\n` +
        `--- stderr ---\n${r.stderr.trimEnd().slice(-2000)}\n--- stdout ---\n${r.stdout.trimEnd().slice(-2000)}`,
    );

  /** A runner variant: its config and state directory, and how to run it. */
  const variant = (name, tool, { command, include, extra = {}, env = {} }) => {
    const config = path.join(dir, `${name}.runnerrc.json`);
    const stateDir = path.join(dir, `state-${name}`);
    fs.writeFileSync(
      config,
      JSON.stringify(
        { include, env: { PYTHONPYCACHEPREFIX: pycache, ...env }, tools: [{ name: tool.name, command, ...extra }] },
        null,
        2,
      ) + '\n',
    );
    const argvOf = (j) => [
      ...ctx.runner,
      'run',
      '-q',
      '--json',
      '-j',
      String(j),
      '-C',
      tree,
      '-c',
      config,
      '--state-dir',
      stateDir,
    ];
    return {
      argv: argvOf(jobs),
      reset: () => fs.rmSync(stateDir, { recursive: true, force: true }),
      /** Runs it; checks the exit code and how many jobs ran; returns the timing and the report. */
      run: async (phase, { ran, exit = 0, j = jobs }) => {
        const argv = argvOf(j);
        const t = await timed(argv, ctx.runnerEnv, `runner ${name} (${phase})`);
        let report = null;
        try {
          report = JSON.parse(t.r.stdout);
        } catch {
          /* reported below */
        }
        if (t.r.status !== exit || report === null) throw failed(`runner ${name} (${phase})`, argv, t.r);
        if (ran !== undefined && report.counts?.ran !== ran)
          throw new io.RunnerFailed(`batch: runner ${name} (${phase}) ran ${report.counts?.ran} jobs, not ${ran}`);
        return { ...t, report };
      },
    };
  };

  const results = [];
  for (const tool of tools) {
    const files = gen.files[tool.lang];
    const include = [`${tool.lang}/**/*.${tool.lang}`];
    const batch = variant(`${tool.name}-batch`, tool, { command: [...tool.argv, '{files}'], include });
    const sampleSize = Math.min(files.length, BATCH.perFileSample[tool.lang]);
    const sample = Array.from(
      { length: sampleSize },
      (_, i) => files[Math.floor(((i + 0.5) * files.length) / sampleSize)],
    );
    const perFile = variant(`${tool.name}-per-file`, tool, { command: [...tool.argv, '{file}'], include: sample });
    const list = path.join(dir, `${tool.name}.files`);
    fs.writeFileSync(list, files.map((f) => `${f}\0`).join(''));
    const xargsArgv = [
      'xargs',
      '-0',
      '-a',
      list,
      '-P',
      String(jobs),
      '-n',
      String(Math.ceil(files.length / jobs)),
      ...tool.argv,
    ];
    const byHandAll = async () => {
      const t = await timed(xargsArgv, toolEnv, `xargs ${tool.name}`);
      if (t.r.status !== 0) throw failed(`${tool.name} by hand (xargs)`, xargsArgv, t.r);
      return t;
    };

    // --- cold, the three variants alternating
    const cold = { batch: [], xargs: [], perFile: [] };
    for (let i = 0; i < BATCH.coldRounds; i++) {
      io.progress(
        `batch ${tool.name}: cold round ${i + 1}/${BATCH.coldRounds} (runner {files}, xargs -P ${jobs}, runner {file} on ${sampleSize})`,
      );
      const steps = [
        async () => {
          batch.reset();
          cold.batch.push(await batch.run('cold', { ran: files.length }));
        },
        async () => cold.xargs.push(await byHandAll()),
        async () => {
          perFile.reset();
          cold.perFile.push(await perFile.run('cold', { ran: sampleSize }));
        },
      ];
      for (const step of i % 2 === 0 ? steps : [...steps].reverse()) await step();
    }

    // --- one changed file: runner, then (in alternating order) its no-op and the tool by hand on that file
    await batch.run('warm-up', { ran: 0 });
    const changed = { runner: [], noop: [], tool: [], files: [] };
    for (let i = 0; i < BATCH.changedRounds; i++) {
      const file = files[Math.floor(((i + 0.5) * files.length) / BATCH.changedRounds)];
      io.progress(`batch ${tool.name}: one changed, round ${i + 1}/${BATCH.changedRounds} (${file})`);
      fs.appendFileSync(path.join(tree, file), tool.lang === 'py' ? `# bench edit ${i}\n` : `// bench edit ${i}\n`);
      changed.files.push(file);
      changed.runner.push(await batch.run('one changed', { ran: 1 }));
      const oneArgv = [...tool.argv, file];
      const steps = [
        async () => changed.noop.push(await batch.run('no-op', { ran: 0 })),
        async () => {
          const t = await timed(oneArgv, toolEnv, `${tool.name} on one file`);
          if (t.r.status !== 0) throw failed(`${tool.name} by hand on ${file}`, oneArgv, t.r);
          changed.tool.push(t);
        },
      ];
      for (const step of i % 2 === 0 ? steps : [...steps].reverse()) await step();
    }

    const stat = (xs) => ({
      ms: median(xs.map((x) => x.ms)),
      runsMs: xs.map((x) => x.ms),
      cpuMs: xs.some((x) => x.cpuMs == null) ? null : median(xs.map((x) => x.cpuMs)),
    });
    // runner's own start-up and scan counted once, its per-file part scaled to all the files.
    const scale = files.length / sampleSize;
    const perFileStat = stat(cold.perFile);
    const noopMs = median(changed.noop.map((x) => x.ms));
    const c = {
      batch: stat(cold.batch),
      xargs: stat(cold.xargs),
      perFile: {
        sample: sampleSize,
        ...perFileStat,
        scaledMs: noopMs + Math.max(0, perFileStat.ms - noopMs) * scale,
      },
    };
    const coldRatio = c.batch.ms / c.xargs.ms;
    const ch = {
      runner: stat(changed.runner),
      noop: stat(changed.noop),
      tool: stat(changed.tool),
      files: changed.files,
    };
    const bound = ch.tool.ms + ch.noop.ms;
    const excessMs = changed.runner.map((x, i) => x.ms - changed.tool[i].ms - changed.noop[i].ms);
    const paired = pairedVerdict(excessMs, BATCH.changedAlpha);
    // The row decomposed, per round: runner's own time around its job (its wall clock less the job's, as its
    // report gives it) against its no-op, and the job inside runner against the tool by hand on the same file.
    // The first is precise; the second carries the tool's own spread.
    const jobMs = changed.runner.map((x) => x.report.jobs.find((j) => j.cached !== true)?.durationMs ?? null);
    const around = jobMs.every((ms) => ms !== null)
      ? {
          ownMs: median(changed.runner.map((x, i) => x.ms - jobMs[i])),
          jobMinusToolMs: median(jobMs.map((ms, i) => ms - changed.tool[i].ms)),
          toolSpreadMs: [Math.min(...ch.tool.runsMs), Math.max(...ch.tool.runsMs)],
        }
      : null;
    results.push({
      tool: tool.name,
      files: files.length,
      xargs: xargsArgv.map((w) => (w === list ? '<file list>' : w)).join(' '),
      cold: {
        ...c,
        ratio: coldRatio,
        cpuRatio: c.batch.cpuMs == null || c.xargs.cpuMs == null ? null : c.batch.cpuMs / c.xargs.cpuMs,
        gain: c.perFile.scaledMs / c.batch.ms,
        target: { maxRatio: BATCH.maxColdRatio, pass: coldRatio <= BATCH.maxColdRatio },
      },
      changed: {
        ...ch,
        boundMs: bound,
        ratio: ch.runner.ms / bound,
        cpuRatio:
          ch.runner.cpuMs == null || ch.tool.cpuMs == null || ch.noop.cpuMs == null
            ? null
            : ch.runner.cpuMs / (ch.tool.cpuMs + ch.noop.cpuMs),
        excessMs,
        target: paired,
        around,
      },
    });
  }

  const narrowing = await benchNarrowing(gen.files.py, { dir, tree, pycache, variant, io });
  return {
    jobs,
    /** The 1-minute load average before and after: on a busy machine the wall clock is inflated, CPU time far less. */
    loadAverage: [loadBefore, os.loadavg()[0]],
    coldRounds: BATCH.coldRounds,
    changedRounds: BATCH.changedRounds,
    generated: { py: gen.files.py.length, ts: gen.files.ts.length, bytes: gen.bytes },
    runCommand: [...ctx.runner, 'run', '-q', '--json', '-j', String(jobs), '-C', '<tree>', '-c', '<config>'],
    results,
    narrowing,
    pass: results.every((r) => r.cold.target.pass && r.changed.target.pass) && narrowing.target.pass,
  };
}

/**
 * The one changed verdict from each round's excess (runner - tool - no-op, in ms): a one-sided sign test.
 * Under parity each round is over or under with even odds; FAIL when the rounds over reach the count that
 * chance gives at most `alpha` of the time. `failAt` is that count (n + 1 when no count is that rare).
 */
export function pairedVerdict(excessMs, alpha) {
  const n = excessMs.length;
  const over = excessMs.filter((x) => x > 0).length;
  // P(at least k of n over) at even odds, from k = n down: the smallest k whose tail stays within alpha.
  let failAt = n + 1;
  let tail = 0;
  let ways = 1; // C(n, k), starting at k = n
  for (let k = n; k >= 0; k--) {
    tail += ways / 2 ** n;
    if (tail > alpha) break;
    failAt = k;
    ways = (ways * k) / (n - k + 1);
  }
  return { rounds: n, over, failAt, medianExcessMs: median(excessMs), pass: over < failAt };
}

/** One invalid file among all the .py files in one chunk: how many processes runner starts to find it. */
async function benchNarrowing(files, { dir, tree, variant, io }) {
  const counts = path.join(dir, 'narrowing.count');
  const tool = { name: 'py_compile', lang: 'py' };
  // Each process appends how many files it was given, then becomes py_compile.
  const command = ['sh', '-c', 'echo "$#" >> "$BENCH_COUNT"; exec python3 -m py_compile "$@"', 'sh', '{files}'];
  const narrow = variant('narrowing', tool, {
    command,
    include: ['py/**/*.py'],
    extra: { maxFiles: files.length },
    env: { BENCH_COUNT: counts },
  });
  const bound = Math.ceil(Math.log2(files.length)) + BATCH.narrowSlack;
  const runs = [];
  for (const at of BATCH.narrowAt) {
    const bad = files[Math.floor(at * files.length)];
    const abs = path.join(tree, bad);
    const original = fs.readFileSync(abs);
    io.progress(`batch narrowing: one invalid file (${bad}) among ${int(files.length)} in one chunk, -j 1`);
    narrow.reset();
    fs.rmSync(counts, { force: true });
    fs.appendFileSync(abs, '\ndef broken(:\n');
    let run;
    try {
      run = await narrow.run('narrowing', { ran: files.length, exit: 1, j: 1 });
    } finally {
      fs.writeFileSync(abs, original);
    }
    const failedFiles = run.report.jobs.filter((j) => j.status === 'failed').map((j) => j.file);
    if (failedFiles.length !== 1 || failedFiles[0] !== bad)
      throw new io.RunnerFailed(
        `batch narrowing: runner failed ${failedFiles.join(', ') || 'no file'}, not just ${bad}`,
      );
    const sizes = fs.readFileSync(counts, 'utf8').trim().split('\n').map(Number);
    if (sizes[0] !== files.length)
      throw new io.RunnerFailed(
        `batch narrowing: the first process got ${sizes[0]} files, not the whole chunk of ${files.length}`,
      );
    runs.push({ file: bad, at, processes: sizes.length, extra: sizes.length - 1, sizes, ms: run.ms });
  }
  const worst = Math.max(...runs.map((r) => r.extra));
  return {
    chunk: files.length,
    log2: Math.log2(files.length),
    runs,
    target: { maxExtra: bound, worst, pass: worst <= bound },
  };
}

export function renderBatch(b) {
  const sec = (ms) => (ms == null ? 'n/a' : (ms / 1000).toFixed(2));
  const ratio = (x) => (x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(2));
  const verdict = (pass) => (pass ? 'PASS' : 'FAIL');
  const ms = (x) => x.toFixed(1);
  const out = [
    `batch: ${int(b.generated.py)} .py and ${int(b.generated.ts)} .ts files; -j ${b.jobs}; medians of ${b.coldRounds} ` +
      `(cold) and ${b.changedRounds} (one changed), alternating; load average ${b.loadAverage.map((x) => x.toFixed(1)).join(' -> ')}`,
    `  runner: ${b.runCommand.join(' ')}`,
    '',
  ];
  const table = (headers, rows) => {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  };
  out.push(
    ...table(
      [
        'tool',
        'files',
        '{files} s',
        'xargs s',
        'ratio',
        'CPU ratio',
        '{file} s (scaled)',
        'sample',
        'gain',
        'runs {files} s',
        'runs xargs s',
      ],
      b.results.map((r) => [
        r.tool,
        int(r.files),
        sec(r.cold.batch.ms),
        sec(r.cold.xargs.ms),
        ratio(r.cold.ratio),
        ratio(r.cold.cpuRatio),
        sec(r.cold.perFile.scaledMs),
        `${r.cold.perFile.sample} in ${sec(r.cold.perFile.ms)} s`,
        `${ratio(r.cold.gain)}x`,
        r.cold.batch.runsMs.map(sec).join(' '),
        r.cold.xargs.runsMs.map(sec).join(' '),
      ]),
    ),
  );
  out.push(
    `(cold; xargs: xargs -0 -a <file list> -P ${b.jobs} -n <files/${b.jobs}> TOOL, e.g. ${b.results[0]?.xargs ?? ''}; ` +
      `{file}: today's one process per file, timed on the sample, scaled: no-op + (sample - no-op) * files/sample)`,
  );
  out.push('');
  out.push(
    ...table(
      [
        'tool',
        'runner 1 changed s',
        'tool on 1 file s',
        'runner no-op s',
        'tool + no-op s',
        'ratio',
        'CPU ratio',
        'runs runner s',
      ],
      b.results.map((r) => [
        r.tool,
        sec(r.changed.runner.ms),
        sec(r.changed.tool.ms),
        sec(r.changed.noop.ms),
        sec(r.changed.boundMs),
        ratio(r.changed.ratio),
        ratio(r.changed.cpuRatio),
        r.changed.runner.runsMs.map(sec).join(' '),
      ]),
    ),
  );
  out.push('');
  const n = b.narrowing;
  out.push(
    `narrowing: one invalid .py file among ${int(n.chunk)} in one chunk (maxFiles ${n.chunk}, -j 1); log2(${n.chunk}) = ${n.log2.toFixed(2)}`,
  );
  for (const r of n.runs)
    out.push(
      `  ${r.file} (at ${r.at}): ${r.processes} processes, ${r.extra} extra, ${sec(r.ms)} s; files each: ${r.sizes.join(' ')}`,
    );
  out.push('');
  for (const r of b.results) {
    out.push(
      `${r.tool}: cold {files} within ${r.cold.target.maxRatio}x xargs -P ${b.jobs}: ${verdict(r.cold.target.pass)} (${ratio(r.cold.ratio)})`,
    );
    const t = r.changed.target;
    out.push(
      `${r.tool}: one changed within the tool on that file + runner's no-op: ${verdict(t.pass)} ` +
        `(over in ${t.over} of ${t.rounds} rounds, FAIL at ${t.failAt}; median excess ${ms(t.medianExcessMs)} ms; ` +
        `medians ${sec(r.changed.runner.ms)} s against ${sec(r.changed.boundMs)} s)`,
    );
    const a = r.changed.around;
    if (a != null)
      out.push(
        `  decomposed: runner's own time around the job ${ms(a.ownMs)} ms against its no-op ${ms(r.changed.noop.ms)} ms; ` +
          `the job inside runner minus the tool by hand ${ms(a.jobMinusToolMs)} ms (the tool by hand alone: ${ms(a.toolSpreadMs[0])} to ${ms(a.toolSpreadMs[1])} ms)`,
      );
  }
  out.push(
    `narrowing: extra processes at most ceil(log2 ${n.chunk}) + ${BATCH.narrowSlack} = ${n.target.maxExtra} ` +
      `(about log2(chunk size)): ${verdict(n.target.pass)} (worst ${n.target.worst})`,
  );
  out.push('', 'for README.md, Performance:', '', ...readmeBlock(b, sec, ratio));
  return out;
}

/** The figures as the README's Performance section shows them: a markdown table to paste. */
function readmeBlock(b, sec, ratio) {
  const lines = [
    '| tool | files | cold `{files}` | `xargs -P` by hand | ratio (CPU) | `{file}`, scaled | gain | one changed | tool on it + no-op | ratio (CPU) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of b.results) {
    lines.push(
      `| ${r.tool} | ${int(r.files)} | ${sec(r.cold.batch.ms)} s | ${sec(r.cold.xargs.ms)} s | ` +
        `**${ratio(r.cold.ratio)}x** (${ratio(r.cold.cpuRatio)}x) | ${sec(r.cold.perFile.scaledMs)} s | ${ratio(r.cold.gain)}x | ` +
        `${sec(r.changed.runner.ms)} s | ${sec(r.changed.boundMs)} s | **${ratio(r.changed.ratio)}x** (${ratio(r.changed.cpuRatio)}x) |`,
    );
  }
  const n = b.narrowing;
  lines.push(
    '',
    `One changed, rounds in which runner took longer than the tool plus its no-op: ` +
      `${b.results.map((r) => `${r.tool} ${r.changed.target.over} of ${r.changed.target.rounds}`).join(', ')} ` +
      `(FAIL at ${b.results[0]?.changed.target.failAt}: even odds give that at most ${BATCH.changedAlpha * 100}% of the time).`,
    `Narrowing one invalid file among ${int(n.chunk)} in one chunk: ${n.runs.map((r) => r.extra).join(', ')} extra processes ` +
      `(log2 ${int(n.chunk)} = ${n.log2.toFixed(1)}).`,
  );
  return lines;
}
