// Final words of each command: the run summary, scan counts, explain's
// verdicts, dry-run plans. Each returns the text; the CLI prints it.
import type { DepsReport, Explanation, ScanReport, ToolExplanation } from '../api/command-reports.js';
import type { RunReport, ScanSummary } from '../api/run-report.js';
import type { RemoteSummary } from '../cache/index.js';
import type { StaleReason } from '../plan/index.js';
import { chunksOfRun, describeChunk, sharedJudgement } from './chunks.js';
import { describeEnd } from './lines.js';
import { briefReasons, describeReason } from './reasons.js';
import { type Style, bold, red, seconds, shown } from './style.js';
import { describeUnresolvedDependency } from './unresolved.js';

/** Imports that resolve nowhere named per job by explain; past this many, the count says it. */
const UNRESOLVED_EXPLAINED = 10;

/** Failures listed by name at the end of a run; past this many, the count says it. */
const FAILURES_LISTED = 20;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** With --since: what git counted as changed, so a CI log shows why these jobs were selected. */
function sinceLine(r: RunReport): string[] {
  if (r.since === undefined) return [];
  const { ref, mergeBase, changed, deleted } = r.since;
  return [
    `runner: since ${ref} (merge base ${mergeBase.slice(0, 12)}): ${plural(changed.length, 'file')} changed, ${deleted.length} deleted`,
  ];
}

export function renderRunSummary(style: Style, r: RunReport): string {
  const c = r.counts;
  const lines: string[] = [];
  if (r.dryRun) {
    // A batch tool's files are listed by the chunks they would run in, where its first file stands.
    const chunked = new Map(chunksOfRun(r.jobs.filter((j) => j.status === 'would-run')).map((t) => [t.tool, t]));
    const listed = new Set<string>();
    for (const j of r.jobs) {
      if (j.status !== 'would-run') continue;
      const tool = chunked.get(j.tool);
      if (tool === undefined) {
        lines.push(`would run ${j.tool} ${j.path} (${briefReasons(j.reasons)})`);
        continue;
      }
      if (listed.has(j.tool)) continue;
      listed.add(j.tool);
      lines.push(`would run ${j.tool} in ${plural(tool.chunks.length, 'chunk')} (one process each):`);
      for (const c of tool.chunks) {
        lines.push(`  ${describeChunk(c.chunk)}:`);
        for (const f of c.jobs) lines.push(`    ${f.path} (${briefReasons(f.reasons)})`);
      }
    }
    const unread = c.unreadable > 0 ? `, ${c.unreadable} not checked (unreadable)` : '';
    lines.push(...sinceLine(r));
    lines.push(
      `runner: dry run: ${plural(c.jobs, 'job')}${r.shard === undefined ? '' : ` (shard ${r.shard.index}/${r.shard.count})`}: ${c.jobs - c.fresh - c.cachedFailures - c.unreadable} would run, ${plural(c.cachedFailures, 'cached failure')}, ${c.fresh} fresh${unread}`,
    );
    return lines.join('\n') + '\n';
  }
  const failures = r.jobs.filter((j) => j.status === 'failed' || j.status === 'cached-failure');
  if (failures.length > 0) {
    lines.push(bold(style, `runner: ${plural(failures.length, 'failure')}:`));
    for (const j of failures.slice(0, FAILURES_LISTED)) {
      lines.push(
        `  ${red(style, 'FAIL')} ${j.tool} ${j.path} (${describeEnd(j)})${j.log === null ? ' no log: it wrote nothing' : ` log: ${shown(style, j.log)}`}`,
      );
      const shared = sharedJudgement(j);
      if (shared !== null) lines.push(`    ${shared}`);
    }
    if (failures.length > FAILURES_LISTED) lines.push(`  ... and ${failures.length - FAILURES_LISTED} more`);
  }
  const parts = [
    `${c.ran} ran (${c.passed} passed, ${c.failed} failed)`,
    plural(c.cachedFailures, 'cached failure'),
    `${c.fresh} fresh${c.restored === undefined ? '' : ` (${c.restored} with outputs restored)`}`,
  ];
  if (c.interrupted > 0) parts.push(`${c.interrupted} interrupted`);
  if (c.notStarted > 0) parts.push(`${c.notStarted} not started`);
  if (c.unreadable > 0) parts.push(`${c.unreadable} not checked (unreadable)`);
  if (c.remoteHits !== undefined && c.remoteHits > 0) parts.push(`${c.remoteHits} from the remote cache`);
  // A shard's counts are its own share: said, so N machines' summaries are not read as N whole runs.
  const shard = r.shard === undefined ? '' : ` (shard ${r.shard.index}/${r.shard.count})`;
  let line = `runner: ${plural(c.jobs, 'job')}${shard}: ${parts.join(', ')} in ${seconds(r.durationMs)}`;
  if (r.interrupted !== null) line += ` (stopped by ${r.interrupted})`;
  lines.push(...sinceLine(r), line);
  if (r.mergedLog !== null) lines.push(`runner: failure logs merged into ${shown(style, r.mergedLog)}`);
  if (r.remote !== undefined) lines.push(describeRemote(r.remote));
  return lines.join('\n') + '\n';
}

