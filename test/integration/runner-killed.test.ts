// runner killed outright (SIGKILL: the OOM killer, a cancelled CI job): its
// jobs, terminal ones included, die with it, grandchildren too; a normal run
// leaves no watchdog behind; the jobserver fifo directory a killed runner
// served goes at the next serving run, one of a live runner never.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { baseEnv, runRunner, show, startRunner } from '../helpers/cli.js';
import {
  beforeSandboxRemoval,
  isProcessAlive,
  type Sandbox,
  useFixture,
  waitFor,
  writeConfig,
} from '../helpers/sandbox.js';

/** Every pid a job and its grandchild wrote to `pids` (one a line). */
function readPids(file: string): number[] {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Kills (by pid) whatever a failing test leaves behind. */
function reapAfter(file: string): void {
  beforeSandboxRemoval(() => {
    for (const pid of readPids(file)) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  });
}

/**
 * A tool whose job writes its pid, starts a grandchild in its process group
 * (a non-interactive shell's `&` keeps the group) and writes its pid, then waits.
 */
function holdingTool(name: string, pids: string, extra: Record<string, unknown> = {}) {
  return { name, command: `echo $$ >> '${pids}'; sleep 300 & echo $! >> '${pids}'; wait`, ...extra };
}

/** Processes whose command line is runner's watchdog for runner `pid`. */
function watchdogsOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv.includes('runner-watchdog') && argv.includes(String(pid)) && isProcessAlive(Number(entry)))
      found.push(Number(entry));
  }
  return found;
}

/** The caller's environment with a TMPDIR of the sandbox: a killed runner's jobserver fifo lands there, not in /tmp. */
function envIn(sb: Sandbox): Record<string, string> {
  const tmp = path.join(sb.root, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  return baseEnv({ TMPDIR: tmp });
}

const JOBS = ['calc/ops.py', 'calc/stats.py', 'tests/test_ops.py', 'tests/test_stats.py'];

test('issue 12: a SIGKILLed runner takes its running jobs, terminal ones and grandchildren with it', async () => {
  const sb = useFixture('python-demo');
  const pids = path.join(sb.scratch, 'pids');
  reapAfter(pids);
  writeConfig(sb, {
    include: JOBS,
    tools: [
      holdingTool('plain', pids, { include: JOBS.slice(0, 3) }),
      holdingTool('term', pids, { include: JOBS.slice(3), pty: true }),
    ],
  });
  const running = startRunner(['run', '-j', '4'], { cwd: sb.tree, env: envIn(sb) });
  // Four jobs, each with a grandchild.
  await waitFor('every job and its grandchild to start', () => readPids(pids).length === 2 * JOBS.length);
  const watchdogs = watchdogsOf(running.child.pid!);
  const started = readPids(pids);
  expect(started.every(isProcessAlive)).toBe(true);

  running.child.kill('SIGKILL');
  const res = await running.result;
  expect(res.signal, show(res)).toBe('SIGKILL');
  await waitFor('every job process to be gone', () => started.every((pid) => !isProcessAlive(pid)), 5000);
  expect(watchdogs).toHaveLength(1); // one for the run, not one per job
  await waitFor('the watchdog to exit', () => !isProcessAlive(watchdogs[0]!), 5000);
});

// The first job of a run (the watchdog is started for it) and a later one (the watchdog already runs).
test.each([1, 2])(
  'issue 12: a job started in the instant before the SIGKILL, before runner could tell the watchdog its group, dies too (job %i)',
  async (jobs) => {
    const sb = useFixture('python-demo');
    const pids = path.join(sb.scratch, 'pids');
    const runnerPid = path.join(sb.scratch, 'runner-pid');
    reapAfter(pids);
    const hold = holdingTool('hold', pids);
    writeConfig(sb, {
      include: JOBS.slice(0, jobs),
      // Plain jobs: a terminal job's group gets SIGHUP from the kernel when its terminal's runner end closes.
      tools: [{ ...hold, command: `echo $PPID > '${runnerPid}'; ${hold.command}` }],
    });
    // Every process runner starts returns from fork (clone) to runner 3 s late, while the job itself runs on:
    // the gap between a job starting and runner learning its pid, held open. Only runner's main thread is
    // traced (no -f), and threads start with clone3, so only process starts are slowed. A job started by the
    // native addon (posix_spawn's clone3) is held at the pidfd_open that follows its start, before its pid
    // reaches runner's JavaScript: nothing else in runner opens a pidfd.
    const running = startRunner(['run', '-j', String(jobs)], {
      cwd: sb.tree,
      env: envIn(sb),
      under: [
        'strace',
        '-qq',
        '-o',
        '/dev/null',
        '-e',
        'trace=clone,pidfd_open',
        '-e',
        'inject=clone:delay_exit=3000000',
        '-e',
        'inject=pidfd_open:delay_exit=3000000',
      ],
    });
    // The last job and its grandchild have started; runner still waits in that job's fork.
    await waitFor('every job and its grandchild to start', () => readPids(pids).length === 2 * jobs, 60_000);
    const started = readPids(pids);
    const runner = Number(fs.readFileSync(runnerPid, 'utf8'));
    expect(runner).not.toBe(running.child.pid); // runner, not strace
    process.kill(runner, 'SIGKILL');
    await running.result;
    await waitFor('every job process to be gone', () => started.every((pid) => !isProcessAlive(pid)), 5000);
  },
);

test('issue 12: a normal run leaves no watchdog behind', async () => {
  const sb = useFixture('python-demo');
  const gate = path.join(sb.scratch, 'gate');
  const seen = path.join(sb.scratch, 'seen');
  writeConfig(sb, {
    include: JOBS,
    // Waits for the gate, or for the sandbox to go (a failed test must leave no job behind).
    tools: [
      {
        name: 'gated',
        command: `echo {file} >> '${seen}'; while [ -d '${sb.scratch}' ] && [ ! -e '${gate}' ]; do sleep 0.05; done`,
      },
    ],
  });
  const running = startRunner(['run', '-j', '2'], { cwd: sb.tree, env: envIn(sb) });
  await waitFor('two jobs to start', () => fs.existsSync(seen) && fs.readFileSync(seen, 'utf8').split('\n').length > 2);
  const watchdogs = watchdogsOf(running.child.pid!);
  expect(watchdogs).toHaveLength(1);
  fs.writeFileSync(gate, '');
  const res = await running.result;
  expect(res.code, show(res)).toBe(0);
  await waitFor('the watchdog to exit', () => !isProcessAlive(watchdogs[0]!));
});

/** Whether some process has the fifo open for reading (a non-blocking open for writing fails with ENXIO when none has); false once it is gone. */
function hasReader(fifo: string): boolean {
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== 'ENXIO' && code !== 'ENOENT';
  }
}

