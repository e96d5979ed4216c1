// Terminal jobs ("pty": true): the tool runs on a real pseudo-terminal
// (node-pty), its output reaches the log, and timeouts, Ctrl-C and the
// jobserver work as for plain jobs.
import fs from 'node:fs';
import path from 'node:path';
import * as nodePty from '@lydell/node-pty';
import { expect, test } from 'vitest';
import {
  BIN,
  baseEnv,
  jobKeys,
  runJson,
  runRunner,
  show,
  startRunner,
  type JobJson,
  type RunJson,
  type RunResult,
} from '../helpers/cli.js';
import { spawnCollect } from '../helpers/jobserver.js';
import {
  beforeSandboxRemoval,
  isProcessAlive,
  useFixture,
  waitFor,
  writeConfig,
  type Sandbox,
  type ToolDef,
} from '../helpers/sandbox.js';

const FILE = 'calc/ops.py';
const CHECK =
  'test -t 1 && echo TERMINAL || echo PLAIN; test -t 2 && echo ERR-TERMINAL; test -t 0 && echo IN-TERMINAL; echo "TERM=$TERM"';

/** One tracked file, so each tool makes one job. */
function configure(sb: Sandbox, tools: ToolDef[], extra: Record<string, unknown> = {}): void {
  writeConfig(sb, { include: [FILE], tools, ...extra });
}

function logOf(sb: Sandbox, job: JobJson | undefined): string {
  expect(job?.log, `a log for ${JSON.stringify(job)}`).toBeTruthy();
  return fs.readFileSync(path.resolve(sb.tree, job!.log!), 'utf8');
}

function jobOf(jobs: JobJson[], tool: string): JobJson | undefined {
  return jobs.find((j) => j.tool === tool);
}

function readPid(file: string): number {
  return Number(fs.readFileSync(file, 'utf8').trim());
}