/** Why jobs did not run here: what the remote cache had (its hits were restored, not run) and what it was given. */
function describeRemote(m: RemoteSummary): string {
  const given = m.readOnly ? 'read-only, uploads nothing' : `${plural(m.uploads, 'result')} uploaded`;
  const off = m.off === null ? '' : `; switched off: ${m.off}`;
  return `runner: remote cache ${m.url}: ${m.hits} of ${plural(m.lookups, 'job')} looked up had a result there (restored, not run), ${given}${off}`;
}

/**
 * For stderr, before the summary: what could not be read (each one named in
 * a warning above). A run fails on it; a scan, which runs nothing, says so.
 */
export function renderIssueWarning(s: ScanSummary, isRun = true): string {
  const { files, directories } = s.unreadable;
  if (files + directories === 0) return '';
  const what = [
    directories > 0 ? plural(directories, 'directory', 'directories') : '',
    files > 0 ? plural(files, 'file') : '',
  ]
    .filter((w) => w !== '')
    .join(' and ');
  const one = files + directories === 1;
  const [its, it] = one ? ['its', 'it'] : ['their', 'them'];
  return isRun
    ? `runner: error: ${what} could not be read (named above): ${its} jobs were not checked, so the run fails; make ${it} readable, or exclude ${it} in the config\n`
    : `runner: warning: ${what} could not be read (named above): ${its} jobs cannot be checked, and \`runner run\` fails until ${one ? 'it is' : 'they are'} readable or excluded\n`;
}

function scanCounts(s: ScanSummary): string {
  return `tracked ${s.tracked}, new ${s.new}, changed ${s.changed}, removed ${s.removed}`;
}

export function renderScan(r: ScanReport): string {
  const perTool = r.tools.map((t) => `${t} ${r.stale.filter((j) => j.tool === t).length}`);
  const lines = [`runner: ${scanCounts(r.scan)} (read ${r.scan.hashed}) in ${seconds(r.durationMs)}`];
  for (const [kind, d] of Object.entries(r.deps))
    lines.push(
      `runner: ${kind} imports: ${d.files} files, ${d.scanned} read again${d.resolved === undefined ? '' : `, ${d.resolved} resolved again`}${d.followed ? `, ${d.followed} untracked files followed` : ''}`,
    );
  lines.push(r.stale.length === 0 ? 'runner: no stale jobs' : `runner: stale jobs: ${perTool.join(', ')}`);
  return lines.join('\n') + '\n';
}

export function renderDeps(d: DepsReport): string {
  const list = (items: readonly string[]): string[] =>
    items.length === 0 ? ['    (none)'] : items.map((i) => `    ${i}`);
  const out: string[] = [];
  if (d.kind !== null && d.direct !== null) {
    const direct = [...d.direct.files, ...d.direct.external, ...d.direct.unresolved.map((n) => `?${n} (unresolved)`)];
    out.push(
      `${d.file} (${d.kind})`,
      '  imports:',
      ...list(direct),
      '  depends on, transitively:',
      ...list(d.transitive.map((t) => (t.startsWith('?') ? `${t} (unresolved)` : t))),
      '  depended on by:',
      ...list(d.dependents),
    );
  }
  for (const r of d.recorded) {
    out.push(`${d.file}, tool ${r.tool} (${r.kind}), as its last run reported:`);
    out.push(...(r.deps === null ? ['    (nothing known: it has not run, or reported nothing)'] : list(r.deps)));
  }
  if (out.length === 0)
    return `${d.file}: no tool that takes it declares "deps", so runner tracks no dependencies for it\n`;
  return out.join('\n') + '\n';
}

