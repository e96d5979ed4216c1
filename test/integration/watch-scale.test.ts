// `runner watch` at scale (issue 17, point 3): one inotify watch per directory
// (counted in /proc/PID/fdinfo of the watch process), directories that come,
// move and go after the start, cycles that plan only the edited file's jobs
// yet report every job as a whole plan would, a cycle's save that writes only
// what changed, and one jobserver fifo for the whole watch.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { type RunningRunner, baseEnv, jobKeys, runJson, show, startRunner } from '../helpers/cli.js';
import { readStoredFiles } from '../helpers/manifest-db.js';
import { PY_FILES } from '../helpers/python-demo.js';
import { probeOnly, readProbeLog } from '../helpers/probe.js';
import { type Sandbox, appendText, useFixture, waitFor, writeText } from '../helpers/sandbox.js';
import { cyclesOf, waitForCycle } from '../helpers/watch-cycles.js';

interface CycleJson {
  cycle: number;
  watching: number;
  scan: { new: number; changed: number; removed: number };
  counts: { jobs: number; ran: number; failed: number; cachedFailures: number; fresh: number };
  jobs: { tool: string; file: string; status: string }[];
}

const DEADLINE_MS = 30_000;

function startWatch(sb: Sandbox, args: string[] = [], env = baseEnv()): RunningRunner {
  return startRunner(['watch', '--json', '--debounce', '100', ...args], { cwd: sb.tree, env });
}

/** The store's snapshot rows by name (read-only, beside the watch). */
function snapshots(sb: Sandbox): Map<string, Buffer> {
  const db = new Database(path.join(sb.tree, '.runner', 'manifest.db'), { readonly: true });
  try {
    return new Map(db.prepare('SELECT name, data FROM snapshot').raw().all() as [string, Buffer][]);
  } finally {
    db.close();
  }
}

const cycle = (w: RunningRunner, n: number): Promise<CycleJson> => waitForCycle<CycleJson>(w, n, DEADLINE_MS);

/** The inotify watches a process holds, from the kernel's own account of its descriptors. */
function inotifyWatches(pid: number): number {
  let n = 0;
  const dir = `/proc/${pid}/fdinfo`;
  for (const fd of fs.readdirSync(dir)) {
    let info: string;
    try {
      info = fs.readFileSync(path.join(dir, fd), 'utf8');
    } catch {
      continue; // closed meanwhile
    }
    n += info.split('\n').filter((l) => l.startsWith('inotify wd:')).length;
  }
  return n;
}

/** Waits for the first cycle after `after` whose jobs satisfy `has`. */
function cycleWith(w: RunningRunner, after: number, what: string, has: (c: CycleJson) => boolean): Promise<CycleJson> {
  return waitFor(
    `${what}\n--- stdout\n${w.stdout()}--- stderr\n${w.stderr()}`,
    () => cyclesOf<CycleJson>(w).find((c) => c.cycle > after && has(c)),
    DEADLINE_MS,
  );
}

