#!/usr/bin/env node
// bench/watch.mjs - `runner watch` at scale (issue 17 points 3 and 5): on a
// generated tree (10,000 and 100,000 files, a probe tool on every file that
// appends the time it started to a log), a watch started on a warm manifest
// is timed to its first status line ("watching"), its peak RSS read from
// /proc (VmHWM) and its inotify watches counted from /proc/PID/fdinfo; then
// files are edited one at a time, and the probe's start time minus the edit's
// time minus the quiet period (--debounce) is the edit-to-job delay. Targets
// (issue 17's table): ready at most 2 s, at most 300 MB, a job started at
// most 50 ms after the quiet period, on 100,000 files.
//
// The probe is a batch tool (`probe.sh {files}`): the untimed warm-up run of
// 100,000 jobs then takes one process per chunk instead of 100,000; a watch
// cycle after one edit starts one process with that one file, as `true
// {file}` would.
//
// Alone, it compares builds on trees it generates, alternating them session
// by session so that a busy neighbour hits all alike:
//   node bench/watch.mjs [--runner PATH]... [--sizes N,N] [--rounds N] [--edits N] [--tmp DIR] [--keep] [--json]

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measure.mjs';

export const WATCH = {
  sizes: [10_000, 100_000],
  rounds: 3,
  edits: 5,
  debounceMs: 200,
  target: { files: 100_000, maxReadyMs: 2000, maxRssMB: 300, maxAfterQuietMs: 50 },
  /** A session that shows no status line by then has failed. */
  timeoutMs: 180_000,
};

const PROBE = `#!/bin/sh
# Appends the time it started (microseconds since the epoch) and the files it was given.
echo "$(date +%s%6N) $*" >> "$(dirname "$0")/probe.log"
`;

/** Generates a tree with a probe tool and runs it once (untimed), so that a watch starts on a warm manifest. */
export function prepareWatchTree({ genTree, work, files, runner, env }) {
  const tree = path.join(work, `watch-${files}`);
  const gen = spawnSync(
    process.execPath,
    [genTree, '--out', tree, '--files', String(files), '--max-size', '2000', '--force'],
    {
      encoding: 'utf8',
    },
  );
  if (gen.status !== 0) throw new Error(`gen-tree failed: ${gen.stderr}`);
  const probe = path.join(work, `probe-${files}`, 'probe.sh');
  fs.mkdirSync(path.dirname(probe), { recursive: true });
  fs.writeFileSync(probe, PROBE, { mode: 0o755 });
  fs.writeFileSync(
    path.join(tree, '.runnerrc.json'),
    JSON.stringify({ include: ['**/*'], tools: [{ name: 'probe', command: [probe, '{files}'] }] }) + '\n',
  );
  const warm = spawnSync(runner[0], [...runner.slice(1), 'run', '-q', '-C', tree], { env, encoding: 'utf8' });
  if (warm.status !== 0) throw new Error(`warm-up run failed (exit ${warm.status}): ${warm.stderr}`);
  return { tree, probeLog: path.join(path.dirname(probe), 'probe.log'), files };
}

const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function inotifyWatches(pid) {
  let n = 0;
  const dir = `/proc/${pid}/fdinfo`;
  for (const fd of fs.readdirSync(dir)) {
    try {
      for (const line of fs.readFileSync(path.join(dir, fd), 'utf8').split('\n'))
        if (line.startsWith('inotify wd:')) n++;
    } catch {
      // the fd closed meanwhile
    }
  }
  return n;
}

/** CPU time (user + system) the process has used, in ms: load-independent, unlike the wall clock. */
function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function peakRssKiB(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}