export function renderExplanation(e: Explanation): string {
  if (!e.tracked) return `${e.file}: not tracked: ${e.untracked ?? 'unknown'}\n`;
  const width = Math.max(...e.tools.map((t) => t.tool.length));
  const lines: string[] = [e.file];
  for (const t of e.tools) {
    const name = `${t.tool}:`.padEnd(width + 1);
    const from = t.last?.remote === true ? ', restored from the remote cache' : '';
    const last =
      t.last === null ? '' : ` (last ${t.last.status} ${new Date(t.last.finishedAt).toLocaleString()}${from})`;
    switch (t.state) {
      case 'fresh':
        lines.push(`  ${name} fresh${last}`);
        break;
      case 'cached-failure':
        lines.push(`  ${name} cached failure${last}: not rerun until its inputs change or --rerun-failed`);
        break;
      case 'not-selected':
        lines.push(`  ${name} not selected (the tool's include/exclude leaves this file out)`);
        break;
      case 'stale':
        lines.push(`  ${name} stale`);
        lines.push(...reasonLines(t.reasons));
        break;
    }
    if (t.state === 'not-selected') continue;
    if (t.lastLogShares !== null && t.lastLogShares > 1) {
      const others = t.lastLogShares - 1;
      lines.push(
        `    note: last judged in one process (a batch chunk) with ${others} other ${others === 1 ? 'file' : 'files'}: its log is that process's whole output`,
      );
    }
    // Imports made in the tree come first: the user can act on them. Those made inside installed packages
    // (optional imports they guard) are counted in one line; every one of them still makes the job run again.
    const own = t.unresolved.filter((u) => !importedOutsideTree(u.via));
    const installed = t.unresolved.filter((u) => importedOutsideTree(u.via));
    for (const u of own.slice(0, UNRESOLVED_EXPLAINED))
      lines.push(`    note: ${describeUnresolvedDependency(u.name, u.via)}`);
    const more = own.length - UNRESOLVED_EXPLAINED;
    if (more > 0)
      lines.push(`    note: and ${more} more imports that resolve nowhere (\`runner deps ${e.file}\` lists them)`);
    if (installed.length > 0) {
      // Named once each, absolute names first: a relative one (`.extern.x`) says little without its importer.
      const names = [...new Set(installed.map((u) => u.name))];
      const some = [...names.filter((n) => !n.startsWith('.')), ...names.filter((n) => n.startsWith('.'))].slice(0, 3);
      const plural = installed.length === 1 ? 'import' : 'imports';
      lines.push(
        `    note: depends on ${installed.length} ${plural} made outside the source tree (installed packages) resolving nowhere, ` +
          `e.g. ${some.join(', ')}: runs again once one resolves (\`runner deps ${e.file}\` lists them)`,
      );
    }
    if (t.unshareable.length > 0) {
      lines.push(
        '    note: its key holds what another machine or checkout cannot share, so its result is never uploaded:',
      );
      for (const part of t.unshareable) lines.push(`      - ${part}`);
    }
    if (t.last?.remoteMiss === true) lines.push(...remoteMissLines(t));
  }
  return lines.join('\n') + '\n';
}

/** Groups of dependencies named by place that a remote miss's note lists; --json keeps all. */
const PLACES_EXPLAINED = 4;

/**
 * Why a job whose last run followed a remote miss may have missed, as far as this machine can tell:
 * what in its key another machine cannot have (unshareable, listed above) and the files outside the
 * tree its key names by where they are, which another machine has under the same names only if it
 * put them in the same place (a HOME of its own renames everything below it).
 */
function remoteMissLines(t: ToolExplanation): string[] {
  const lines = [
    "    note: its last run followed a remote cache lookup that found nothing under its key: another machine's result is shared only when its key is the same, every input and every name in it",
  ];
  if (t.unshareable.length > 0) lines.push('    note: here its key cannot be shared at all (listed above)');
  const files = t.namedByPlace.reduce((n, g) => n + g.files, 0);
  if (files === 0) return lines;
  lines.push(
    `    note: its key names ${plural(files, 'file')} outside the source tree by place as well as by content:`,
  );
  for (const g of t.namedByPlace.slice(0, PLACES_EXPLAINED))
    lines.push(
      `      - ${g.under}/... (${plural(g.files, 'file')}, ${g.by === 'home' ? `below HOME, here ${t.home ?? 'unset'}` : 'by absolute path'})`,
    );
  const more = t.namedByPlace.length - PLACES_EXPLAINED;
  if (more > 0) lines.push(`      - and ${more} more ${more === 1 ? 'place' : 'places'} (explain --json lists them)`);
  return lines;
}

/** A few renamed dependencies say it: another HOME renames every file under it (pypa/pip: 825 of them); --json keeps all. */
const RENAMES_EXPLAINED = 3;

function reasonLines(reasons: readonly StaleReason[]): string[] {
  const isRename = (r: StaleReason): boolean => r.kind === 'dependency' && r.change === 'renamed';
  const renames = reasons.filter(isRename).length;
  let shown = 0;
  const lines: string[] = [];
  for (const r of reasons) {
    if (isRename(r) && ++shown > RENAMES_EXPLAINED) continue;
    lines.push(`    - ${describeReason(r)}`);
  }
  const more = renames - RENAMES_EXPLAINED;
  if (more > 0)
    lines.push(`    - and ${more} more ${more === 1 ? 'dependency' : 'dependencies'} named another way (another HOME)`);
  return lines;
}

/** Whether the file making the import (the chain's last file) lies outside the source tree: an installed package. */
function importedOutsideTree(via: readonly string[]): boolean {
  const importer = via[via.length - 2];
  return importer !== undefined && (importer.startsWith('/') || importer.startsWith('~/'));
}
