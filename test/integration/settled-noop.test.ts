// A settled no-op (issue 17 point 1): a run that needed no job leaves a mark,
// and the next plain run checks the tree's stats against the stored ones in
// native code, reads no result and judges no job. These tests count with the
// probe that every change the walk would find still runs what it must after
// such a run, that -v says which way the scan went, and that anything the
// mark does not vouch for (a failure, another run's results, a changed config
// or environment, a deleted log) takes the full path again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { baseEnv, runRunner, show } from '../helpers/cli.js';
import { initRepo } from '../helpers/git.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';
import { RACY_MARGIN_MS } from '../../src/racy-margin.js';
import { seededRandom as rng, storedTree } from '../helpers/stored-tree.js';
import { readTrace, traceProblems } from '../helpers/trace.js';

const SETTLED_LINE = 'scan found the tree as the last run left it';

interface Probed {
  started: string[];
  settled: boolean;
  code: number | null;
}

/** One `runner run -v ARGS`: the files whose probe job really started, and whether the scan took the settled path. */
async function probed(sb: Sandbox, args: string[] = [], env: Record<string, string> = {}): Promise<Probed> {
  resetProbeLog(sb);
  const res = await runRunner(['run', '-v', ...args], { cwd: sb.tree, env: baseEnv(env) });
  expect(res.code === 0 || res.code === 1, show(res)).toBe(true);
  const settled = res.stdout.split('\n').some((l) => l.startsWith(SETTLED_LINE));
  return { started: readProbeLog(sb).started.sort(), settled, code: res.code };
}

/**
 * Runs until a run takes the settled path: first past the racy margin (a stat taken within 2 s of the last
 * scan may hide a change, so the files edited last are read again until a scan starts later than that), then
 * runs that leave the mark, then one that uses it.
 */
async function settle(sb: Sandbox, env: Record<string, string> = {}): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, RACY_MARGIN_MS + 100));
  // A kept result used again (a file back as it was) is journalled by the first run: the second leaves the mark.
  for (let i = 0; i < 2; i++) expect((await probed(sb, [], env)).started).toEqual([]);
  expect(await probed(sb, [], env)).toEqual({ started: [], settled: true, code: 0 });
}

function dbRows(sb: Sandbox): string {
  const db = new Database(path.join(sb.tree, '.runner', 'manifest.db'), { readonly: true });
  try {
    const rows = [
      db.prepare('SELECT key, value FROM meta ORDER BY key').raw().all(),
      db.prepare('SELECT name, hex(data) FROM snapshot ORDER BY name').raw().all(),
      db.prepare('SELECT COUNT(*) FROM result_journal').raw().all(),
    ];
    return crypto.createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  } finally {
    db.close();
  }
}

function dataTree(sb: Sandbox): string[] {
  for (let i = 0; i < 6; i++) writeText(sb, `data/d${i % 2}/f${i}.txt`, `value ${i}\n`);
  probeOnly(sb, {}, { include: ['data/**/*.txt'], exclude: [] });
  return [0, 1, 2, 3, 4, 5].map((i) => `data/d${i % 2}/f${i}.txt`).sort();
}

