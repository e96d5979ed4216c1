// Files runner cannot read never pass silently (issue 10, point 6): from a
// known-good run, a file or directory becomes unreadable (EACCES for a
// runner without root's read capabilities, a symlink loop, a name that is not UTF-8); its jobs are
// not fresh, the probe shows what really ran, and the run fails naming the path.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import {
  type ExplainJson,
  type RunJson,
  type RunOptions,
  WITHOUT_DAC,
  baseEnv,
  jobKeys,
  runJson,
  runRunner,
  show,
} from '../helpers/cli.js';
import { PY_FILES } from '../helpers/python-demo.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, beforeSandboxRemoval, useFixture, writeText } from '../helpers/sandbox.js';

/** The python demo with only the probe, on every file, run once (without root's power to read anything) so that everything is fresh. */
async function knownGood(extra: Parameters<typeof probeOnly>[1] = {}): Promise<{ sb: Sandbox; opts: RunOptions }> {
  if (process.getuid?.() === 0) {
    const check = spawnSync(WITHOUT_DAC[0], [...WITHOUT_DAC.slice(1), 'true']);
    expect(
      check.status,
      `setpriv (util-linux) must drop root's read capabilities: ${check.error?.message ?? check.stderr.toString()}`,
    ).toBe(0);
  }
  const sb = useFixture('python-demo');
  probeOnly(sb, extra);
  const opts: RunOptions = { cwd: sb.tree, env: baseEnv({ HOME: sb.scratch }), withoutDac: true };
  const first = await runRunner(['run'], opts);
  expect(first.code, show(first)).toBe(0);
  resetProbeLog(sb);
  return { sb, opts };
}

const chmod = (sb: Sandbox, rel: string, mode: number): void => fs.chmodSync(path.join(sb.tree, rel), mode);

test('issue 10: a changed failing file that cannot be read is not fresh: the run fails naming it and why', async () => {
  const { sb, opts } = await knownGood();
  writeText(sb, 'calc/ops.py', 'PROBE_FAIL = 1\n');
  chmod(sb, 'calc/ops.py', 0o000);
  const { res, json } = await runJson<RunJson>(['run'], opts);
  expect(res.code, show(res)).toBe(1);
  expect(json.exitCode).toBe(1);
  expect(readProbeLog(sb).started).toEqual([]); // no job could read it: none ran
  expect(json.scan.issues).toEqual([
    { path: 'calc/ops.py', kind: 'unreadable', detail: 'cannot be read (EACCES)', entry: 'file' },
  ]);
  expect(json.scan.unreadable).toEqual({ files: 1, directories: 0 });
  expect(json.counts).toMatchObject({ jobs: 6, ran: 0, fresh: 5, unreadable: 1 });
  expect(json.jobs.map((j) => [j.tool, j.file, j.status])).toEqual([['probe', 'calc/ops.py', 'unreadable']]);
  expect(json.jobs[0]!.reasonDetails).toEqual([
    {
      kind: 'unreadable',
      path: 'calc/ops.py',
      why: 'cannot be read (EACCES)',
      text: 'not checked: calc/ops.py: cannot be read (EACCES)',
    },
  ]);
  expect(res.stderr).toContain('runner: warning: calc/ops.py: cannot be read (EACCES)');
  expect(res.stderr).toContain(
    'runner: error: 1 file could not be read (named above): its jobs were not checked, so the run fails',
  );

  const plain = await runRunner(['run'], opts);
  expect(plain.code, show(plain)).toBe(1);
  expect(plain.stdout).toContain('UNREADABLE probe calc/ops.py (not checked: calc/ops.py: cannot be read (EACCES))');
  expect(plain.stdout).toContain(
    'runner: 6 jobs: 0 ran (0 passed, 0 failed), 0 cached failures, 5 fresh, 1 not checked (unreadable)',
  );
  const explain = await runJson<ExplainJson>(['explain', 'calc/ops.py'], opts);
  expect(explain.json.tools).toEqual([
    expect.objectContaining({
      tool: 'probe',
      state: 'stale',
      reasons: [expect.objectContaining({ kind: 'unreadable', path: 'calc/ops.py' })],
    }),
  ]);

  // Readable again: the changed content is checked, and fails.
  chmod(sb, 'calc/ops.py', 0o644);
  const after = await runJson<RunJson>(['run'], opts);
  expect(after.res.code, show(after.res)).toBe(1);
  expect(readProbeLog(sb).started).toEqual(['calc/ops.py']);
  expect(after.json.counts).toMatchObject({ ran: 1, failed: 1, unreadable: 0 });
});

test('issue 10: a directory of 3 files that cannot be read counts as one directory; the jobs known below it fail the run', async () => {
  const { sb, opts } = await knownGood();
  writeText(sb, 'calc/stats.py', 'PROBE_FAIL = 1\n');
  chmod(sb, 'calc', 0o000);
  beforeSandboxRemoval(() => chmod(sb, 'calc', 0o755));
  const { res, json } = await runJson<RunJson>(['run'], opts);
  expect(res.code, show(res)).toBe(1);
  expect(readProbeLog(sb).started).toEqual([]);
  expect(json.scan.issues).toEqual([
    { path: 'calc', kind: 'unreadable', detail: 'directory cannot be read (EACCES)', entry: 'directory' },
  ]);
  expect(json.scan.unreadable).toEqual({ files: 0, directories: 1 });
  expect(json.scan.tracked).toBe(3);
  expect(json.counts).toMatchObject({ jobs: 6, ran: 0, fresh: 3, unreadable: 3 });
  expect(jobKeys(json.jobs)).toEqual(['probe calc/__init__.py', 'probe calc/ops.py', 'probe calc/stats.py']);
  expect(json.jobs.every((j) => j.status === 'unreadable' && j.reasonDetails[0]?.path === 'calc')).toBe(true);
  expect(res.stderr).toContain('runner: error: 1 directory could not be read (named above)');
  expect(res.stderr).not.toMatch(/\d files? could not be read/);

  chmod(sb, 'calc', 0o755);
  const after = await runJson<RunJson>(['run'], opts);
  expect(after.res.code, show(after.res)).toBe(1);
  expect(readProbeLog(sb).started).toEqual(['calc/stats.py']); // the others are as they were: fresh
});

