// bench/startup.mjs - runner's fixed cost per process (issue 15 point 12):
// `runner --version` against `node -e 0`, and for scale `runner --help` and a
// no-op `runner run` on a small generated tree (100 files, a `true` tool),
// each paired with `node -e 0` in the same round. The commands rotate their
// order round by round, so drift and a busy neighbour hit all alike; the
// figure is the median of the per-round differences (wall clock, and CPU:
// user + system of the command and what it waited for, which a busy machine
// inflates far less). Target: `runner --version` within 0.05 s of `node -e 0`.

import fs from 'node:fs';
import path from 'node:path';
import { median } from './measure.mjs';

export const STARTUP = {
  rounds: 21,
  smallTreeFiles: 100,
  maxVersionOverNodeMs: 50,
};

export async function benchStartup(ctx, io) {
  const tree = path.join(ctx.work, 'startup-tree');
  fs.mkdirSync(tree);
  for (let i = 0; i < STARTUP.smallTreeFiles; i++) {
    const dir = path.join(tree, `d${Math.floor(i / 20)}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}\n`);
  }
  fs.writeFileSync(
    path.join(tree, '.runnerrc.json'),
    JSON.stringify({ include: ['**/*.txt'], tools: [{ name: 'noop', command: ['true', '{file}'] }] }, null, 2) + '\n',
  );
  const withRss = ctx.rss.method !== 'none';
  const commands = [
    { key: 'node', label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    { key: 'version', label: 'runner --version', argv: [...ctx.runner, '--version'] },
    { key: 'help', label: 'runner --help', argv: [...ctx.runner, '--help'] },
    {
      key: 'noop',
      label: `runner run, no-op, ${STARTUP.smallTreeFiles} files`,
      argv: [...ctx.runner, 'run', '-q', '-C', tree],
    },
  ];
  const once = async (c) => {
    const r = ctx.measure.run(c.argv, { cwd: ctx.work, env: ctx.runnerEnv, withRss });
    await io.checkpoint(r);
    if (r.status !== 0)
      throw new io.RunnerFailed(`startup: ${c.argv.join(' ')} failed (exit ${r.status})\n${r.stderr.trimEnd()}`);
    return { ms: r.ms, cpuMs: r.cpuMs };
  };
  io.progress(`startup: cold run of the ${STARTUP.smallTreeFiles}-file tree (untimed)`);
  await once({ argv: [...ctx.runner, 'run', '-q', '-C', tree] });
  const samples = Object.fromEntries(commands.map((c) => [c.key, []]));
  for (let i = 0; i < STARTUP.rounds; i++) {
    if (i % 5 === 0) io.progress(`startup: round ${i + 1}/${STARTUP.rounds}`);
    const k = i % commands.length;
    for (const c of [...commands.slice(k), ...commands.slice(0, k)]) samples[c.key].push(await once(c));
  }
  const over = (key, field) => {
    const xs = samples[key].map((s, i) => (s[field] == null ? null : s[field] - samples.node[i][field]));
    return xs.some((x) => x === null) ? null : median(xs);
  };
  const rows = commands.map((c) => ({
    key: c.key,
    label: c.label,
    argv: c.argv.map((w) => (w === tree ? '<tree>' : w)),
    ms: median(samples[c.key].map((s) => s.ms)),
    cpuMs: withRss ? median(samples[c.key].map((s) => s.cpuMs)) : null,
    overNodeMs: c.key === 'node' ? 0 : over(c.key, 'ms'),
    cpuOverNodeMs: c.key === 'node' || !withRss ? null : over(c.key, 'cpuMs'),
  }));
  const version = rows.find((r) => r.key === 'version');
  return {
    rounds: STARTUP.rounds,
    rows,
    target: {
      maxOverNodeMs: STARTUP.maxVersionOverNodeMs,
      overNodeMs: version.overNodeMs,
      pass: version.overNodeMs <= STARTUP.maxVersionOverNodeMs,
    },
    pass: version.overNodeMs <= STARTUP.maxVersionOverNodeMs,
  };
}

export function renderStartup(s) {
  const ms = (x) => (x == null ? 'n/a' : x.toFixed(1));
  const rows = s.rows.map((r) => [r.label, ms(r.ms), ms(r.overNodeMs), ms(r.cpuMs), ms(r.cpuOverNodeMs)]);
  const headers = ['command', 'median ms', 'over node -e 0 ms', 'CPU ms', 'CPU over node ms'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `startup: each command paired with node -e 0 in every round, ${s.rounds} rounds, order rotating; ` +
      `"over": median of the per-round differences`,
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    `runner --version within ${s.target.maxOverNodeMs} ms of node -e 0: ${s.target.pass ? 'PASS' : 'FAIL'} ` +
      `(${ms(s.target.overNodeMs)} ms)`,
  ];
}
