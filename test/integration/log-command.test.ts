// `runner log FILE [--tool NAME] [--stdout|--stderr]` (issue 17, point 7): a
// job's last log as it was written, merged in arrival order or one stream
// byte for byte, from a real job that writes to both streams in turn.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { baseEnv, runRunner, runRunnerBytes, show, type BytesResult } from '../helpers/cli.js';
import { startCacheServer } from '../helpers/remote-cache.js';
import { REPO, useFixture, writeConfig, writeText, type Sandbox } from '../helpers/sandbox.js';

const WRITER = path.join(REPO, 'test', 'helpers', 'stream-writer.py');

/** What each writer process recorded, in the order it wrote: the merged log, and each stream alone. */
function writtenBy(sb: Sandbox): { files: string; merged: Buffer; stdout: Buffer; stderr: Buffer; writes: number }[] {
  const lines = fs.readFileSync(path.join(sb.scratch, 'order'), 'utf8').split('\n').filter(Boolean);
  const processes: { files: string; parts: { fd: string; data: Buffer }[] }[] = [];
  for (const l of lines) {
    if (l.startsWith('start ')) processes.push({ files: l.slice(6), parts: [] });
    else processes.at(-1)!.parts.push({ fd: l.slice(0, 1), data: Buffer.from(l.slice(2), 'hex') });
  }
  return processes.map(({ files, parts }) => {
    const of = (fd: string | null): Buffer =>
      Buffer.concat(parts.filter((p) => fd === null || p.fd === fd).map((p) => p.data));
    return { files, merged: of(null), stdout: of('1'), stderr: of('2'), writes: parts.length };
  });
}

/** What the one writer process wrote. */
function written(sb: Sandbox): { merged: Buffer; stdout: Buffer; stderr: Buffer; writes: number } {
  const all = writtenBy(sb);
  expect(all).toHaveLength(1);
  return all[0]!;
}

/** A tree whose files a.txt and b.txt are each written about by the writer (one job each), and by `cat`. */
function writerTree(
  sb: Sandbox,
  opts: { exit?: number; batch?: boolean; pty?: boolean; failurePattern?: string } = {},
): void {
  writeText(sb, 'a.txt', 'a\n');
  writeText(sb, 'b.txt', 'b\n');
  writeConfig(sb, {
    include: ['*.txt'],
    env: { STREAM_ORDER: path.join(sb.scratch, 'order'), STREAM_EXIT: String(opts.exit ?? 0) },
    passEnv: ['PATH'],
    tools: [
      {
        name: 'writer',
        command: ['python3', WRITER, opts.batch === true ? '{files}' : '{file}'],
        ...(opts.pty === true ? { pty: true } : {}),
        ...(opts.failurePattern === undefined ? {} : { failurePattern: opts.failurePattern }),
      },
      { name: 'cat', command: ['cat', '{file}'] },
    ],
  });
}

async function log(sb: Sandbox, args: string[]): Promise<BytesResult> {
  return runRunnerBytes(['log', ...args], { cwd: sb.tree, env: baseEnv() });
}

function expectBytes(res: BytesResult, want: Buffer): void {
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  // Compared as hex, so a difference shows where it is.
  expect(res.stdout.length).toBe(want.length);
  expect(res.stdout.toString('hex')).toBe(want.toString('hex'));
}

