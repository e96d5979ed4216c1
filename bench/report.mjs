// Renders bench results as a plain-text table (stdout) or JSON.

import { renderWorkspace } from './workspace.mjs';
import { renderBatch } from './batch.mjs';
import { renderStartup } from './startup.mjs';
import { renderRemote } from './remote.mjs';

const TARGET = { files: 100_000, maxRatio: 3, maxRssMB: 300 };

const int = (n) => n.toLocaleString('en-US');
const sec = (ms) => (ms == null ? 'n/a' : (ms / 1000).toFixed(3));
const mb = (kib) => (kib == null ? 'n/a' : (kib / 1024).toFixed(1));
const ratio = (x) => (x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(2));

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The target check, or null when the 100,000-file size was not run. */
export function evaluateTarget(sizes) {
  const s = sizes.find((x) => x.files === TARGET.files);
  if (!s) return null;
  const r = s.ratios.noopOverFind;
  const rssMB = s.noop.peakRssKiB == null ? null : s.noop.peakRssKiB / 1024;
  const pass = r != null && r <= TARGET.maxRatio && rssMB != null && rssMB < TARGET.maxRssMB;
  return { ...TARGET, ratio: r, rssMB, pass };
}

/** Issue 17's targets against git status at 100,000 files; pass is null when a row was not measured. */
const GIT_TARGETS = [
  { what: 'no-op', key: 'noopOverGitStatusPaired', maxRatio: 1.5 },
  { what: 'no-op with watchman', key: 'watchmanOverGitStatusPaired', maxRatio: 0.5 },
];

export function evaluateGitTargets(sizes) {
  const s = sizes.find((x) => x.files === TARGET.files);
  if (!s) return [];
  return GIT_TARGETS.map(({ what, key, maxRatio }) => {
    const r = s.ratios[key];
    return { what, files: s.files, maxRatio, ratio: r ?? null, pass: r == null ? null : r <= maxRatio };
  });
}

export function renderText(result) {
  const { meta, sizes, target, jobserver, deps, noopDeps, workspace, batch, startup, remote } = result;
  const sections = result.sections ?? ['tree'];
  const out = [];
  if (!sections.includes('tree')) {
    out.push(`runner bench: ${meta.cpus} CPUs, node ${meta.node}, ${meta.platform}`);
    out.push('');
    if (jobserver) out.push(...renderJobserver(jobserver));
    if (deps) out.push(...(jobserver ? [''] : []), ...renderDeps(deps));
    if (noopDeps) out.push(...(jobserver || deps ? [''] : []), ...renderNoopDeps(noopDeps));
    if (workspace) out.push(...(jobserver || deps || noopDeps ? [''] : []), ...renderWorkspace(workspace));
    if (batch) out.push(...(jobserver || deps || noopDeps || workspace ? [''] : []), ...renderBatch(batch));
    if (startup)
      out.push(...(jobserver || deps || noopDeps || workspace || batch ? [''] : []), ...renderStartup(startup));
    if (remote)
      out.push(
        ...(jobserver || deps || noopDeps || workspace || batch || startup ? [''] : []),
        ...renderRemote(remote),
      );
    return out.join('\n') + '\n';
  }
  out.push(
    `runner bench: ${meta.cpus} CPUs, -j ${meta.jobs}, node ${meta.node}, ${meta.platform}; ` +
      `no-op/one-changed/find/git status: median of ${meta.runs}`,
  );
  out.push(`runner: ${meta.runnerCommand.join(' ')}`);
  out.push(
    meta.rss.method === 'none'
      ? 'peak RSS: not measured (neither GNU time nor python3 available)'
      : `peak RSS: ${meta.rss.describe} (max over the runs); runner times exclude that wrapper's own ` +
          `${meta.wrapperOverheadMs.toFixed(1)} ms`,
  );
  out.push('');
  const headers = [
    'files',
    'cold s',
    'no-op s',
    '1-changed s',
    'cold MB',
    'no-op MB',
    '1-changed MB',
    'find s',
    'git status s',
    'no-op/find',
    'no-op/git',
  ];
  const rows = sizes.map((s) => [
    int(s.files),
    sec(s.cold.ms),
    sec(s.noop.ms),
    sec(s.oneChanged.ms),
    mb(s.cold.peakRssKiB),
    mb(s.noop.peakRssKiB),
    mb(s.oneChanged.peakRssKiB),
    sec(s.find.ms),
    sec(s.gitStatus.ms),
    ratio(s.ratios.noopOverFind),
    ratio(s.ratios.noopOverGitStatus),
  ]);
  out.push(table(headers, rows));
  out.push('');
  if (target) {
    out.push(
      `no-op on ${int(target.files)} files within ${target.maxRatio}x the find floor and under ` +
        `${target.maxRssMB} MB peak RSS: ${target.pass ? 'PASS' : 'FAIL'} ` +
        `(ratio ${ratio(target.ratio)}, ${target.rssMB == null ? 'n/a' : target.rssMB.toFixed(0)} MB)`,
    );
  } else {
    out.push(`target (no-op on ${int(TARGET.files)} files): not checked, that size was not run`);
  }
  for (const t of result.gitTargets ?? []) {
    out.push(
      `${t.what} on ${int(t.files)} files at most ${t.maxRatio}x git status (paired, median of the rounds' ratios): ` +
        (t.pass === null
          ? 'not measured (watchman is not on PATH)'
          : `${t.pass ? 'PASS' : 'FAIL'} (ratio ${ratio(t.ratio)})`),
    );
  }
  for (const s of sizes.filter((x) => x.nodeStart))
    out.push(
      `node -e 0 on its own (no Node program is faster) with ${int(s.files)} files: ${sec(s.nodeStart.ms)} s, ` +
        `${ratio(s.ratios.nodeStartOverGitStatusPaired)}x git status (paired)`,
    );
  const wm = sizes.filter((s) => s.noopWatchman);
  if (wm.length > 0)
    out.push(`no-op with watchman: ${wm.map((s) => `${int(s.files)} files ${sec(s.noopWatchman.ms)} s`).join(', ')}`);
  for (const s of sizes) {
    const f = s.coldFloor;
    out.push(
      `cold run on ${int(s.files)} files at most ${f.maxRatio}x xargs -P ${f.jobs} -n 1 true: ${f.pass ? 'PASS' : 'FAIL'} ` +
        `(ratio ${ratio(f.ratio)}; cold ${sec(s.cold.ms)} s, xargs ${f.xargs.runsMs.map(sec).join(' / ')} s before / after)`,
    );
  }
  if (jobserver) out.push('', ...renderJobserver(jobserver));
  if (deps) out.push('', ...renderDeps(deps));
  if (noopDeps) out.push('', ...renderNoopDeps(noopDeps));
  if (workspace) out.push('', ...renderWorkspace(workspace));
  if (batch) out.push('', ...renderBatch(batch));
  if (startup) out.push('', ...renderStartup(startup));
  if (remote) out.push('', ...renderRemote(remote));
  return out.join('\n') + '\n';
}

