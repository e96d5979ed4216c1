// bench/workspace.mjs - "deps": "javascript" on a monorepo (issue 11), beside
// the 10,000-file generated javascript tree, measured side by side.
//
// Trees: a generated workspace (bench/gen-workspace.mjs: packages linked
// through node_modules symlinks, a tsconfig per package extending a base with
// `paths`, about 3,000 files) and the 10,000-file .ts/.js tree of the deps
// and noop-deps sections (../shared/bench/gen-tree.mjs, same seed). Each tree
// is copied twice: a trivial tool (`true` on every .ts/.js file) without
// deps, and the same tool with "deps": "javascript". Every timed command is
// `runner scan --json` (the dependency work of a run without starting jobs),
// the two copies alternating round by round (which goes first alternates
// too), so drift and cache warmth hit both alike:
//   cold        the state directory removed first (3 rounds)
//   no-op       nothing changed since the last scan (--runs rounds)
//   one change  one line appended to the same file in both copies (3 rounds;
//               the deps copy must read that one file's imports again)
// Reported: medians, and the ratio with deps / without deps per phase, of
// the wall clock and of CPU time (user + system).

import fs from 'node:fs';
import path from 'node:path';
import { median } from './measure.mjs';
import { generateWorkspace } from './gen-workspace.mjs';

export const WORKSPACE = {
  workspaceFiles: 3000,
  packages: 12,
  generatedFiles: 10_000,
  coldRounds: 3,
  changeRounds: 3,
  include: ['**/*.ts', '**/*.js'],
};

const int = (n) => n.toLocaleString('en-US');

/** Times one tree; `io` carries run.mjs's plumbing (sh, checkpoint, progress, errors). */
async function benchTree(spec, ctx, io) {
  const { measure, notes } = ctx;
  const dir = path.join(ctx.work, `workspace-${spec.name}`);
  const trees = { none: path.join(dir, 'none'), deps: path.join(dir, 'deps') };
  fs.mkdirSync(dir);
  io.progress(`workspace ${spec.label}: generating`);
  const gen = await spec.generate(trees.none);
  // cp -a keeps the node_modules symlinks as symlinks (relative, so they land in the copy).
  await io.sh(['cp', '-a', trees.none, trees.deps]);
  const configOf = (deps) => ({
    include: [...WORKSPACE.include, '**/package.json', '**/tsconfig*.json'],
    tools: [{ name: 'noop', command: ['true'], include: WORKSPACE.include, ...(deps ? { deps: 'javascript' } : {}) }],
  });
  for (const variant of ['none', 'deps']) {
    fs.writeFileSync(
      path.join(trees[variant], '.runnerrc.json'),
      JSON.stringify(configOf(variant === 'deps'), null, 2) + '\n',
    );
  }
  const scan = async (variant, phase) => {
    const argv = [...ctx.runner, 'scan', '--json', '-C', trees[variant]];
    const withRss = ctx.rss.method !== 'none';
    const r = measure.run(argv, { cwd: ctx.work, env: ctx.runnerEnv, withRss });
    await io.checkpoint(r);
    if (r.status !== 0) {
      throw new io.RunnerFailed(
        `workspace ${spec.label}: runner scan failed (${phase}, ${variant}): exit ${r.status}\n${r.stderr.trimEnd()}`,
      );
    }
    if (r.stderr.trim())
      notes.add(
        `workspace ${spec.label}: runner wrote to stderr (${phase}, ${variant}): ${r.stderr.trim().slice(0, 300)}`,
      );
    const report = JSON.parse(r.stdout);
    return {
      ms: withRss ? Math.max(0, r.ms - ctx.wrapperOverheadMs) : r.ms,
      cpuMs: r.cpuMs,
      deps: report.deps?.javascript ?? null,
    };
  };
  const alternate = async (rounds, phase, before) => {
    const samples = { none: [], deps: [] };
    for (let i = 0; i < rounds; i++) {
      io.progress(`workspace ${spec.label}: ${phase} round ${i + 1}/${rounds}`);
      if (before) before(i);
      for (const variant of i % 2 === 0 ? ['none', 'deps'] : ['deps', 'none']) {
        if (phase === 'cold') fs.rmSync(path.join(trees[variant], '.runner'), { recursive: true, force: true });
        samples[variant].push(await scan(variant, phase));
      }
    }
    const none = median(samples.none.map((s) => s.ms));
    const deps = median(samples.deps.map((s) => s.ms));
    const cpu = (xs) => (xs.some((x) => x.cpuMs == null) ? null : median(xs.map((x) => x.cpuMs)));
    const noneCpu = cpu(samples.none);
    const depsCpu = cpu(samples.deps);
    return {
      noneMs: none,
      depsMs: deps,
      ratio: deps / none,
      runsMs: { none: samples.none.map((s) => s.ms), deps: samples.deps.map((s) => s.ms) },
      noneCpuMs: noneCpu,
      depsCpuMs: depsCpu,
      cpuRatio: noneCpu == null || depsCpu == null ? null : depsCpu / noneCpu,
      reported: samples.deps.map((s) => s.deps),
    };
  };
  const cold = await alternate(WORKSPACE.coldRounds, 'cold');
  // An untimed no-op each: whatever the cold scan left to settle (racy entries) settles here.
  await scan('none', 'warm-up');
  await scan('deps', 'warm-up');
  const noop = await alternate(ctx.runs, 'no-op');
  const change = await alternate(WORKSPACE.changeRounds, 'one change', (i) => {
    for (const variant of ['none', 'deps'])
      fs.appendFileSync(path.join(trees[variant], gen.changeTarget), `\n// edit ${i}\n`);
  });
  const reread = change.reported.map((d) => d?.scanned ?? null);
  if (reread.some((n) => n !== 1))
    notes.add(`workspace ${spec.label}: a one-file change read the imports of ${reread.join(', ')} files, not 1`);
  const noopResolved = noop.reported.map((d) => d?.resolved ?? null);
  if (noopResolved.some((n) => n !== 0))
    notes.add(
      `workspace ${spec.label}: a no-op resolved ${noopResolved.join(', ')} files again, not 0 (the kept graph was not reused)`,
    );
  return {
    tree: spec.label,
    files: gen.files,
    imports: gen.imports,
    changed: gen.changeTarget,
    cold,
    noop,
    change,
    changeResolved: change.reported.map((d) => d?.resolved ?? null),
  };
}