describe('issue 17: watch mode at scale', () => {
  test('issue 17: a watch holds one inotify watch per directory, not one per file', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb, { command: ['true', '{file}'] }); // 300 jobs: no process heavier than true
    // 300 more files in 3 directories: a watch per file would hold over 300.
    for (let d = 0; d < 3; d++) for (let i = 0; i < 100; i++) writeText(sb, `many${d}/m${i}.py`, `N = ${i}\n`);
    const w = startWatch(sb);
    const first = await cycle(w, 1);
    expect(first.watching).toBe(PY_FILES.length + 300);
    // The directories: the tree, calc, tests, tools, many0..2 (the state directory and __pycache__ are not watched).
    const watches = inotifyWatches(w.child.pid!);
    expect(watches).toBeGreaterThanOrEqual(7);
    expect(watches).toBeLessThanOrEqual(12);

    // Still one per directory once a directory tree comes after the start.
    fs.mkdirSync(path.join(sb.tree, 'late', 'deeper'), { recursive: true });
    writeText(sb, 'late/deeper/x.py', 'X = 1\n');
    await cycleWith(w, 1, 'the new directory to be seen', (c) => c.jobs.some((j) => j.file === 'late/deeper/x.py'));
    expect(inotifyWatches(w.child.pid!)).toBe(watches + 2);
    const res = await stopWatch(w);
    expect(res.code, show(res)).toBe(130);
  });

  test('issue 17: a directory made, renamed and removed after the start: each edit inside it starts a cycle', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startWatch(sb);
    await cycle(w, 1);
    const pid = w.child.pid!;
    const initial = inotifyWatches(pid);

    fs.mkdirSync(path.join(sb.tree, 'plug', 'in'), { recursive: true });
    writeText(sb, 'plug/in/a.py', 'A = 1\n');
    const made = await cycleWith(w, 1, 'the new file to run', (c) => c.jobs.some((j) => j.file === 'plug/in/a.py'));
    // A later edit in the new directory: seen through that directory's own watch.
    appendText(sb, 'plug/in/a.py', '# edited\n');
    const edited = await cycleWith(w, made.cycle, 'the edit in the new directory', (c) => c.jobs.length > 0);
    expect(jobKeys(edited.jobs)).toEqual(['probe plug/in/a.py']);
    expect(inotifyWatches(pid)).toBe(initial + 2); // plug and plug/in; no file has one

    fs.renameSync(path.join(sb.tree, 'plug'), path.join(sb.tree, 'moved'));
    const moved = await cycleWith(w, edited.cycle, 'the renamed directory', (c) =>
      c.jobs.some((j) => j.file === 'moved/in/a.py'),
    );
    expect(moved.scan).toMatchObject({ new: 1, removed: 1 });
    // The watches follow the new name: an edit there names the new path.
    appendText(sb, 'moved/in/a.py', '# edited again\n');
    const movedEdit = await cycleWith(w, moved.cycle, 'the edit in the renamed directory', (c) => c.jobs.length > 0);
    expect(jobKeys(movedEdit.jobs)).toEqual(['probe moved/in/a.py']);
    expect(inotifyWatches(pid)).toBe(initial + 2); // the old name's watches closed, none left behind

    fs.rmSync(path.join(sb.tree, 'moved'), { recursive: true });
    const gone = await cycleWith(w, movedEdit.cycle, 'the removed directory', (c) => c.scan.removed === 1);
    expect(gone.watching).toBe(PY_FILES.length);
    expect(inotifyWatches(pid)).toBe(initial);
    // Made again under the same name: watched afresh.
    fs.mkdirSync(path.join(sb.tree, 'moved'));
    writeText(sb, 'moved/b.py', 'B = 1\n');
    const again = await cycleWith(w, gone.cycle, 'the directory made again', (c) =>
      c.jobs.some((j) => j.file === 'moved/b.py'),
    );
    appendText(sb, 'moved/b.py', '# edited\n');
    const againEdit = await cycleWith(w, again.cycle, 'the edit in the directory made again', (c) => c.jobs.length > 0);
    expect(jobKeys(againEdit.jobs)).toEqual(['probe moved/b.py']);
    const res = await stopWatch(w);
    expect(res.code, show(res)).toBe(130);
  });

  test("issue 17: an edit's cycle counts every job as a whole plan would, a cached failure included", async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startWatch(sb);
    const all = PY_FILES.length;
    expect((await cycle(w, 1)).counts).toMatchObject({ jobs: all, ran: all, fresh: 0 });

    // Every job fresh: the cycle plans the edited file's job alone, and counts the others fresh.
    appendText(sb, 'calc/ops.py', '\n# edited\n');
    const second = await cycle(w, 2);
    expect(jobKeys(second.jobs)).toEqual(['probe calc/ops.py']);
    expect(second.counts).toMatchObject({ jobs: all, ran: 1, fresh: all - 1, cachedFailures: 0 });

    appendText(sb, 'calc/stats.py', '\n# PROBE_FAIL\n');
    const third = await cycle(w, 3);
    expect(third.counts).toMatchObject({ jobs: all, ran: 1, failed: 1, fresh: all - 1 });

    // A cached failure stands: the next edit's cycle still counts it.
    appendText(sb, 'calc/ops.py', '# edited again\n');
    const fourth = await cycle(w, 4);
    expect(fourth.jobs.filter((j) => j.status !== 'cached-failure').map((j) => j.file)).toEqual(['calc/ops.py']);
    expect(fourth.counts).toMatchObject({ jobs: all, ran: 1, cachedFailures: 1, fresh: all - 2 });

    // Fixed: every job fresh again, and the next edit counts them all.
    fs.writeFileSync(path.join(sb.tree, 'calc/stats.py'), 'FIXED = 1\n');
    const fifth = await cycle(w, 5);
    expect(fifth.counts).toMatchObject({ jobs: all, ran: 1, failed: 0, cachedFailures: 0, fresh: all - 1 });
    appendText(sb, 'tests/test_ops.py', '\n# edited\n');
    const sixth = await cycle(w, 6);
    expect(sixth.counts).toMatchObject({ jobs: all, ran: 1, cachedFailures: 0, fresh: all - 1 });
    const res = await stopWatch(w);
    expect(res.code, show(res)).toBe(130);
  });
});

