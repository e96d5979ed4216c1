// Issue 17, point 4: runner starts plain jobs with posix_spawn from its native
// addon (no fork of runner), and with child_process under RUNNER_NATIVE_SPAWN=0;
// both give the same results, logs and streams on the same jobs.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { type JobJson, baseEnv, runJson, runRunner, runRunnerBytes, show } from '../helpers/cli.js';
import { REPO, type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

const WRITER = path.join(REPO, 'test', 'helpers', 'stream-writer.py');
const FILES = ['pass.txt', 'fail.txt', 'signal.txt', 'env.txt', 'writer.txt'];

/** One tool whose job does what its file's name says, and the stream writer on writer.txt. */
function jobsTree(sb: Sandbox): void {
  for (const f of FILES) writeText(sb, f, `${f}\n`);
  const tool = path.join(sb.scratch, 'by-name.sh');
  fs.writeFileSync(
    tool,
    [
      '#!/bin/sh',
      'case "$1" in',
      '  pass.txt) echo out; echo err >&2 ;;',
      '  fail.txt) echo failing; exit 3 ;;',
      '  signal.txt) echo dying >&2; kill -TERM $$ ;;',
      // grep reads its own status: the shell's, read from outside, is all blocked for a moment while it forks.
      '  env.txt) echo "$JOB_VAR"; pwd; readlink /proc/self/fd/0; grep -E "^Sig(Ign|Blk)" /proc/self/status; exit 1 ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  writeConfig(sb, {
    include: FILES,
    env: { JOB_VAR: 'from-config', STREAM_ORDER: path.join(sb.scratch, 'order') },
    passEnv: ['PATH'],
    tools: [
      { name: 'by-name', command: [tool, '{file}'], exclude: ['writer.txt'] },
      { name: 'writer', command: ['python3', WRITER, '{file}'], include: ['writer.txt'] },
    ],
  });
}

/** Process starts strace saw: clones that share runner's memory until exec (posix_spawn) and copies of it (fork). */
function starts(trace: string): { spawned: number; forked: number } {
  const lines = fs
    .readFileSync(trace, 'utf8')
    .split('\n')
    .filter((l) => /\bclone3?\(/.test(l) && !l.includes('CLONE_THREAD') && !l.includes('resumed>'));
  const spawned = lines.filter((l) => l.includes('CLONE_VM|CLONE_VFORK')).length;
  return { spawned, forked: lines.length - spawned };
}

/** What a run leaves of each job: its result, and its log merged and stream by stream. */
async function outcomeOf(sb: Sandbox, env: Record<string, string>, trace: string) {
  const { res, json } = await runJson(['run', '--force', '-j', '2'], {
    cwd: sb.tree,
    env,
    under: ['strace', '-f', '-qq', '-o', trace, '-e', 'trace=clone,clone3'],
  });
  expect(res.code, show(res)).toBe(1);
  const jobs = [...json.jobs].sort((a, b) => `${a.tool} ${a.file}`.localeCompare(`${b.tool} ${b.file}`));
  const logs: Record<string, string[]> = {};
  for (const j of jobs) {
    logs[`${j.tool} ${j.file}`] = await Promise.all(
      [[], ['--stdout'], ['--stderr']].map(async (flag) => {
        const out = await runRunnerBytes(['log', j.file, '--tool', j.tool, ...flag], { cwd: sb.tree, env });
        return out.stdout.toString('hex');
      }),
    );
  }
  return {
    spawned: starts(trace).spawned,
    jobs: jobs.map((j: JobJson) => ({ tool: j.tool, file: j.file, status: j.status, exitCode: j.exitCode })),
    logs,
  };
}

test('issue 17: the same jobs give the same results and logs, each stream byte for byte, started natively or by child_process', async () => {
  const sb = useFixture('python-demo');
  jobsTree(sb);
  const { spawned, ...native } = await outcomeOf(sb, baseEnv(), path.join(sb.scratch, 'native'));
  const { spawned: spawnedForked, ...forked } = await outcomeOf(
    sb,
    baseEnv({ RUNNER_NATIVE_SPAWN: '0' }),
    path.join(sb.scratch, 'forked'),
  );
  // Two ways, really: every job and the watchdog a posix_spawn, then none.
  expect([spawned, spawnedForked]).toEqual([FILES.length + 1, 0]);
  expect(native).toEqual(forked);
  expect(native.jobs).toEqual([
    { tool: 'by-name', file: 'env.txt', status: 'failed', exitCode: 1 },
    { tool: 'by-name', file: 'fail.txt', status: 'failed', exitCode: 3 },
    { tool: 'by-name', file: 'pass.txt', status: 'passed', exitCode: 0 },
    { tool: 'by-name', file: 'signal.txt', status: 'failed', exitCode: null },
    { tool: 'writer', file: 'writer.txt', status: 'passed', exitCode: 0 },
  ]);
  const text = (key: string, i: number): string => Buffer.from(native.logs[key]![i]!, 'hex').toString('utf8');
  expect(text('by-name env.txt', 0)).toBe(
    `from-config\n${fs.realpathSync(sb.tree)}\n/dev/null\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n`,
  );
  expect(text('by-name pass.txt', 1)).toBe('out\n');
  expect(text('by-name pass.txt', 2)).toBe('err\n');
  // The writer's many alternating writes: the stream index is what tells them apart.
  expect(native.logs['writer writer.txt']![1]!.length).toBeGreaterThan(1000);
});

test('issue 17: plain jobs start with posix_spawn (a clone sharing runner’s memory, no copy of it), and by fork under RUNNER_NATIVE_SPAWN=0', async () => {
  const sb = useFixture('python-demo');
  const files = ['a.txt', 'b.txt', 'c.txt', 'd.txt'];
  for (const f of files) writeText(sb, f, `${f}\n`);
  writeConfig(sb, { include: files, passEnv: ['PATH'], tools: [{ name: 'true', command: ['true', '{file}'] }] });
  const traced = async (name: string, env: Record<string, string>) => {
    const trace = path.join(sb.scratch, name);
    const res = await runRunner(['run', '--force', '-j', '2'], {
      cwd: sb.tree,
      env,
      under: ['strace', '-f', '-qq', '-o', trace, '-e', 'trace=clone,clone3'],
    });
    expect(res.code, show(res)).toBe(0);
    return starts(trace);
  };
  const native = await traced('native', baseEnv());
  // Each job a posix_spawn, and the watchdog too (issue 14, point 7): runner forks itself for none of them.
  expect(native).toEqual({ spawned: files.length + 1, forked: 0 });
  const forked = await traced('forked', baseEnv({ RUNNER_NATIVE_SPAWN: '0' }));
  expect(forked.spawned).toBe(0);
  expect(forked.forked).toBeGreaterThanOrEqual(files.length);
});