/** One watch session: ready time, peak RSS, inotify watches, and the edit-to-job delays after the quiet period. */
export async function measureWatchSession({ runner, env, tree, probeLog, edits, debounceMs, editSeed = 0 }) {
  const lines = [];
  let wake = null;
  const started = performance.now();
  const child = spawn(runner[0], [...runner.slice(1), 'watch', '-C', tree, '--debounce', String(debounceMs)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop();
    for (const l of parts) if (l.includes('watching')) lines.push(performance.now());
    wake?.();
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
    wake?.();
  });
  const statusLines = async (n) => {
    const deadline = performance.now() + WATCH.timeoutMs;
    while (lines.length < n) {
      if (exited) throw new Error(`runner watch exited early:\n${stderr}`);
      if (performance.now() > deadline) throw new Error(`no status line ${n} in ${WATCH.timeoutMs} ms:\n${stderr}`);
      await new Promise((r) => {
        wake = r;
        setTimeout(r, 100);
      });
      wake = null;
    }
  };
  try {
    await statusLines(1);
    const readyMs = lines[0] - started;
    const watches = inotifyWatches(child.pid);
    const candidates = listSome(tree, edits, editSeed);
    const afterQuietMs = [];
    const cycleCpuMs = [];
    for (let i = 0; i < edits; i++) {
      const before = fs.existsSync(probeLog) ? fs.readFileSync(probeLog, 'utf8').split('\n').length : 1;
      const file = candidates[i % candidates.length];
      await sleep(300); // lets the previous cycle's events settle
      const cpuBefore = cpuMs(child.pid);
      const editedAt = nowUs();
      fs.appendFileSync(file, `\n# edit ${editSeed}.${i} ${editedAt}\n`);
      const deadline = performance.now() + WATCH.timeoutMs;
      let probeAt = null;
      while (probeAt === null) {
        if (exited) throw new Error(`runner watch exited:\n${stderr}`);
        if (performance.now() > deadline) throw new Error(`no job started for an edit of ${file}`);
        await sleep(5);
        const log = fs.existsSync(probeLog) ? fs.readFileSync(probeLog, 'utf8').split('\n') : [''];
        if (log.length > before) probeAt = Number(log[before - 1].split(' ')[0]);
      }
      afterQuietMs.push((probeAt - editedAt) / 1000 - debounceMs);
      await statusLines(i + 2);
      cycleCpuMs.push(cpuMs(child.pid) - cpuBefore);
    }
    return { readyMs, peakRssKiB: peakRssKiB(child.pid), watches, afterQuietMs, cycleCpuMs };
  } finally {
    if (!exited) {
      child.kill('SIGINT');
      await new Promise((r) => (exited ? r() : child.once('exit', r)));
    }
  }
}

/** `n` tracked source files spread over the tree (the same ones for the same seed). */
function listSome(tree, n, seed) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.txt')) out.push(p);
    }
  };
  walk(tree);
  const step = Math.max(1, Math.floor(out.length / (n + 1)));
  return Array.from({ length: n }, (_, i) => out[(step * (i + 1) + seed) % out.length]);
}

/** Per size, per runner: medians over the rounds (sessions alternate between runners). */
export async function benchWatchTrees({ runners, env, trees, rounds, edits, debounceMs, progress }) {
  const results = [];
  for (const t of trees) {
    const samples = runners.map(() => []);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? runners.map((_, i) => i) : runners.map((_, i) => runners.length - 1 - i);
      for (const i of order) {
        progress(`watch: ${t.files} files, round ${r + 1}/${rounds}, ${runners[i].join(' ')}`);
        samples[i].push(
          await measureWatchSession({
            runner: runners[i],
            env,
            tree: t.tree,
            probeLog: t.probeLog,
            edits,
            debounceMs,
            editSeed: r * runners.length + i,
          }),
        );
      }
    }
    for (let i = 0; i < runners.length; i++) {
      const s = samples[i];
      results.push({
        files: t.files,
        runner: runners[i],
        readyMs: median(s.map((x) => x.readyMs)),
        peakRssKiB: Math.max(...s.map((x) => x.peakRssKiB ?? 0)),
        watches: median(s.map((x) => x.watches)),
        afterQuietMs: median(s.flatMap((x) => x.afterQuietMs)),
        cycleCpuMs: median(s.flatMap((x) => x.cycleCpuMs)),
        samples: s,
      });
    }
  }
  return results;
}

export function evaluateWatch(rows) {
  const t = WATCH.target;
  const r = rows.find((x) => x.files === t.files);
  if (!r) return null;
  const checks = [
    {
      label: `ready at most ${t.maxReadyMs / 1000} s`,
      value: `${(r.readyMs / 1000).toFixed(2)} s`,
      pass: r.readyMs <= t.maxReadyMs,
    },
    {
      label: `at most ${t.maxRssMB} MB`,
      value: `${Math.round(r.peakRssKiB / 1024)} MB`,
      pass: r.peakRssKiB / 1024 <= t.maxRssMB,
    },
    {
      label: `a job started at most ${t.maxAfterQuietMs} ms after the quiet period`,
      value: `${r.afterQuietMs.toFixed(0)} ms`,
      pass: r.afterQuietMs <= t.maxAfterQuietMs,
    },
  ];
  return { checks, pass: checks.every((c) => c.pass) };
}