describe("issue 17: a watch cycle's own costs", () => {
  test('issue 17: a cycle saves only the edited entries, and a run after the watch sees every edit as stored', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startWatch(sb);
    await cycle(w, 1);
    const whole = snapshots(sb).get('files')!;

    appendText(sb, 'calc/ops.py', '\n# edited\n');
    expect(jobKeys((await cycle(w, 2)).jobs)).toEqual(['probe calc/ops.py']);
    writeText(sb, 'calc/extra.py', 'EXTRA = 1\n');
    await cycleWith(w, 2, 'the new file to run', (c) => c.jobs.some((j) => j.file === 'calc/extra.py'));
    fs.rmSync(path.join(sb.tree, 'tests/test_stats.py'));
    await cycleWith(w, 3, 'the removed file', (c) => c.scan.removed === 1);
    const res = await stopWatch(w);
    expect(res.code, show(res)).toBe(130);

    // The whole list as the first cycle wrote it, and beside it the cycles' changes.
    const rows = snapshots(sb);
    expect(rows.get('files')!.equals(whole)).toBe(true);
    expect([...rows.keys()].filter((n) => n.startsWith('files_delta/')).length).toBeGreaterThan(0);
    const stored = readStoredFiles(path.join(sb.tree, '.runner', 'manifest.db'));
    expect(stored.has('calc/extra.py')).toBe(true);
    expect(stored.has('tests/test_stats.py')).toBe(false);

    // A run after the watch reads the list with the changes: every job fresh, nothing run again.
    const startedBefore = readProbeLog(sb).started.length;
    const after = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(after.res.code, show(after.res)).toBe(0);
    expect(after.json.scan).toMatchObject({ new: 0, changed: 0, removed: 0 });
    expect(after.json.counts).toMatchObject({ ran: 0, fresh: PY_FILES.length });
    expect(readProbeLog(sb).started.length).toBe(startedBefore);
    // And an edit made after the watch is still seen.
    appendText(sb, 'calc/extra.py', '# edited after the watch\n');
    const edited = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(edited.json.counts).toMatchObject({ ran: 1 });
    expect(readProbeLog(sb).started.slice(startedBefore)).toEqual(['calc/extra.py']);
  });

  test('issue 17: a watch makes its jobserver fifo once and serves it to every cycle', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const tmp = path.join(sb.scratch, 'tmp');
    fs.mkdirSync(tmp);
    const fifoDirs = (): string[] => fs.readdirSync(tmp).filter((n) => n.startsWith('runner-jobserver-'));
    const w = startWatch(sb, ['-j', '2'], baseEnv({ TMPDIR: tmp }));
    await cycle(w, 1);
    const first = fifoDirs();
    expect(first).toHaveLength(1);
    for (let n = 2; n <= 3; n++) {
      appendText(sb, 'calc/ops.py', `\n# edit ${n}\n`);
      expect((await cycle(w, n)).counts).toMatchObject({ ran: 1, failed: 0 });
      expect(fifoDirs()).toEqual(first);
    }
    const res = await stopWatch(w);
    expect(res.code, show(res)).toBe(130);
    expect(res.stderr).not.toContain('tokens');
    expect(fifoDirs()).toEqual([]);
  });
});

async function stopWatch(w: RunningRunner) {
  w.child.kill('SIGINT');
  return w.result;
}