/** Kills, after the test, whatever a job left behind if runner failed to. */
function reap(...files: string[]): void {
  beforeSandboxRemoval(() => {
    for (const f of files) {
      if (!fs.existsSync(f)) continue;
      const pid = readPid(f);
      if (pid > 0 && isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
}

test('a "pty": true tool sees a terminal on stdin, stdout and stderr, and its log keeps the output; a plain tool does not', async () => {
  const sb = useFixture('python-demo');
  configure(sb, [
    { name: 'term', command: CHECK, pty: true },
    { name: 'plain', command: CHECK },
  ]);
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(jobKeys(json.jobs)).toEqual([`plain ${FILE}`, `term ${FILE}`]);
  // LF line endings, and the end of file queued on the terminal's input is not echoed.
  expect(logOf(sb, jobOf(json.jobs, 'term'))).toBe('TERMINAL\nERR-TERMINAL\nIN-TERMINAL\nTERM=xterm-256color\n');
  expect(logOf(sb, jobOf(json.jobs, 'plain'))).toBe('PLAIN\nTERM=\n');
});

test('a terminal job keeps the TERM the config gives it', async () => {
  const sb = useFixture('python-demo');
  configure(sb, [{ name: 'term', command: CHECK, pty: true }], { env: { TERM: 'vt100' } });
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(logOf(sb, jobOf(json.jobs, 'term'))).toBe('TERMINAL\nERR-TERMINAL\nIN-TERMINAL\nTERM=vt100\n');
});

test('a terminal job that reads its input gets end of file instead of waiting', async () => {
  const sb = useFixture('python-demo');
  configure(sb, [{ name: 'reads', command: 'cat; echo "read: done"', pty: true, timeout: 30 }]);
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(jobOf(json.jobs, 'reads')).toMatchObject({ status: 'passed', timedOut: false });
  expect(logOf(sb, jobOf(json.jobs, 'reads'))).toBe('read: done\n');
});

test('the log keeps colour escapes and redrawn lines, and all of a 200 KB output', async () => {
  const sb = useFixture('python-demo');
  configure(sb, [
    { name: 'loud', command: String.raw`printf '\033[31mred\033[0m\r\n10%%\r20%%\n'; seq 1 40000`, pty: true },
  ]);
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const seq = Array.from({ length: 40000 }, (_, i) => String(i + 1)).join('\n') + '\n';
  expect(seq.length).toBeGreaterThan(200_000);
  const log = logOf(sb, jobOf(json.jobs, 'loud'));
  expect(log.length).toBe('\x1b[31mred\x1b[0m\r\n10%\r20%\n'.length + seq.length);
  expect(log).toBe('\x1b[31mred\x1b[0m\r\n10%\r20%\n' + seq);
});

test('a failing terminal job fails with its exit code, and is a cached failure next run, not run again', async () => {
  const sb = useFixture('python-demo');
  const count = path.join(sb.scratch, 'count');
  configure(sb, [{ name: 'bad', command: `echo ran >> '${count}'; echo 'it broke'; exit 4`, pty: true }]);
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(1);
  expect(jobOf(first.json.jobs, 'bad')).toMatchObject({ status: 'failed', exitCode: 4 });
  expect(logOf(sb, jobOf(first.json.jobs, 'bad'))).toBe('it broke\n');

  const second = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(second.res.code, show(second.res)).toBe(1);
  expect(jobOf(second.json.jobs, 'bad')).toMatchObject({ status: 'cached-failure', exitCode: 4 });
  expect(logOf(sb, jobOf(second.json.jobs, 'bad'))).toBe('it broke\n');
  expect(fs.readFileSync(count, 'utf8')).toBe('ran\n');
});

test('a terminal job killed by a signal fails naming the signal, as a plain job does', async () => {
  const sb = useFixture('python-demo');
  configure(sb, [{ name: 'killed', command: 'echo before; kill -TERM $$; echo after', pty: true }]);
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(jobOf(json.jobs, 'killed')).toMatchObject({
    status: 'failed',
    exitCode: null,
    signal: 'SIGTERM',
    timedOut: false,
  });
  expect(logOf(sb, jobOf(json.jobs, 'killed'))).toBe('before\n');
});

test('turning "pty" on re-runs the tool\'s jobs: it is part of the tool\'s definition', async () => {
  const sb = useFixture('python-demo');
  configure(sb, [{ name: 'check', command: CHECK }]);
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(0);
  configure(sb, [{ name: 'check', command: CHECK, pty: true }]);
  const explained = await runRunner(['explain', FILE], { cwd: sb.tree, env: baseEnv() });
  expect(explained.stdout, show(explained)).toContain('tool definition changed: pty was false, now true');
  const second = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(jobOf(second.json.jobs, 'check')).toMatchObject({ status: 'passed', reasons: ['tool-config'] });
  expect(logOf(sb, jobOf(second.json.jobs, 'check'))).toContain('TERMINAL\n');
});

test('a terminal job past its timeout is killed with everything it started, and fails as timed out', async () => {
  const sb = useFixture('python-demo');
  const pid = path.join(sb.scratch, 'pid');
  const child = path.join(sb.scratch, 'child');
  reap(pid, child);
  // Time enough to write its pid files and "started" first, even on a busy machine.
  configure(sb, [
    {
      name: 'slow',
      command: `echo $$ > '${pid}'; sleep 30 & echo $! > '${child}'; echo started; wait`,
      pty: true,
      timeout: 3,
    },
  ]);
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(jobOf(json.jobs, 'slow')).toMatchObject({ status: 'failed', timedOut: true });
  expect(logOf(sb, jobOf(json.jobs, 'slow'))).toBe('started\n\nrunner: timed out after 3.0s; killed\n');
  // runner has exited: the job's group had to be gone before it could.
  expect(isProcessAlive(readPid(pid))).toBe(false);
  expect(isProcessAlive(readPid(child))).toBe(false);
});

test('a terminal job that never stops writing is still stopped by its timeout, its output logged up to then', async () => {
  const sb = useFixture('python-demo');
  configure(sb, [{ name: 'chatty', command: 'yes', pty: true, timeout: 3 }]);
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(jobOf(json.jobs, 'chatty')).toMatchObject({ status: 'failed', timedOut: true });
  const log = logOf(sb, jobOf(json.jobs, 'chatty'));
  // Megabytes of output: compared without a regex, which would overflow V8's regex stack (issue 10).
  const end = '\nrunner: timed out after 3.0s; killed\n';
  expect(log.endsWith(end), `the log ends with the timeout line: ${JSON.stringify(log.slice(-80))}`).toBe(true);
  const output = log.slice(0, log.length - end.length);
  // Whole "y\n" lines, then at most the "y" of a line the kill cut short.
  const lines = output.length % 2 === 0 ? output : output.slice(0, -1);
  expect(output.length, 'some output was logged').toBeGreaterThanOrEqual(2);
  expect(output.length % 2 === 0 || output.endsWith('y'), `the cut line: ${JSON.stringify(output.slice(-10))}`).toBe(
    true,
  );
  expect(lines === 'y\n'.repeat(lines.length / 2), 'every line is "y"').toBe(true);
});

test('SIGINT during a terminal job exits 130, kills its process group, keeps finished results, and the next run runs only the rest', async () => {
  const sb = useFixture('python-demo');
  const pid = path.join(sb.scratch, 'pid');
  const child = path.join(sb.scratch, 'child');
  const release = path.join(sb.scratch, 'release');
  reap(pid, child);
  const hang = `if [ -e '${release}' ]; then echo released; else sleep 60 & echo $! > '${child}'; echo $$ > '${pid}'; wait; fi`;
  configure(sb, [
    { name: 'quick', command: 'echo quick', pty: true },
    { name: 'hang', command: hang, pty: true },
  ]);
  const running = startRunner(['run', '-j', '2'], { cwd: sb.tree, env: baseEnv() });
  // Non-terminal stdout gets one line per finished job.
  await waitFor(
    'the quick job to be recorded and the hanging one to start',
    () =>
      running.stdout().includes(`PASS quick ${FILE}`) &&
      fs.existsSync(pid) &&
      fs.readFileSync(pid, 'utf8').endsWith('\n'),
  );
  const pids = [readPid(pid), readPid(child)];
  running.child.kill('SIGINT');
  const res: RunResult = await running.result;
  expect(res.code, show(res)).toBe(130);
  for (const p of pids) expect(isProcessAlive(p), `pid ${p} of the interrupted job`).toBe(false);

  fs.writeFileSync(release, '');
  const next = await runJson(['run', '-j', '2'], { cwd: sb.tree, env: baseEnv() });
  expect(next.res.code, show(next.res)).toBe(0);
  expect(jobKeys(next.json.jobs)).toEqual([`hang ${FILE}`]);
  expect(jobOf(next.json.jobs, 'hang')).toMatchObject({ status: 'passed', reasons: ['interrupted'] });
  expect(next.json.counts).toMatchObject({ ran: 1, fresh: 1 });
});

test("a terminal job gets an 80x24 terminal when runner's output is not a terminal", async () => {
  const sb = useFixture('python-demo');
  configure(sb, [{ name: 'size', command: 'stty size; tput cols', pty: true }]);
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(logOf(sb, jobOf(json.jobs, 'size'))).toBe('24 80\n80\n');
});

test('a terminal job gets the size of the terminal runner runs on', async () => {
  const sb = useFixture('python-demo');
  const size = path.join(sb.scratch, 'size');
  configure(sb, [{ name: 'size', command: `stty size > '${size}'; tput cols >> '${size}'`, pty: true }]);
  const term = nodePty.spawn(process.execPath, [BIN, 'run'], {
    cols: 100,
    rows: 30,
    cwd: sb.tree,
    env: baseEnv({ TERM: 'xterm' }),
  });
  let exited = false;
  let output = '';
  term.onData((d) => (output += d));
  const done = new Promise<number>((resolve) =>
    term.onExit(({ exitCode }) => {
      exited = true;
      resolve(exitCode);
    }),
  );
  beforeSandboxRemoval(() => {
    if (!exited) term.kill('SIGKILL');
  });
  expect(await done, output).toBe(0);
  expect(fs.readFileSync(size, 'utf8')).toBe('30 100\n100\n');
});

test('"pty": "yes" stops runner with exit 2 and one line naming the key, before anything is written', async () => {
  const sb = useFixture('python-demo');
  configure(sb, [{ name: 'term', command: CHECK, pty: 'yes' }]);
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe('runner: error: .runnerrc.json: tools[0].pty is "yes"; expected true or false\n');
  expect(fs.existsSync(path.join(sb.tree, '.runner'))).toBe(false);
});

/** Fixture tool: takes every jobserver token it can from descriptor 3 (MAKEFLAGS pipe style), prints how many, gives them back on 4. */
const PIPE_TAKER = `
const fs = require('node:fs');
if (!/ --jobserver-auth=3,4( |$)/.test(process.env.MAKEFLAGS ?? '')) { console.log('MAKEFLAGS=' + process.env.MAKEFLAGS); process.exit(3); }
const read = fs.openSync('/dev/fd/3', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
const buf = Buffer.alloc(1);
const taken = [];
for (;;) { try { if (fs.readSync(read, buf, 0, 1, null) !== 1) break; taken.push(buf[0]); } catch { break; } }
console.log('tokens ' + taken.length);
for (const b of taken) fs.writeSync(4, Buffer.of(b));
`;

test("a terminal job gets runner's own jobserver at descriptors 3 and 4, and gives every token back", async () => {
  const sb = useFixture('python-demo');
  fs.writeFileSync(path.join(sb.scratch, 'taker.cjs'), PIPE_TAKER);
  configure(sb, [{ name: 'taker', command: [process.execPath, path.join(sb.scratch, 'taker.cjs')], pty: true }]);
  const { res, json } = await runJson(['run', '-j', '3'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(logOf(sb, jobOf(json.jobs, 'taker'))).toBe('tokens 2\n');
  expect(res.stderr).not.toContain('jobserver');
});

test("a terminal job under make -j3 joins make's jobserver pipe through runner", async () => {
  const sb = useFixture('python-demo');
  fs.writeFileSync(path.join(sb.scratch, 'taker.cjs'), PIPE_TAKER);
  configure(sb, [{ name: 'taker', command: [process.execPath, path.join(sb.scratch, 'taker.cjs')], pty: true }]);
  fs.writeFileSync(path.join(sb.scratch, 'Makefile'), `all:\n\t+${process.execPath} ${BIN} -C ${sb.tree} run --json\n`);
  const res = await spawnCollect('make', ['-j3', '-s'], { cwd: sb.scratch, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(res.stderr).toBe('');
  const json = JSON.parse(res.stdout) as RunJson;
  // make keeps two of its three slots in the pipe; runner's one job runs on the slot make gave runner.
  expect(logOf(sb, jobOf(json.jobs, 'taker'))).toBe('tokens 2\n');
});