/** The jobserver fifo directories runner made in `tmp`. */
function fifoDirs(tmp: string): string[] {
  return fs
    .readdirSync(tmp)
    .filter((n) => n.startsWith('runner-jobserver-'))
    .sort();
}

/** Starts a run serving a 3-token jobserver whose jobs hold until killed; resolves once they run. */
async function startServingRun(sb: Sandbox, env: Record<string, string>) {
  const pids = path.join(sb.scratch, 'pids');
  reapAfter(pids);
  writeConfig(sb, { include: JOBS.slice(0, 2), tools: [holdingTool('hold', pids)] });
  const running = startRunner(['run', '-j', '3'], { cwd: sb.tree, env });
  await waitFor('both jobs to start', () => readPids(pids).length === 4);
  return running;
}

test('issue 12: the jobserver fifo of a SIGKILLed runner is removed by the next serving run, one of a live runner is not', async () => {
  const killed = useFixture('python-demo');
  const live = useFixture('python-demo');
  const next = useFixture('python-demo');
  // A private TMPDIR: the three runners' fifo directories and nobody else's.
  const tmp = path.join(next.root, 'tmp');
  fs.mkdirSync(tmp);
  const env = baseEnv({ TMPDIR: tmp });

  const dead = await startServingRun(killed, env);
  const deadDirs = fifoDirs(tmp);
  expect(deadDirs).toHaveLength(1);
  dead.child.kill('SIGKILL');
  await dead.result;
  expect(fifoDirs(tmp)).toEqual(deadDirs); // left behind: nothing of runner ran after SIGKILL
  // This test is about the directory, not the jobs (the first test is): its jobs, which held the fifo
  // at descriptors 3 and 4, are made sure gone here, so that nothing reads the fifo any more.
  for (const pid of readPids(path.join(killed.scratch, 'pids'))) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  await waitFor(
    "the killed runner's fifo to lose its last reader",
    () => !hasReader(path.join(tmp, deadDirs[0]!, 'fifo')),
  );

  const alive = await startServingRun(live, env);
  const liveDirs = fifoDirs(tmp).filter((d) => !deadDirs.includes(d));
  expect(liveDirs).toHaveLength(1);

  writeConfig(next, { include: JOBS.slice(0, 2), tools: [{ name: 'quick', command: 'true' }] });
  const res = await runRunner(['run', '-j', '3'], { cwd: next.tree, env });
  expect(res.code, show(res)).toBe(0);
  expect(fifoDirs(tmp)).toEqual(liveDirs);

  alive.child.kill('SIGTERM');
  await alive.result;
  expect(fifoDirs(tmp)).toEqual([]);
});