test('issue 10: a dependency that cannot be read makes the jobs that import it run, and the run fails', async () => {
  const { sb, opts } = await knownGood({ include: ['tests/**'], deps: 'python' });
  chmod(sb, 'calc/ops.py', 0o000);
  const { res, json } = await runJson<RunJson>(['run'], opts);
  expect(res.code, show(res)).toBe(1);
  // Both tests import calc (whose __init__ imports calc.ops): runner cannot prove them unchanged, so they ran.
  expect(readProbeLog(sb).started.sort()).toEqual(['tests/test_ops.py', 'tests/test_stats.py']);
  expect(json.scan.unreadable).toEqual({ files: 1, directories: 0 });
  expect(res.stderr).toContain('runner: warning: calc/ops.py: cannot be read (EACCES)');
});

test('issue 10: a tracked file that becomes a symlink loop fails the run, naming it', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  const opts: RunOptions = { cwd: sb.tree, env: baseEnv() };
  expect((await runRunner(['run'], opts)).code).toBe(0);
  resetProbeLog(sb);
  fs.rmSync(path.join(sb.tree, 'calc/ops.py'));
  fs.symlinkSync('ops.py', path.join(sb.tree, 'calc/ops.py'));
  const { res, json } = await runJson<RunJson>(['run'], opts);
  expect(res.code, show(res)).toBe(1);
  expect(readProbeLog(sb).started).toEqual([]);
  expect(json.scan.issues).toEqual([
    { path: 'calc/ops.py', kind: 'symlink-loop', detail: 'is a symbolic link that loops', entry: 'file' },
  ]);
  expect(json.counts).toMatchObject({ jobs: PY_FILES.length, fresh: PY_FILES.length - 1, unreadable: 1 });
  expect(res.stderr).toContain('runner: error: 1 file could not be read');
});

test('issue 10: a name that is not valid UTF-8 fails the run, shown escaped; one the config does not track does not', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  const opts: RunOptions = { cwd: sb.tree, env: baseEnv() };
  expect((await runRunner(['run'], opts)).code).toBe(0);
  resetProbeLog(sb);
  const raw = (name: string): Buffer =>
    Buffer.concat([Buffer.from(path.join(sb.tree, name)), Buffer.from([0xff]), Buffer.from('.py')]);
  const notes = Buffer.concat([
    Buffer.from(path.join(sb.tree, 'calc/notes')),
    Buffer.from([0xff]),
    Buffer.from('.txt'),
  ]);
  fs.writeFileSync(notes, 'not tracked: include is **/*.py\n');
  beforeSandboxRemoval(() => fs.rmSync(notes, { force: true }));
  const quiet = await runJson<RunJson>(['run'], opts);
  expect(quiet.res.code, show(quiet.res)).toBe(0);
  expect(quiet.json.scan.issues).toEqual([]);

  fs.writeFileSync(raw('calc/b'), 'PROBE_FAIL = 1\n');
  beforeSandboxRemoval(() => fs.rmSync(raw('calc/b'), { force: true }));
  const { res, json } = await runJson<RunJson>(['run'], opts);
  expect(res.code, show(res)).toBe(1);
  expect(readProbeLog(sb).started).toEqual([]);
  expect(json.scan.issues).toEqual([
    expect.objectContaining({ path: 'calc/b\\xff.py', kind: 'not-utf8', entry: 'file' }),
  ]);
  expect(json.scan.unreadable).toEqual({ files: 1, directories: 0 });
  expect(json.counts).toMatchObject({ jobs: PY_FILES.length, fresh: PY_FILES.length, unreadable: 0 });
  expect(res.stderr).toContain('runner: warning: calc/b\\xff.py: has a name that is not valid UTF-8');
  expect(res.stderr).toContain('runner: error: 1 file could not be read');
});

test('issue 10: a symbolic link to nothing (an editor lock file) is a warning, not a failure: it has no content to check', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  const opts: RunOptions = { cwd: sb.tree, env: baseEnv() };
  expect((await runRunner(['run'], opts)).code).toBe(0);
  resetProbeLog(sb);
  fs.symlinkSync('someone@host.4242:1700000000', path.join(sb.tree, 'calc/.#ops.py'));
  const { res, json } = await runJson<RunJson>(['run'], opts);
  expect(res.code, show(res)).toBe(0);
  expect(json.scan.issues).toEqual([
    { path: 'calc/.#ops.py', kind: 'dangling-symlink', detail: 'is a symbolic link to nothing', entry: 'file' },
  ]);
  expect(json.scan.unreadable).toEqual({ files: 0, directories: 0 });
  expect(json.counts).toMatchObject({ jobs: PY_FILES.length, fresh: PY_FILES.length, unreadable: 0 });
  expect(readProbeLog(sb).started).toEqual([]);
});