test('issue 17: after a settled no-op, every change the walk would find runs what it must, and only that', async () => {
  const sb = useFixture('python-demo');
  const all = dataTree(sb);
  expect((await probed(sb)).started).toEqual(all);
  await settle(sb);
  const before = dbRows(sb);
  expect(await probed(sb)).toEqual({ started: [], settled: true, code: 0 });
  expect(dbRows(sb)).toBe(before); // a settled no-op writes nothing, its mark included

  // A same-size rewrite with the old mtime put back: only its ctime tells.
  const f1 = path.join(sb.tree, 'data/d1/f1.txt');
  const old = fs.statSync(f1);
  fs.writeFileSync(f1, 'VALUE 1\n');
  fs.utimesSync(f1, old.atime, old.mtime);
  expect(await probed(sb)).toMatchObject({ started: ['data/d1/f1.txt'], settled: false });
  await settle(sb);

  fs.appendFileSync(path.join(sb.tree, 'data/d0/f2.txt'), 'more\n');
  writeText(sb, 'data/d0/new.txt', 'new\n');
  writeText(sb, 'data/d2/deeper/new.txt', 'deeper\n');
  expect((await probed(sb)).started).toEqual(['data/d0/f2.txt', 'data/d0/new.txt', 'data/d2/deeper/new.txt']);
  await settle(sb);

  fs.rmSync(path.join(sb.tree, 'data/d0/f4.txt'));
  expect(await probed(sb)).toMatchObject({ started: [], settled: false });
  await settle(sb);

  fs.renameSync(path.join(sb.tree, 'data/d2'), path.join(sb.tree, 'data/moved'));
  expect((await probed(sb)).started).toEqual(['data/moved/deeper/new.txt']);
  await settle(sb);

  // A tracked link: the walk follows it, so does the check.
  fs.symlinkSync('d1/f3.txt', path.join(sb.tree, 'data/link.txt'));
  expect((await probed(sb)).started).toEqual(['data/link.txt']);
  await settle(sb);
  fs.appendFileSync(path.join(sb.tree, 'data/d1/f3.txt'), 'through the link\n');
  expect((await probed(sb)).started).toEqual(['data/d1/f3.txt', 'data/link.txt']);
  await settle(sb);

  // Runs that are not plain neither use the mark nor leave one; the next plain run still does.
  expect(await probed(sb, ['data/d1/f3.txt'])).toEqual({ started: [], settled: false, code: 0 });
  expect(await probed(sb, ['--tool', 'probe'])).toEqual({ started: [], settled: false, code: 0 });
  expect(await probed(sb)).toEqual({ started: [], settled: true, code: 0 });
});