test('issue 17: runner log prints the merged log in the order the job wrote, and --stdout / --stderr each byte for byte', async () => {
  const sb = useFixture('python-demo');
  writerTree(sb);
  const run = await runRunner(['run', 'a.txt', '--tool', 'writer'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  const want = written(sb);
  expect(want.writes).toBeGreaterThan(80);

  expectBytes(await log(sb, ['a.txt', '--tool', 'writer']), want.merged);
  expectBytes(await log(sb, ['a.txt', '--tool', 'writer', '--stdout']), want.stdout);
  expectBytes(await log(sb, ['a.txt', '--tool', 'writer', '--stderr']), want.stderr);
  // FILE is relative to -C DIR, as for the other commands; only one tool's job ran, so no header.
  expectBytes(
    await runRunnerBytes(['-C', sb.tree, 'log', 'a.txt', '--stderr'], { cwd: sb.scratch, env: baseEnv() }),
    want.stderr,
  );
});

test("issue 17: a failed job's log keeps its streams apart, and is still the log the failure summary names", async () => {
  const sb = useFixture('python-demo');
  writerTree(sb, { exit: 3 });
  const run = await runRunner(['run', 'a.txt', '--tool', 'writer'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(1);
  const want = written(sb);
  const merged = await log(sb, ['a.txt']);
  expectBytes(merged, want.merged);
  expectBytes(await log(sb, ['a.txt', '--stdout']), want.stdout);
  expectBytes(await log(sb, ['a.txt', '--stderr']), want.stderr);
  // The summary's tail comes from the same merged log: it ends with the last write.
  expect(run.stdout).toContain('a.txt done');
});

test('issue 17: a file of a batch process has the process log: merged in order, each stream byte for byte', async () => {
  const sb = useFixture('python-demo');
  writerTree(sb, { batch: true });
  const run = await runRunner(['run', '-j', '1', '--tool', 'writer'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  const want = written(sb);
  // One process judged both files: each file's log is that process's log.
  expect(want.stderr.toString('latin1')).toContain('a.txt b.txt done');
  for (const file of ['a.txt', 'b.txt']) {
    expectBytes(await log(sb, [file, '--tool', 'writer']), want.merged);
    expectBytes(await log(sb, [file, '--tool', 'writer', '--stdout']), want.stdout);
    expectBytes(await log(sb, [file, '--tool', 'writer', '--stderr']), want.stderr);
  }
});

test("issue 17: a batch file the failure pattern named has its own log; --stdout / --stderr are its process's streams", async () => {
  const sb = useFixture('python-demo');
  // The process given both files ends its stderr naming a.txt alone: a.txt fails with a log of its own, b.txt keeps the process's.
  writerTree(sb, { batch: true, exit: 1, failurePattern: '(?<file>a\\.txt) b\\.txt done$' });
  const run = await runRunner(['run', '-j', '1', '--tool', 'writer'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(1);
  const processes = writtenBy(sb);
  expect(processes.map((p) => p.files)).toEqual(['a.txt b.txt']);
  const both = processes[0]!;
  const named = await log(sb, ['a.txt', '--tool', 'writer']);
  expect(named.code).toBe(0);
  expect(named.stdout.toString('latin1')).toMatch(
    /^a\.txt b\.txt done\nrunner: the lines above name a\.txt \(the failure pattern named 1 of the process's files\); the whole output of the process is \S+\.log\.output\n$/,
  );
  expectBytes(await log(sb, ['a.txt', '--tool', 'writer', '--stdout']), both.stdout);
  expectBytes(await log(sb, ['a.txt', '--tool', 'writer', '--stderr']), both.stderr);
  expectBytes(await log(sb, ['b.txt', '--tool', 'writer']), both.merged);
  expectBytes(await log(sb, ['b.txt', '--tool', 'writer', '--stderr']), both.stderr);
});

test("issue 17: runner's own line in a log (a timeout) is in the merged log, in neither stream", async () => {
  const sb = useFixture('python-demo');
  writeText(sb, 'a.txt', 'a\n');
  writeConfig(sb, {
    include: ['a.txt'],
    passEnv: ['PATH'],
    tools: [{ name: 'slow', command: ['sh', '-c', 'printf out; printf err >&2; exec sleep 60'], timeout: 1 }],
  });
  const run = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(1);
  const merged = await log(sb, ['a.txt']);
  expect(merged.code).toBe(0);
  const note = '\nrunner: timed out after 1.0s; killed\n';
  expect(merged.stdout.length).toBe(6 + note.length);
  expect(merged.stdout.subarray(6).toString()).toBe(note);
  expectBytes(await log(sb, ['a.txt', '--stdout']), Buffer.from('out'));
  expectBytes(await log(sb, ['a.txt', '--stderr']), Buffer.from('err'));
});

test('issue 17: without --tool each tool that ran on FILE has its log under a header; with --tool only its log, raw', async () => {
  const sb = useFixture('python-demo');
  writerTree(sb);
  const run = await runRunner(['run', 'a.txt'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  const want = written(sb);
  expectBytes(
    await log(sb, ['a.txt', '--stdout']),
    Buffer.concat([Buffer.from('==> a.txt (writer) <==\n'), want.stdout, Buffer.from('\n==> a.txt (cat) <==\na\n')]),
  );
  expectBytes(await log(sb, ['a.txt', '--tool', 'cat']), Buffer.from('a\n'));
  // cat wrote nothing on stderr.
  expectBytes(await log(sb, ['a.txt', '--tool', 'cat', '--stderr']), Buffer.alloc(0));
});

test('issue 17: runner log refuses bad input with exit 2 and a message naming the bad value; --help exits 0', async () => {
  const sb = useFixture('python-demo');
  writerTree(sb);
  // b.txt never runs: it has no job result.
  const run = await runRunner(['run', 'a.txt'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  const cases: [string[], string][] = [
    [
      ['a.txt', '--stdout', '--stderr'],
      'runner: error: log: --stdout and --stderr together; expected one of them, or neither for the merged log\n',
    ],
    [
      ['a.txt', '--tool', 'nope'],
      'runner: error: log: --tool "nope" is not a tool of the config; expected one of writer, cat\n',
    ],
    [['b.txt'], 'runner: error: log: no job of b.txt has run yet (see `runner explain b.txt`)\n'],
    [['../outside.txt'], `runner: error: log: ../outside.txt is not a file in the source tree ${sb.tree}\n`],
  ];
  for (const [args, message] of cases) {
    const res = await log(sb, args);
    expect({ args, code: res.code, stderr: res.stderr, stdout: res.stdout.length }).toEqual({
      args,
      code: 2,
      stderr: message,
      stdout: 0,
    });
  }
  const help = await runRunner(['log', '--help'], { cwd: sb.tree, env: baseEnv() });
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Usage: runner log [options] <file>');
  const top = await runRunner(['--help'], { cwd: sb.tree, env: baseEnv() });
  expect(top.stdout).toMatch(/\n {2}log \[options\] <file> /);
});

test('issue 17: a removed log is named, exit 2; a missing or damaged stream index gives no stream (exit 1, nothing printed) but the merged log', async () => {
  const sb = useFixture('python-demo');
  writerTree(sb);
  const run = await runRunner(['run', 'a.txt', '--tool', 'writer'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  const want = written(sb);
  const logs = path.join(sb.tree, '.runner', 'logs');
  const logFile = fs.readdirSync(logs).find((n) => n.endsWith('.log'))!;
  const index = path.join(sb.tree, '.runner', 'streams', logFile);
  const unknown = (why: string): string =>
    `runner: log: the stdout of writer on a.txt cannot be told apart from its other output: ${why}; ` +
    '`runner log a.txt` prints the merged log\n';

  // Cut short, as by a runner stopped mid-write: never trusted.
  const whole = fs.readFileSync(index, 'latin1');
  fs.writeFileSync(index, whole.slice(0, whole.indexOf('\nend ') + 1));
  let res = await log(sb, ['a.txt', '--stdout']);
  expect(res.code).toBe(1);
  expect(res.stdout.length).toBe(0);
  expect(res.stderr).toBe(
    unknown(
      `its stream index ${index} is damaged: it has no trailer (written up to ${want.merged.length} bytes of the log's ${want.merged.length})`,
    ),
  );
  // Describing a log other than the one beside it (a byte more): never trusted either.
  fs.writeFileSync(index, whole);
  fs.appendFileSync(path.join(logs, logFile), 'x');
  res = await log(sb, ['a.txt', '--stdout']);
  expect(res.code).toBe(1);
  expect(res.stdout.length).toBe(0);
  expect(res.stderr).toContain(`it covers ${want.merged.length} bytes but the log holds ${want.merged.length + 1}`);
  fs.truncateSync(path.join(logs, logFile), want.merged.length);
  expectBytes(await log(sb, ['a.txt', '--stdout']), want.stdout);

  // Gone (a log recorded by an earlier runner has none).
  fs.rmSync(index);
  res = await log(sb, ['a.txt', '--stdout']);
  expect(res.code).toBe(1);
  expect(res.stdout.length).toBe(0);
  expect(res.stderr).toBe(unknown('its log was recorded without a stream index (by an earlier runner)'));
  expectBytes(await log(sb, ['a.txt']), want.merged);

  // The log itself gone: named, exit 2; the job runs again at the next run.
  fs.rmSync(path.join(logs, logFile));
  res = await log(sb, ['a.txt']);
  expect(res.code).toBe(2);
  expect(res.stderr).toBe(
    `runner: error: log: the last log of writer on a.txt is gone (${path.join(logs, logFile)}); it runs again at the next \`runner run\`\n`,
  );
});

test('issue 17: a stream index lives and goes with its log: replaced with it, swept when no result names it', async () => {
  const sb = useFixture('python-demo');
  writerTree(sb, { exit: 1 });
  const env = baseEnv();
  const state = path.join(sb.tree, '.runner');
  const names = (dir: string): string[] => fs.readdirSync(path.join(state, dir)).sort();
  expect((await runRunner(['run', 'a.txt', '--tool', 'writer'], { cwd: sb.tree, env })).code).toBe(1);
  const first = names('logs');
  expect(first).toHaveLength(1);
  expect(names('streams')).toEqual(first);
  // A stray index (a runner killed between linking it and its log) is swept with the stray logs.
  fs.writeFileSync(path.join(state, 'streams', '0123456789abcdef0123456789abcdef-1.log'), 'runner-streams 1\n');
  // A tool renamed drops the old name's results (their logs and indexes go), and the run sweeps.
  const config = JSON.parse(fs.readFileSync(path.join(sb.tree, '.runnerrc.json'), 'utf8')) as {
    tools: { name: string }[];
  };
  config.tools[0]!.name = 'renamed';
  writeConfig(sb, config);
  const again = await runRunner(['run', 'a.txt', '--tool', 'renamed'], { cwd: sb.tree, env });
  expect(again.code, show(again)).toBe(1);
  const after = names('logs');
  expect(after).toHaveLength(1);
  expect(after).not.toEqual(first);
  expect(names('streams')).toEqual(after);
  expect(names('running')).toEqual([]);
  // The renamed tool's log is the second run's.
  expectBytes(await log(sb, ['a.txt', '--stderr']), writtenBy(sb)[1]!.stderr);
});

test("issue 17: a terminal job's streams are one: --stdout says so (exit 1, nothing printed), the merged log prints", async () => {
  const sb = useFixture('python-demo');
  writeText(sb, 'a.txt', 'a\n');
  writeConfig(sb, {
    include: ['a.txt'],
    passEnv: ['PATH'],
    tools: [{ name: 'term', command: ['sh', '-c', 'printf out; printf err >&2'], pty: true }],
  });
  const run = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  const res = await log(sb, ['a.txt', '--stderr']);
  expect(res.code).toBe(1);
  expect(res.stdout.length).toBe(0);
  expect(res.stderr).toBe(
    'runner: log: the stderr of term on a.txt cannot be told apart from its other output: ' +
      'it ran in a terminal ("pty": true), where stdout and stderr are one stream; `runner log a.txt` prints the merged log\n',
  );
  expectBytes(await log(sb, ['a.txt']), Buffer.from('outerr'));
});

test('issue 17: a result restored from the remote cache has its merged log; its streams are unknown: exit 1, nothing printed', async () => {
  const token = 'log-test-token';
  const server = await startCacheServer({ token });
  // Two clones with one order file and no PATH passed, so the writer's job is shared between them.
  const clones = [useFixture('python-demo'), useFixture('python-demo')];
  const order = path.join(clones[0]!.scratch, 'order');
  for (const sb of clones) {
    writeText(sb, 'a.txt', 'a\n');
    writeConfig(sb, {
      include: ['a.txt'],
      env: { STREAM_ORDER: order },
      remoteCache: { url: server.url, team: 'log-tests' },
      tools: [{ name: 'writer', command: ['python3', WRITER, '{file}'] }],
    });
  }
  // A HOME of each clone's own, not holding the order file (a path in a HOME is never shared).
  const env = (sb: Sandbox) => baseEnv({ HOME: path.join(sb.root, 'home'), RUNNER_REMOTE_CACHE_TOKEN: token });
  const [a, b] = clones as [Sandbox, Sandbox];
  const first = await runRunner(['run'], { cwd: a.tree, env: env(a) });
  expect(first.code, show(first)).toBe(0);
  const second = await runRunner(['run'], { cwd: b.tree, env: env(b) });
  expect(second.code, show(second)).toBe(0);
  const want = written(a);
  expect(want.writes, 'the second clone ran no job').toBeGreaterThan(80);

  const merged = await runRunnerBytes(['log', 'a.txt'], { cwd: b.tree, env: env(b) });
  expectBytes(merged, want.merged);
  const res = await runRunnerBytes(['log', 'a.txt', '--stdout'], { cwd: b.tree, env: env(b) });
  expect(res.code).toBe(1);
  expect(res.stdout.length).toBe(0);
  expect(res.stderr).toBe(
    'runner: log: the stdout of writer on a.txt cannot be told apart from its other output: ' +
      'its result came from the remote cache, which keeps the merged log only; `runner log a.txt` prints the merged log\n',
  );
  // Where it ran, the streams are there.
  expectBytes(await runRunnerBytes(['log', 'a.txt', '--stdout'], { cwd: a.tree, env: env(a) }), want.stdout);
});