/** The section as bench/run.mjs runs it: its own trees, the runner under test. */
export async function benchWatch(ctx, io) {
  const trees = WATCH.sizes.map((files) => {
    io.progress(`watch: generating and warming ${files} files (untimed)`);
    return prepareWatchTree({ genTree: ctx.genTree, work: ctx.work, files, runner: ctx.runner, env: ctx.runnerEnv });
  });
  const rows = await benchWatchTrees({
    runners: [ctx.runner],
    env: ctx.runnerEnv,
    trees,
    rounds: WATCH.rounds,
    edits: WATCH.edits,
    debounceMs: WATCH.debounceMs,
    progress: io.progress,
  });
  const target = evaluateWatch(rows);
  return { rows, target, rounds: WATCH.rounds, edits: WATCH.edits, load: os.loadavg(), pass: target?.pass ?? true };
}

export function renderWatch(w) {
  const out = [
    `watch: ${w.rounds} sessions per size and runner, ${w.edits} edits each, --debounce ${WATCH.debounceMs}; ` +
      `load average ${w.load.map((x) => x.toFixed(2)).join(' ')}`,
  ];
  // README rows: medians of the sessions (peak RSS: the highest), one row per size and runner.
  const many = new Set(w.rows.map((r) => r.runner.join(' '))).size > 1;
  out.push(
    `| files |${many ? ' runner |' : ''} ready after start | peak RSS | inotify watches | edit to job start, after the quiet period | CPU per edit's cycle |`,
  );
  out.push(`|---|${many ? '---|' : ''}---|---|---|---|---|`);
  for (const r of w.rows)
    out.push(
      `| ${r.files.toLocaleString('en-US')} |${many ? ` ${r.runner.at(-1)} |` : ''} ${(r.readyMs / 1000).toFixed(2)} s | ` +
        `${Math.round(r.peakRssKiB / 1024)} MB | ${r.watches} | ${r.afterQuietMs.toFixed(0)} ms | ${r.cycleCpuMs.toFixed(0)} ms |`,
    );
  if (w.target) for (const c of w.target.checks) out.push(`${c.label}: ${c.pass ? 'PASS' : 'FAIL'} (${c.value})`);
  return out;
}

async function main(argv) {
  const o = {
    runners: [],
    sizes: WATCH.sizes,
    rounds: WATCH.rounds,
    edits: WATCH.edits,
    tmp: os.tmpdir(),
    keep: false,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runner') o.runners.push(path.resolve(argv[++i]));
    else if (a === '--sizes') o.sizes = argv[++i].split(',').map(Number);
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--edits') o.edits = Number(argv[++i]);
    else if (a === '--tmp') o.tmp = argv[++i];
    else if (a === '--keep') o.keep = true;
    else if (a === '--json') o.json = true;
    else throw new Error(`unknown option ${a}`);
  }
  const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  if (o.runners.length === 0) o.runners.push(path.join(repo, 'bin', 'runner'));
  const runners = o.runners.map((r) => [process.execPath, r]);
  const env = { ...process.env, RUNNER_WATCHMAN: process.env.RUNNER_WATCHMAN ?? '0' };
  const work = fs.mkdtempSync(path.join(o.tmp, 'runner-bench-watch-'));
  const progress = (m) => process.stderr.write(`bench: ${m}\n`);
  try {
    const genTree = path.resolve(repo, '..', 'shared', 'bench', 'gen-tree.mjs');
    const trees = o.sizes.map((files) => {
      progress(`watch: generating and warming ${files} files (untimed)`);
      return prepareWatchTree({ genTree, work, files, runner: runners[0], env });
    });
    const rows = await benchWatchTrees({
      runners,
      env,
      trees,
      rounds: o.rounds,
      edits: o.edits,
      debounceMs: WATCH.debounceMs,
      progress,
    });
    const w = {
      rows,
      target: runners.length === 1 ? evaluateWatch(rows) : null,
      rounds: o.rounds,
      edits: o.edits,
      load: os.loadavg(),
    };
    if (o.json) process.stdout.write(JSON.stringify(w, null, 2) + '\n');
    else {
      process.stdout.write(renderWatch(w).join('\n') + '\n');
      for (const r of rows)
        process.stdout.write(
          `${r.files} ${r.runner[1]}: ${JSON.stringify(r.samples.map((s) => [Math.round(s.readyMs), Math.round(s.peakRssKiB / 1024), s.afterQuietMs.map(Math.round)]))}\n`,
        );
    }
  } finally {
    if (!o.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