test('issue 17: a run after an edit in place looks again only at the files whose stats changed, and leaves what a walk finds', async () => {
  const sb = useFixture('python-demo');
  const all = dataTree(sb);
  expect((await probed(sb)).started).toEqual(all);
  await settle(sb);

  fs.appendFileSync(path.join(sb.tree, 'data/d0/f0.txt'), 'more\n');
  // A same-size rewrite with the old mtime put back: only its ctime tells.
  const f3 = path.join(sb.tree, 'data/d1/f3.txt');
  const old = fs.statSync(f3);
  fs.writeFileSync(f3, 'VALUE 3\n');
  fs.utimesSync(f3, old.atime, old.mtime);
  resetProbeLog(sb);
  const res = await runRunner(['run', '-v'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(readProbeLog(sb).started.sort()).toEqual(['data/d0/f0.txt', 'data/d1/f3.txt']);
  // The mark vouched for the other jobs: only the edited files' were judged, and all six are counted.
  expect(res.stdout).toContain('runner: 6 jobs: 2 ran (2 passed, 0 failed), 0 cached failures, 4 fresh in ');
  expect(res.stdout.split('\n').filter((l) => l.startsWith('scan '))).toEqual([
    'scan found every listing as stored and looked again only at the files whose stats changed (2 files changed or written too recently to trust the stat)',
  ]);
  // A walk over the tree then finds nothing the run did not record.
  const walked = await runRunner(['scan', '--json'], { cwd: sb.tree, env: baseEnv() });
  expect(walked.code, show(walked)).toBe(0);
  expect(JSON.parse(walked.stdout).scan).toMatchObject({ new: 0, changed: 0, removed: 0 });

  // A run that lists its fresh jobs (--json) takes the same way, and runs the edited file's job alone.
  fs.appendFileSync(path.join(sb.tree, 'data/d1/f5.txt'), 'more\n');
  resetProbeLog(sb);
  const json = await runRunner(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
  expect(json.code, show(json)).toBe(0);
  expect(readProbeLog(sb).started).toEqual(['data/d1/f5.txt']);
  expect(JSON.parse(json.stdout).counts).toMatchObject({ jobs: 6, ran: 1, fresh: 5 });
  // Past the racy margin the edited files are trusted by their stats again: the run after settles.
  await settle(sb);
});

test('issue 14: a run that lists its fresh jobs (--json) after an edit starts the job of the edited file before it judges the others, and lists all of them', async () => {
  const sb = useFixture('python-demo');
  const all = dataTree(sb);
  expect((await probed(sb)).started).toEqual(all);
  await settle(sb);

  fs.appendFileSync(path.join(sb.tree, 'data/d1/f5.txt'), 'more\n');
  resetProbeLog(sb);
  const traceFile = path.join(sb.scratch, 'run.trace.json');
  const res = await runRunner(['run', '--json', '--trace', traceFile], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(readProbeLog(sb).started).toEqual(['data/d1/f5.txt']);
  const json = JSON.parse(res.stdout) as { counts: object; jobs: { file: string; status: string; cached: boolean }[] };
  expect(json.counts).toMatchObject({ jobs: 6, ran: 1, fresh: 5 });
  expect(json.jobs.map((j) => [j.file, j.status, j.cached]).sort()).toEqual(
    all.map((f) => [f, 'passed', f !== 'data/d1/f5.txt']).sort(),
  );
  // The job began before the plan that judged the other five.
  const trace = readTrace(traceFile);
  expect(traceProblems(trace)).toEqual([]);
  const job = trace.traceEvents.find((e) => e.ph === 'X' && e.args?.tool === 'probe');
  const plans = trace.traceEvents.filter((e) => e.ph === 'X' && e.name === 'plan');
  expect(job, JSON.stringify(trace.traceEvents.map((e) => e.name))).toBeDefined();
  expect(plans).toHaveLength(2);
  expect(job!.ts!).toBeLessThan(plans[1]!.ts!);

  // Without the mark (the run above ran a job) the same run plans once, then starts it.
  fs.appendFileSync(path.join(sb.tree, 'data/d0/f0.txt'), 'more\n');
  resetProbeLog(sb);
  const again = await runRunner(['run', '--json', '--trace', traceFile], { cwd: sb.tree, env: baseEnv() });
  expect(again.code, show(again)).toBe(0);
  expect(readProbeLog(sb).started).toEqual(['data/d0/f0.txt']);
  expect(JSON.parse(again.stdout).jobs).toHaveLength(6);
  expect(readTrace(traceFile).traceEvents.filter((e) => e.ph === 'X' && e.name === 'plan')).toHaveLength(1);
});

test('issue 14: with more edited files than a narrowed plan reads one by one, a --json run still runs exactly theirs and lists every job', async () => {
  const sb = useFixture('python-demo');
  const all = Array.from({ length: 24 }, (_, i) => `data/d${i % 3}/f${String(i).padStart(2, '0')}.txt`).sort();
  for (const f of all) writeText(sb, f, `value ${f}\n`);
  probeOnly(sb, {}, { include: ['data/**/*.txt'], exclude: [] });
  expect((await probed(sb)).started).toEqual(all);
  await settle(sb);

  const edited = all.slice(2, 22);
  for (const f of edited) fs.appendFileSync(path.join(sb.tree, f), 'more\n');
  resetProbeLog(sb);
  const res = await runRunner(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(readProbeLog(sb).started.sort()).toEqual(edited);
  const json = JSON.parse(res.stdout) as { counts: object; jobs: { file: string; cached: boolean }[] };
  expect(json.counts).toMatchObject({ jobs: 24, ran: 20, fresh: 4 });
  expect(json.jobs.map((j) => [j.file, j.cached]).sort()).toEqual(all.map((f) => [f, !edited.includes(f)]));
});

test('issue 14: a --json run after edits the files deltas hold (one file first, then twenty) joins its started jobs and lists them in plan order', async () => {
  const sb = useFixture('python-demo');
  // The data files alone in the tree, as in a directory of their own.
  for (const e of fs.readdirSync(sb.tree))
    if (e !== '.runnerrc.json') fs.rmSync(path.join(sb.tree, e), { recursive: true });
  const all = Array.from({ length: 24 }, (_, i) => `data/f${String(i).padStart(2, '0')}.txt`);
  for (const f of all) writeText(sb, f, `value ${f}\n`);
  probeOnly(sb, {}, { include: ['data/**/*.txt'], exclude: [] });
  expect((await probed(sb)).started).toEqual(all);
  await settle(sb);
  // The last of them edited alone, then all twenty: the files deltas hold f19 first, and the check names
  // the files in the deltas' order, which need not be the table's (on pypa/pip it was not: the join failed).
  const edited = all.slice(0, 20);
  for (const round of [[edited[19]!], edited]) {
    for (const f of round) fs.appendFileSync(path.join(sb.tree, f), 'more\n');
    expect((await probed(sb)).started.sort()).toEqual(round);
    await settle(sb);
  }

  for (const f of edited) fs.appendFileSync(path.join(sb.tree, f), 'again\n');
  resetProbeLog(sb);
  const res = await runRunner(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(readProbeLog(sb).started.sort()).toEqual(edited);
  const listed = (JSON.parse(res.stdout) as { jobs: { file: string }[] }).jobs.map((j) => j.file);
  // The order every listing of these jobs has: a no-op's.
  const noop = await runRunner(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
  expect(noop.code, show(noop)).toBe(0);
  expect(listed).toEqual((JSON.parse(noop.stdout) as { jobs: { file: string }[] }).jobs.map((j) => j.file));
});

/** Runs `runner run -v`: the files whose probe job started, the scan's line, the summary without its time. */
async function verbose(sb: Sandbox): Promise<{ ran: string[]; scan: string; summary: string }> {
  resetProbeLog(sb);
  const res = await runRunner(['run', '-v'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const summary = (res.stdout.split('\n').find((l) => l.includes(' jobs: ')) ?? '').replace(/ in [\d.]+s$/, '');
  expect(summary, show(res)).toMatch(/^runner: \d+ jobs: /);
  return {
    ran: readProbeLog(sb).started.sort(),
    scan: res.stdout.split('\n').find((l) => l.startsWith('scan ')) ?? '(no scan line)',
    summary,
  };
}

const IN_PLACE = ['append', 'same-size', 'same-size-mtime', 'same-content', 'truncate'] as const;

/** One edit that keeps every name (so every listing), the same in each root; says what it did. */
function editInPlace(roots: string[], rand: () => number, n: number): string {
  const files = (fs.readdirSync(roots[0]!, { recursive: true }) as string[])
    .filter((p) => p.startsWith('data') && p.endsWith('.txt'))
    .sort();
  const rel = files[Math.floor(rand() * files.length)]!;
  const kind = IN_PLACE[Math.floor(rand() * IN_PLACE.length)]!;
  for (const root of roots) {
    const abs = path.join(root, rel);
    const text = fs.readFileSync(abs, 'utf8');
    const before = fs.statSync(abs);
    if (kind === 'append') fs.appendFileSync(abs, `more ${n}\n`);
    else if (kind === 'truncate') fs.writeFileSync(abs, '');
    else if (kind === 'same-content') fs.writeFileSync(abs, text);
    else
      fs.writeFileSync(
        abs,
        text.replace(/./g, (c) => (c === 'x' ? 'y' : 'x')),
      );
    // Only its ctime tells then.
    if (kind === 'same-size-mtime') fs.utimesSync(abs, before.atime, before.mtime);
  }
  return `${kind} ${rel}`;
}

test('issue 17: after random edits, a scan that stats past the walk stores the same files and runs the same jobs as the walk', async () => {
  const [checked, walked] = [useFixture('python-demo'), useFixture('python-demo')];
  for (const sb of [checked, walked]) dataTree(sb);
  const both = [checked.tree, walked.tree];
  const rand = rng(14);
  const round = async (what: string): Promise<string> => {
    const a = await verbose(checked);
    // The other copy walks first (runner scan never takes the check), then runs.
    const scan = await runRunner(['scan'], { cwd: walked.tree, env: baseEnv() });
    expect(scan.code, show(scan)).toBe(0);
    const b = await verbose(walked);
    expect(a.ran, what).toEqual(b.ran);
    expect(a.summary, what).toBe(b.summary);
    expect(storedTree(checked), what).toEqual(storedTree(walked));
    return a.scan;
  };
  /** Past the racy margin a walk (a round with no edit) leaves every listing trusted by its stat. */
  const settleListings = async (): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, RACY_MARGIN_MS + 100));
    await round('no edit');
  };
  await round('first runs');
  await settleListings();
  const scans: string[] = [];
  for (let n = 0; n < 10; n++) {
    const did = [editInPlace(both, rand, n)];
    if (rand() < 0.5) did.push(editInPlace(both, rand, 100 + n));
    scans.push(await round(`seed 14, round ${n}: ${did.join('; ')}`));
    if (n === 5) {
      // A new name: its directory changed, so the walk looks; the rounds after stat again once it is settled.
      for (const root of both) fs.writeFileSync(path.join(root, 'data/d0/late.txt'), 'late\n');
      expect(await round('create data/d0/late.txt')).toBe('scan walked the tree (RUNNER_WATCHMAN=0)');
      await settleListings();
    }
  }
  // Every round of edits in place looked at the edited files alone.
  expect(
    scans.map((l) => l.slice(0, l.indexOf(' ('))).filter((l) => l.includes('every listing as stored')),
  ).toHaveLength(10);
});

/** The names of the state's snapshots that hold files deltas (what runs since the last whole write changed). */
function deltaNames(sb: Sandbox): string[] {
  const db = new Database(path.join(sb.tree, '.runner', 'manifest.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT name FROM snapshot WHERE name LIKE 'files_delta/%' ORDER BY name").raw().all();
    return rows.map((r) => String((r as unknown[])[0]));
  } finally {
    db.close();
  }
}

test('issue 17: the check reads the files deltas an edit left: the runs after settle without folding them, and an edit to a file they hold still runs', async () => {
  const sb = useFixture('python-demo');
  dataTree(sb);
  await probed(sb);
  await settle(sb);
  const before = deltaNames(sb).length;

  fs.appendFileSync(path.join(sb.tree, 'data/d0/f2.txt'), 'more\n');
  expect((await probed(sb)).started).toEqual(['data/d0/f2.txt']);
  // Written as a delta, left as one: the next check judges that file by it.
  const edited = deltaNames(sb).length;
  expect(edited).toBe(before + 1);
  await settle(sb);
  expect(deltaNames(sb).length).toBeGreaterThanOrEqual(edited);

  // The file a delta holds, edited again with its size and mtime kept: only its ctime (against the delta) tells.
  const f2 = path.join(sb.tree, 'data/d0/f2.txt');
  const old = fs.statSync(f2);
  fs.writeFileSync(f2, fs.readFileSync(f2, 'utf8').toUpperCase());
  fs.utimesSync(f2, old.atime, old.mtime);
  expect(await probed(sb)).toMatchObject({ started: ['data/d0/f2.txt'], settled: false });
  await settle(sb);

  // A removed file: the check cannot read that from its rows; the run walks, and folds the deltas at its end.
  fs.rmSync(path.join(sb.tree, 'data/d1/f5.txt'));
  expect(await probed(sb)).toMatchObject({ started: [], settled: false });
  expect(deltaNames(sb)).toEqual([]);
  await settle(sb);
});

test('issue 17: what the mark does not vouch for takes the full path: a failure, another run, the environment, a declared input, the config, a deleted log', async () => {
  const sb = useFixture('python-demo');
  const all = dataTree(sb);
  expect((await probed(sb)).started).toEqual(all);
  await settle(sb);

  // A failure stands: it is reported (cached) by every run, and no run is settled while it does.
  writeText(sb, 'data/d0/f0.txt', 'PROBE_FAIL\n');
  expect(await probed(sb)).toMatchObject({ started: ['data/d0/f0.txt'], code: 1 });
  expect(await probed(sb)).toEqual({ started: [], settled: false, code: 1 });
  expect(await probed(sb)).toEqual({ started: [], settled: false, code: 1 });
  writeText(sb, 'data/d0/f0.txt', 'value 0\n'); // back as it was: its kept pass holds
  await settle(sb);

  // Another run's results (a forced run) take the mark away.
  expect((await probed(sb, ['--force'])).started).toEqual(all);
  expect(await probed(sb)).toEqual({ started: [], settled: false, code: 0 });
  expect(await probed(sb)).toEqual({ started: [], settled: true, code: 0 });

  // The environment the tool is latched under.
  writeConfig(sb, { ...readConfig(sb), passEnv: ['SETTLED_TEST'] });
  expect((await probed(sb, [], { SETTLED_TEST: 'a' })).started).toEqual(all);
  await settle(sb, { SETTLED_TEST: 'a' });
  expect((await probed(sb, [], { SETTLED_TEST: 'b' })).started).toEqual(all);
  await settle(sb, { SETTLED_TEST: 'b' });

  // A declared input, outside the tracked files: its content is latched at each run, settled or not.
  writeText(sb, 'extra.cfg', 'level = 1\n');
  const config = readConfig(sb);
  writeConfig(sb, { ...config, passEnv: [], tools: [{ ...config.tools[0]!, inputs: ['extra.cfg'] }] });
  expect((await probed(sb)).started).toEqual(all);
  await settle(sb);
  writeText(sb, 'extra.cfg', 'level = 2\n');
  expect(await probed(sb)).toMatchObject({ started: all, settled: false });
  await settle(sb);

  // The config: a tool that prints, so its passes keep logs.
  writeConfig(sb, {
    ...readConfig(sb),
    tools: [
      {
        name: 'probe',
        command: ['sh', '-c', 'echo "checked $1"; echo "start $1 $$" >> "$PROBE_DIR/probe.log"', 'sh', '{file}'],
      },
    ],
  });
  expect((await probed(sb)).started).toEqual(all);
  await settle(sb);
  // A log gone is a pass that cannot be shown: its job runs again.
  const logs = path.join(sb.tree, '.runner', 'logs');
  expect(fs.readdirSync(logs).length).toBeGreaterThanOrEqual(all.length);
  for (const name of fs.readdirSync(logs)) fs.rmSync(path.join(logs, name));
  expect(await probed(sb)).toMatchObject({ started: all, settled: false });
  await settle(sb);
});

test('issue 17: an edit to a .gitignore in place (the directory keeps its stat) is seen after a settled no-op', async () => {
  const sb = useFixture('python-demo');
  initRepo(sb.tree);
  writeText(sb, '.gitignore', '.runner/\ndata/d0/f0.txt\n');
  const all = dataTree(sb).filter((f) => f !== 'data/d0/f0.txt');
  expect((await probed(sb)).started).toEqual(all);
  await settle(sb);
  // Same size, rewritten in place: no name added or removed in the directory.
  const ignore = path.join(sb.tree, '.gitignore');
  const dir = fs.statSync(sb.tree);
  fs.writeFileSync(ignore, '.runner/\ndata/d0/f9.txt\n');
  expect(fs.statSync(sb.tree).mtimeMs).toBe(dir.mtimeMs);
  expect(await probed(sb)).toMatchObject({ started: ['data/d0/f0.txt'], settled: false });
  await settle(sb);
});