/** The workspace tree and the 10,000-file generated javascript tree. */
export async function benchWorkspace(ctx, io) {
  const specs = [
    {
      name: 'monorepo',
      label: `workspace (${WORKSPACE.packages} packages)`,
      generate: async (out) =>
        generateWorkspace({ out, files: WORKSPACE.workspaceFiles, packages: WORKSPACE.packages }),
    },
    {
      name: 'generated',
      label: 'generated .ts/.js',
      generate: async (out) => {
        const stdout = await io.sh(
          [
            process.execPath,
            ctx.genTree,
            '--out',
            out,
            '--files',
            String(WORKSPACE.generatedFiles),
            '--ext',
            'ts:50,js:50',
            '--seed',
            '6',
          ],
          { what: 'gen-tree.mjs' },
        );
        const gen = JSON.parse(stdout.trim().split('\n').pop());
        const first = listFirstSource(out);
        return { files: gen.files, imports: gen.imports, changeTarget: first };
      },
    },
  ];
  const results = [];
  for (const spec of specs) results.push(await benchTree(spec, ctx, io));
  return { command: [...ctx.runner, 'scan', '--json', '-C', '<tree>'], results };
}

/** The first .ts file in sorted order: generated early, so many files import it. */
function listFirstSource(root) {
  const walk = (rel) => {
    const entries = fs
      .readdirSync(path.join(root, rel), { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isFile() && e.name.endsWith('.ts')) return child;
      if (e.isDirectory()) {
        const found = walk(child);
        if (found !== null) return found;
      }
    }
    return null;
  };
  return walk('');
}

export function renderWorkspace(w) {
  const sec = (ms) => (ms == null ? 'n/a' : (ms / 1000).toFixed(3));
  const ratio = (x) => (x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(2));
  const out = [
    'workspace: "deps": "javascript", runner scan --json with deps against the same scan without, medians, alternating',
    `  ${w.command.join(' ')}`,
    '',
  ];
  const headers = [
    'tree',
    'files',
    'phase',
    'no deps s',
    'with deps s',
    'ratio',
    'no deps CPU s',
    'with deps CPU s',
    'CPU ratio',
    'with deps runs s',
  ];
  const rows = [];
  for (const r of w.results) {
    for (const [phase, m] of [
      ['cold', r.cold],
      ['no-op', r.noop],
      ['one change', r.change],
    ]) {
      rows.push([
        r.tree,
        int(r.files),
        phase,
        sec(m.noneMs),
        sec(m.depsMs),
        ratio(m.ratio),
        sec(m.noneCpuMs),
        sec(m.depsCpuMs),
        ratio(m.cpuRatio),
        m.runsMs.deps.map(sec).join(' '),
      ]);
    }
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i <= 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  out.push(line(headers), widths.map((w2) => '-'.repeat(w2)).join('  '), ...rows.map(line));
  out.push('(wall clock; CPU: user + system of the runner process and its threads, steadier on a busy machine)');
  for (const r of w.results) {
    out.push(
      `${r.tree}: ${int(r.imports)} imports; one change appends to ${r.changed} (files resolved again: ${r.changeResolved.join(', ')})`,
    );
  }
  return out;
}
