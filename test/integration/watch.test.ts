// `runner watch` on temp copies of the fixtures, with the real file watcher and
// real edits: what each cycle runs (its --json line, and the probe's log as the
// outside witness), what never starts a cycle, config reloads, and Ctrl-C.
// Absence of a cycle is shown with a sentinel: an edit made after the one
// under test must give the very next cycle, running only the sentinel's job.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as pty from '@lydell/node-pty';
import { describe, expect, test } from 'vitest';
import {
  BIN,
  type RunningRunner,
  baseEnv,
  jobKeys,
  runJson,
  show,
  startRunner,
  type JobJson,
  type ScanJson,
} from '../helpers/cli.js';
import { PY_FILES } from '../helpers/python-demo.js';
import { probeOnly, readProbeLog, setProbeControl } from '../helpers/probe.js';
import {
  type Sandbox,
  appendText,
  beforeSandboxRemoval,
  isProcessAlive,
  readConfig,
  readText,
  useFixture,
  waitFor,
  writeConfig,
  writeText,
} from '../helpers/sandbox.js';
import { cyclesOf, waitForCycle } from '../helpers/watch-cycles.js';

interface CycleJson {
  command: 'watch';
  cycle: number;
  exitCode: number;
  interrupted: string | null;
  watching: number;
  scan: ScanJson;
  counts: {
    jobs: number;
    ran: number;
    passed: number;
    failed: number;
    interrupted: number;
    cachedFailures: number;
    fresh: number;
    notStarted: number;
  };
  jobs: JobJson[];
}

const DEADLINE_MS = 30_000;

function startWatch(sb: Sandbox, args: string[] = []): RunningRunner {
  return startRunner(['watch', '--json', '--debounce', '100', ...args], { cwd: sb.tree, env: baseEnv() });
}

const cycle = (w: RunningRunner, n: number): Promise<CycleJson> => waitForCycle<CycleJson>(w, n, DEADLINE_MS);