function renderNoopDeps(n) {
  const out = [
    `noop-deps: a no-op with deps against the same no-op without, median of ${n.results[0]?.runs ?? 0} each, alternating`,
  ];
  out.push(`  ${n.runCommand.join(' ')}`);
  out.push('');
  out.push(
    table(
      [
        'deps',
        'files',
        'no deps s',
        'with deps s',
        'ratio',
        'no deps CPU s',
        'with deps CPU s',
        'CPU ratio',
        'no deps runs s',
        'with deps runs s',
      ],
      n.results.map((r) => [
        r.kind,
        int(r.files),
        sec(r.none.ms),
        sec(r.deps.ms),
        ratio(r.ratio),
        sec(r.none.cpuMs),
        sec(r.deps.cpuMs),
        ratio(r.cpuRatio),
        r.none.runsMs.map(sec).join(' '),
        r.deps.runsMs.map(sec).join(' '),
      ]),
    ),
  );
  out.push('(wall clock; CPU: user + system of the runner process and its threads, for a busy machine)');
  out.push('');
  for (const r of n.results) {
    out.push(
      `no-op with "deps": "${r.kind}" on ${int(r.files)} files within ${n.maxRatio}x the no-op without deps: ` +
        `${r.target.pass ? 'PASS' : 'FAIL'} (${ratio(r.ratio)}; CPU ${ratio(r.cpuRatio)})`,
    );
  }
  return out;
}

function renderDeps(kinds) {
  const out = ['deps: runner scan --json on a generated tree whose one tool declares the kind; one changed: median'];
  const rows = kinds
    .filter((k) => k.available)
    .map((k) => [
      k.kind,
      int(k.files),
      sec(k.coldMs),
      int(k.coldScanned),
      sec(k.oneChangedMs),
      k.oneChangedScanned.join(' '),
    ]);
  if (rows.length > 0)
    out.push(table(['kind', 'files', 'cold s', 'read cold', '1-changed s', 'read after each change'], rows));
  for (const k of kinds) {
    if (!k.available) {
      out.push(`${k.kind}: not available in this runner yet`);
      continue;
    }
    out.push(
      `cold ${k.kind} scan of ${int(k.files)} files under ${k.target.maxColdMs / 1000} s, and one change re-reading one file: ` +
        `${k.target.pass ? 'PASS' : 'FAIL'} (${sec(k.coldMs)} s)`,
    );
  }
  return out;
}

function renderJobserver(j) {
  const ms2 = (x) => x.toFixed(2);
  const out = [];
  out.push(`jobserver: ${int(j.jobs)} trivial jobs (--force), median of ${j.runs} each, alternating`);
  out.push(`  under make: ${j.makeCommand.join(' ')}, recipe ${j.recipe}`);
  out.push(`  alone:      ${j.aloneCommand.join(' ')}`);
  out.push('');
  out.push(
    table(
      ['run', 'median s', 'runs s', 'ms/job'],
      [
        [
          `make -j${j.makeJobs} (tokens from make's pipe)`,
          sec(j.underMake.ms),
          j.underMake.runsMs.map(sec).join(' '),
          ms2(j.underMake.ms / j.jobs),
        ],
        [
          `runner -j ${j.makeJobs} --no-jobserver (local pool)`,
          sec(j.alone.ms),
          j.alone.runsMs.map(sec).join(' '),
          ms2(j.alone.ms / j.jobs),
        ],
        ['difference', sec(j.diffMs), '', ms2(j.msPerJob)],
      ],
    ),
  );
  out.push('');
  out.push(
    `jobserver overhead per job under ${j.target.maxMsPerJob} ms: ${j.target.pass ? 'PASS' : 'FAIL'} (${ms2(j.msPerJob)} ms)`,
  );
  return out;
}

export function renderJson(result) {
  return JSON.stringify(result, null, 2) + '\n';
}