/** Gives the watcher time to deliver earlier events, so a later edit is seen apart (the tests hold either way). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 500));

async function stop(w: RunningRunner, signal: NodeJS.Signals = 'SIGINT') {
  w.child.kill(signal);
  return w.result;
}

describe('cycles', () => {
  test("an edit runs only that file's jobs and, with deps on, its dependents", async () => {
    const sb = useFixture('python-deps');
    const w = startWatch(sb);
    const first = await cycle(w, 1);
    expect(first.counts).toMatchObject({ jobs: 15, ran: 15, passed: 15, fresh: 0 });
    expect(first.watching).toBe(11);

    appendText(sb, 'app/util.py', '\n# edited\n');
    const second = await cycle(w, 2);
    expect(jobKeys(second.jobs)).toEqual(['syntax app/util.py', 'test tests/test_api.py', 'test tests/test_util.py']);
    expect(second.counts).toMatchObject({ ran: 3, passed: 3, fresh: 12 });
    expect(second.scan).toMatchObject({ changed: 1, new: 0, removed: 0 });
    expect(second.jobs.find((j) => j.file === 'tests/test_api.py')!.reasons).toEqual(['dependency']);
    const res = await stop(w);
    expect(res.code, show(res)).toBe(130);
  });

  test('a new file, a new directory of files, a removed file and a removed directory', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startWatch(sb);
    expect((await cycle(w, 1)).counts.ran).toBe(PY_FILES.length);

    writeText(sb, 'calc/extra.py', 'X = 1\n');
    const added = await cycle(w, 2);
    expect(jobKeys(added.jobs)).toEqual(['probe calc/extra.py']);
    expect(added.jobs[0]!.reasons).toEqual(['new']);
    expect(added.watching).toBe(PY_FILES.length + 1);

    fs.mkdirSync(path.join(sb.tree, 'plugins', 'deep'), { recursive: true });
    writeText(sb, 'plugins/one.py', 'ONE = 1\n');
    writeText(sb, 'plugins/deep/two.py', 'TWO = 2\n');
    const dir = await waitFor(
      'both new files run',
      () => {
        const ran = cyclesOf<CycleJson>(w)
          .filter((c) => c.cycle > 2)
          .flatMap((c) => c.jobs);
        return ran.length >= 2 ? ran : undefined;
      },
      DEADLINE_MS,
    );
    expect(jobKeys(dir)).toEqual(['probe plugins/deep/two.py', 'probe plugins/one.py']);
    const afterDir = cyclesOf<CycleJson>(w).at(-1)!;

    fs.rmSync(path.join(sb.tree, 'calc', 'stats.py'));
    fs.rmSync(path.join(sb.tree, 'plugins'), { recursive: true });
    const removed = await waitFor(
      'the removals to be seen',
      () => {
        const last = cyclesOf<CycleJson>(w).at(-1)!;
        return last.cycle > afterDir.cycle && last.watching === PY_FILES.length ? last : undefined;
      },
      DEADLINE_MS,
    );
    expect(removed.counts.ran).toBe(0);
    const res = await stop(w);
    expect(res.code, show(res)).toBe(130);

    // What watch recorded is what a plain run finds: nothing to do, the removed files gone.
    const { res: after, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(after.code, show(after)).toBe(0);
    expect(json.counts).toMatchObject({ jobs: PY_FILES.length, ran: 0, fresh: PY_FILES.length });
    expect(json.scan).toMatchObject({ new: 0, changed: 0, removed: 0 });
  });

  test('excluded files, the state directory, untracked files, a touch or a same-content write start no cycle', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startWatch(sb);
    await cycle(w, 1);
    const started = readProbeLog(sb).started.length;

    writeText(sb, 'calc/__pycache__/ops.cpython-312.pyc', 'bytecode');
    writeText(sb, '.runner/scratch.txt', 'state');
    writeText(sb, 'notes.md', 'not included');
    const now = new Date();
    fs.utimesSync(path.join(sb.tree, 'calc/ops.py'), now, now);
    writeText(sb, 'calc/stats.py', readText(sb, 'calc/stats.py'));
    await settle();
    appendText(sb, 'tests/test_ops.py', '\n# sentinel\n');

    const next = await cycle(w, 2);
    expect(jobKeys(next.jobs)).toEqual(['probe tests/test_ops.py']);
    expect(readProbeLog(sb).started.slice(started)).toEqual(['tests/test_ops.py']);
    await settle();
    expect(cyclesOf<CycleJson>(w)).toHaveLength(2);
    await stop(w);
  });

  test('a tracked file that no tool takes and no job depends on starts no cycle when made, edited or removed, and is still recorded', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb, { include: ['**/*.py'] }, { include: ['**/*'] });
    const w = startWatch(sb);
    const first = await cycle(w, 1);
    const tracked = first.watching;
    const started = readProbeLog(sb).started.length;

    writeText(sb, 'notes.md', 'first\n');
    await settle();
    appendText(sb, 'notes.md', 'second\n');
    writeText(sb, 'draft.txt', 'gone soon\n');
    await settle();
    fs.rmSync(path.join(sb.tree, 'draft.txt'));
    await settle();
    appendText(sb, 'calc/ops.py', '\n# sentinel\n');

    const next = await cycle(w, 2);
    expect(jobKeys(next.jobs)).toEqual(['probe calc/ops.py']);
    expect(next.watching).toBe(tracked + 1);
    expect(readProbeLog(sb).started.slice(started)).toEqual(['calc/ops.py']);
    await settle();
    expect(cyclesOf<CycleJson>(w)).toHaveLength(2);
    const res = await stop(w);
    expect(res.stderr).toBe('');

    // The manifest took the files in: a plain run finds nothing new, changed or removed.
    const { json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(json.scan).toMatchObject({ new: 0, changed: 0, removed: 0 });
    expect(json.counts).toMatchObject({ ran: 0 });
  });

  test('an untracked file a traced job read starts a cycle for that job; one no job read does not', async () => {
    const sb = useFixture('deps-dynamic');
    const w = startWatch(sb, ['--tool', 'read']);
    expect(jobKeys((await cycle(w, 1)).jobs)).toEqual(['read src/plain.txt', 'read src/use.txt']);
    fs.writeFileSync(path.join(sb.tree, 'data/one.txt'), '2\n');
    const next = await cycle(w, 2);
    expect(jobKeys(next.jobs)).toEqual(['read src/use.txt']);
    expect(next.jobs[0]!.reasons).toEqual(['dependency']);
    expect(next.scan).toMatchObject({ changed: 0, new: 0, removed: 0 });

    fs.writeFileSync(path.join(sb.tree, 'data/unread.txt'), 'nobody opens this\n');
    await settle();
    appendText(sb, 'src/plain.txt', 'sentinel\n');
    expect(jobKeys((await cycle(w, 3)).jobs)).toEqual(['read src/plain.txt']);
    await stop(w);
  });

  test('issue 10: a file a traced job read that changes before the watch on it is set up still starts a cycle for that job', async () => {
    const sb = useFixture('deps-dynamic');
    const config = readConfig(sb);
    // With -j 1, "read src/use.txt" (which reads data/one.txt) ends before "write" starts; "write" changes
    // data/one.txt in the same cycle, before the watch learns that the file was read.
    config.tools = [
      config.tools.find((t) => t.name === 'read')!,
      {
        name: 'write',
        command: ['sh', '-c', 'echo "written during cycle 1" > data/one.txt'],
        include: ['src/plain.txt'],
      },
    ];
    writeConfig(sb, config);
    const w = startWatch(sb, ['-j', '1']);
    const first = await cycle(w, 1);
    expect(jobKeys(first.jobs)).toEqual(['read src/plain.txt', 'read src/use.txt', 'write src/plain.txt']);
    const next = await cycle(w, 2);
    expect(jobKeys(next.jobs)).toEqual(['read src/use.txt']);
    expect(next.jobs[0]!.reasons).toEqual(['dependency']);
    await stop(w);
  });

  test('a job that rewrites its own file with the same content does not start another cycle', async () => {
    const sb = useFixture('python-demo');
    const config = readConfig(sb);
    // Writes a copy beside the file and renames it over: a new inode, the same content.
    config.tools = [
      {
        name: 'rewrite',
        command: ['sh', '-c', 'cp "$0" "$0.tmp" && mv "$0.tmp" "$0"', '{file}'],
        include: ['calc/**'],
      },
    ];
    writeConfig(sb, config);
    const w = startWatch(sb);
    expect((await cycle(w, 1)).counts.ran).toBe(3);
    appendText(sb, 'calc/ops.py', '\n# edited\n');
    expect(jobKeys((await cycle(w, 2)).jobs)).toEqual(['rewrite calc/ops.py']);
    await settle();
    appendText(sb, 'calc/stats.py', '\n# sentinel\n');
    expect(jobKeys((await cycle(w, 3)).jobs)).toEqual(['rewrite calc/stats.py']);
    await settle();
    expect(cyclesOf<CycleJson>(w)).toHaveLength(3);
    await stop(w);
  });

  test('a change made while a slow job runs is picked up by the next cycle', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startWatch(sb);
    await cycle(w, 1);
    const before = readProbeLog(sb).started.length;
    setProbeControl(sb, 'sleep-ms', '2000');
    appendText(sb, 'calc/ops.py', '\n# first\n');
    await waitFor('the slow job to start', () => readProbeLog(sb).started.length > before, DEADLINE_MS);
    appendText(sb, 'calc/stats.py', '\n# during the run\n');
    const during = await cycle(w, 2);
    expect(jobKeys(during.jobs)).toEqual(['probe calc/ops.py']);
    setProbeControl(sb, 'sleep-ms', null);
    const next = await cycle(w, 3);
    expect(jobKeys(next.jobs)).toEqual(['probe calc/stats.py']);
    expect(next.jobs[0]!.reasons).toEqual(['content']);
    await stop(w);
  });
});

describe('errors in a cycle', () => {
  test('a cycle that cannot write the manifest (locked by another process) is reported; the watch goes on and loses no change', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startWatch(sb);
    await cycle(w, 1);
    const db = new Database(path.join(sb.tree, '.runner', 'manifest.db'));
    beforeSandboxRemoval(() => db.close());
    db.exec('BEGIN EXCLUSIVE');
    appendText(sb, 'calc/ops.py', '\n# edited while the database is locked\n');
    await waitFor(`the cycle to fail\n${w.stderr()}`, () => /this cycle stopped/.test(w.stderr()), DEADLINE_MS);
    expect(w.stderr()).toMatch(
      /^runner: error: .*manifest\.db: is locked; another runner is writing this state directory: wait for it, or use --state-dir\n/m,
    );
    // The stopped cycle has its number, and a line of its own.
    const failed = await waitFor(
      "the failed cycle's line",
      () =>
        w
          .stdout()
          .split('\n')
          .find((l) => l.includes('"cycle":2')),
      DEADLINE_MS,
    );
    expect(JSON.parse(failed)).toEqual({
      command: 'watch',
      version: 1,
      cycle: 2,
      exitCode: 2,
      error: { kind: 'store', message: expect.stringMatching(/manifest\.db: is locked/) as unknown },
    });
    db.exec('ROLLBACK');
    db.close();

    appendText(sb, 'calc/stats.py', '\n# sentinel\n');
    const next = await cycle(w, 3);
    expect(jobKeys(next.jobs)).toEqual(['probe calc/ops.py', 'probe calc/stats.py']);
    // Both files are read again (the whole tree is), and counted.
    expect(next.scan).toMatchObject({ changed: 2, new: 0, removed: 0 });
    const res = await stop(w);
    expect(res.code, show(res)).toBe(130);
    const { json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(json.counts).toMatchObject({ ran: 0, fresh: PY_FILES.length });
  });

  test('in text output, a cycle stopped by an error has its numbered line, and the next one counts every file it read again', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startRunner(['watch', '--debounce', '100'], { cwd: sb.tree, env: baseEnv() });
    await waitFor('the first status line', () => /watching 6 files/.test(w.stdout()), DEADLINE_MS);
    const db = new Database(path.join(sb.tree, '.runner', 'manifest.db'));
    beforeSandboxRemoval(() => db.close());
    db.exec('BEGIN EXCLUSIVE');
    appendText(sb, 'calc/ops.py', '\n# edited while the database is locked\n');
    await waitFor(`the cycle to fail\n${w.stderr()}`, () => /this cycle stopped/.test(w.stderr()), DEADLINE_MS);
    db.exec('ROLLBACK');
    db.close();
    appendText(sb, 'calc/stats.py', '\n# sentinel\n');
    await waitFor(
      `cycle 3's status line\n${w.stdout()}`,
      () =>
        w
          .stdout()
          .split('\n')
          .filter((l) => /watching 6 files/.test(l)).length === 2,
      DEADLINE_MS,
    );
    const lines = w
      .stdout()
      .split('\n')
      .filter((l) => /^\[/.test(l))
      .map((l) => l.replace(/^\[\d\d:\d\d:\d\d\] /, ''));
    expect(lines).toEqual([
      '6 ran (6 passed, 0 failed), 0 fresh; watching 6 files (Ctrl-C to stop)',
      'cycle 2: stopped by an error',
      'cycle 3: 2 changed, whole tree scanned',
      '2 ran (2 passed, 0 failed), 4 fresh; watching 6 files (Ctrl-C to stop)',
    ]);
    await stop(w);
  });
});

describe('config changes', () => {
  test('an invalid config is reported and the old one kept; a valid one is loaded and re-runs the changed tool', async () => {
    const sb = useFixture('python-demo');
    const config = probeOnly(sb);
    config.tools.push({
      name: 'syntax',
      command: ['python3', '-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', '{file}'],
      include: ['calc/**'],
    });
    writeConfig(sb, config);
    const w = startRunner(['watch', '--debounce', '100'], { cwd: sb.tree, env: baseEnv() });
    await waitFor('the first status line', () => /watching 6 files/.test(w.stdout()), DEADLINE_MS);
    expect(w.stdout()).toMatch(
      /^\[\d\d:\d\d:\d\d\] 9 ran \(9 passed, 0 failed\), 0 fresh; watching 6 files \(Ctrl-C to stop\)$/m,
    );

    writeConfig(sb, { ...config, tools: [{ name: 'probe', command: ['node', 'x.mjs', '{file}'], timeout: '2m' }] });
    await waitFor('the config error', () => /keeping the previous config/.test(w.stderr()), DEADLINE_MS);
    expect(w.stderr()).toContain(
      'runner: error: .runnerrc.json: tools[0].timeout is "2m"; expected a positive number of seconds, e.g. 120\n' +
        'runner: keeping the previous config; still watching\n',
    );

    // Still watching, under the old config: an edit runs both old tools on the file.
    appendText(sb, 'calc/ops.py', '\n# edited\n');
    await waitFor(
      'cycle 2',
      () => /cycle 2: 1 changed/.test(w.stdout()) && /1 changed\n(?:.*\n)*\[.*\] 2 ran/.test(w.stdout()),
      DEADLINE_MS,
    );

    // A valid config whose syntax tool differs: only that tool's jobs run again.
    const changed = structuredClone(config);
    changed.tools[1]!.command = [
      'python3',
      '-c',
      'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])',
      '{file}',
    ];
    writeConfig(sb, changed);
    await waitFor(
      'the reload cycle',
      () =>
        /cycle 3: config reloaded\n(?:.*\n)*\[.*\] 3 ran \(3 passed, 0 failed\), 6 fresh; watching 6 files/.test(
          w.stdout(),
        ),
      DEADLINE_MS,
    );
    expect(w.stdout()).toMatch(/^PASS syntax calc\/stats\.py /m);
    const res = await stop(w);
    expect(res.code, show(res)).toBe(130);
    expect(res.stderr).toContain('runner: stopped watching (SIGINT); every finished result is recorded\n');
  });

  test("a changed tool input re-runs that tool's jobs", async () => {
    const sb = useFixture('python-demo');
    const w = startWatch(sb, ['--tool', 'style']);
    expect((await cycle(w, 1)).counts.ran).toBe(5);
    appendText(sb, 'setup.cfg', '\n# comment\n');
    const next = await cycle(w, 2);
    expect(next.counts.ran).toBe(5);
    expect(new Set(next.jobs.map((j) => j.reasons.join()))).toEqual(new Set(['tool-input']));
    await stop(w);
  });
});

describe('stopping', () => {
  test('Ctrl-C while idle exits 130 with every result recorded: a later run runs nothing', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startWatch(sb);
    await cycle(w, 1);
    appendText(sb, 'calc/ops.py', '\n# edited\n');
    await cycle(w, 2);
    const res = await stop(w, 'SIGINT');
    expect(res.code, show(res)).toBe(130);
    const { res: after, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(after.code, show(after)).toBe(0);
    expect(json.counts).toMatchObject({ ran: 0, fresh: PY_FILES.length });
  });

  test('SIGTERM during a cycle kills the running job, keeps the finished ones, exits 143', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startWatch(sb, ['-j', '1']);
    await cycle(w, 1);
    const before = readProbeLog(sb).started.length;
    setProbeControl(sb, 'hang-after', String(before + 1));
    appendText(sb, 'calc/ops.py', '\n# one\n');
    appendText(sb, 'calc/stats.py', '\n# two\n');
    const log = await waitFor(
      'the second job to hang',
      () => {
        const l = readProbeLog(sb);
        return l.started.length >= before + 2 ? l : undefined;
      },
      DEADLINE_MS,
    );
    const hung = log.started.at(-1)!;
    const hungPid = log.pids.get(hung)!;
    beforeSandboxRemoval(() => {
      if (isProcessAlive(hungPid)) process.kill(hungPid, 'SIGKILL');
    });
    const res = await stop(w, 'SIGTERM');
    expect(res.code, show(res)).toBe(143);
    await waitFor(`the hung job (pid ${hungPid}) to be killed`, () => !isProcessAlive(hungPid), 5_000);
    // The two edits make one cycle or two, as the watcher delivers them.
    const later = cyclesOf<CycleJson>(w).filter((c) => c.cycle > 1);
    expect(later.at(-1)!.interrupted).toBe('SIGTERM');
    expect(later.reduce((n, c) => n + c.counts.passed, 0)).toBe(1);
    expect(later.reduce((n, c) => n + c.counts.interrupted, 0)).toBe(1);

    setProbeControl(sb, 'hang-after', null);
    const { res: after, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(after.code, show(after)).toBe(0);
    expect(jobKeys(json.jobs)).toEqual([`probe ${hung}`]);
  });

  test('bad input before watching: an unknown --tool exits 2 with a clear message', async () => {
    const sb = useFixture('python-demo');
    const w = startRunner(['watch', '--tool', 'nope'], { cwd: sb.tree, env: baseEnv() });
    const res = await w.result;
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toBe('runner: error: --tool nope: no such tool; expected one of: syntax, style, test\n');
  });
});

describe('on a terminal', () => {
  /** runner watch under a real pty; Ctrl-C is typed, not signalled. idleMs: how long to wait after cycle 1 before the edit. */
  async function watchOnTerminal(
    sb: Sandbox,
    args: string[],
    idleMs = 0,
  ): Promise<{ output: string; exitCode: number; barAfterEditS: number | null }> {
    const term = pty.spawn(process.execPath, [BIN, 'watch', '--debounce', '100', ...args], {
      cwd: sb.tree,
      env: baseEnv({ TERM: 'xterm' }),
      cols: 120,
      rows: 30,
    });
    let output = '';
    // When the edit was made, and how long after it cycle 2's first bar arrived (seconds, by the test's clock).
    let editedAt: number | null = null;
    let barAfterEditS: number | null = null;
    term.onData((d) => {
      output += d;
      if (
        editedAt !== null &&
        barAfterEditS === null &&
        /\] 0\/1 {2}\d+\.\ds/.test(output.slice(output.indexOf('cycle 2: 1 changed')))
      ) {
        barAfterEditS = (performance.now() - editedAt) / 1000;
      }
    });
    const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
    beforeSandboxRemoval(() => {
      try {
        term.kill('SIGKILL');
      } catch {
        // already gone
      }
    });
    const statusLines = (): number => (output.match(/watching 6 files \(Ctrl-C to stop\)/g) ?? []).length;
    await waitFor(`the first status line\n${output}`, () => statusLines() === 1, DEADLINE_MS);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    editedAt = performance.now();
    appendText(sb, 'calc/ops.py', '\n# edited\n');
    await waitFor(`the second status line\n${output}`, () => statusLines() === 2, DEADLINE_MS);
    term.write('\x03');
    const exitCode = await exited;
    return { output, exitCode, barAfterEditS };
  }

  const CLEAR = '\x1b[2J\x1b[3J\x1b[H';

  test('--clear clears the screen before each cycle; Ctrl-C typed at the terminal exits 130', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const { output, exitCode } = await watchOnTerminal(sb, ['--clear']);
    expect(exitCode, output).toBe(130);
    expect(output.split(CLEAR)).toHaveLength(3);
    // The second screen holds the second cycle only.
    const last = output.split(CLEAR)[2]!;
    expect(last).toContain('cycle 2: 1 changed');
    expect(last).not.toMatch(/6 ran/);
    expect(output).toContain('runner: stopped watching (SIGINT); every finished result is recorded');
  });

  test("each cycle's progress bar counts time from that cycle's start, not from the end of the last one", async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const { output, exitCode, barAfterEditS } = await watchOnTerminal(sb, [], 5_000);
    expect(exitCode, output).toBe(130);
    const second = output.slice(output.indexOf('cycle 2: 1 changed'));
    // The bar is drawn as soon as the cycle plans its one job: 0/1 and the time since the cycle began. The cycle
    // began after the edit, so the bar cannot show more than the time from the edit to its arrival (measured
    // here, so a slow machine moves both); counted from cycle 1's end it would show 5 s more.
    const frame = /\] 0\/1 {2}(\d+\.\d)s/.exec(second);
    expect(frame, second).not.toBeNull();
    expect(barAfterEditS, second).not.toBeNull();
    expect(Number(frame![1]), `the bar came ${barAfterEditS!.toFixed(2)} s after the edit`).toBeLessThanOrEqual(
      barAfterEditS! + 0.1,
    );
  });

  test('without --clear the screen is never cleared', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const { output, exitCode } = await watchOnTerminal(sb, []);
    expect(exitCode, output).toBe(130);
    expect(output).not.toContain('\x1b[2J');
    expect(output).toMatch(/6 ran \(6 passed, 0 failed\), 0 fresh; watching 6 files/);
  });
});
