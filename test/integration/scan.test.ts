// `runner scan`: counts tracked/new/changed/removed files and stale jobs per tool, runs nothing.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, runRunner, show, type RunJson, type ScanCommandJson } from '../helpers/cli.js';
import { PROBED_JOBS, PY_FILES, keysFor } from '../helpers/python-demo.js';
import { addProbe, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { appendText, beforeSandboxRemoval, useFixture, writeText, type Sandbox } from '../helpers/sandbox.js';

test('scan on a fresh tree counts every file new and every job stale, and runs nothing', async () => {
  const sb = useFixture('python-demo');
  addProbe(sb);
  const { res, json } = await runJson<ScanCommandJson>(['scan'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.command).toBe('scan');
  expect(json.exitCode).toBe(0);
  expect(json.scan).toMatchObject({ tracked: 6, new: 6, changed: 0, removed: 0, issues: [] });
  expect(json.stale).toEqual({ syntax: 6, style: 5, test: 2, probe: 6 });
  expect(jobKeys(json.staleJobs)).toEqual(PROBED_JOBS);
  expect(readProbeLog(sb).started).toEqual([]);

  // The scan recorded files, not results: a run still has every job to do.
  const run = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(run.res.code, show(run.res)).toBe(0);
  expect(run.json.counts.ran).toBe(19);
});

test('scan after a run reports no stale job', async () => {
  const sb = useFixture('python-demo');
  const run = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  const { res, json } = await runJson<ScanCommandJson>(['scan'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.scan).toMatchObject({ tracked: 6, new: 0, changed: 0, removed: 0 });
  expect(Object.values(json.stale).every((n) => n === 0)).toBe(true);
  expect(json.staleJobs).toEqual([]);
});

test('scan reports new, changed and removed files and the stale jobs they cause', async () => {
  const sb = useFixture('python-demo');
  addProbe(sb);
  const run = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  resetProbeLog(sb);
  appendText(sb, 'calc/ops.py', '# changed\n');
  fs.rmSync(path.join(sb.tree, 'tests/test_stats.py'));
  writeText(sb, 'calc/extra.py', 'VALUE = 1\n');

  const { res, json } = await runJson<ScanCommandJson>(['scan'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.scan).toMatchObject({ tracked: 6, new: 1, changed: 1, removed: 1 });
  expect(json.stale).toMatchObject({ syntax: 2, style: 2, probe: 2 });
  // test_ops.py imports calc/ops.py ("deps": "python"); test_stats.py is gone.
  expect(json.stale.test).toBe(1);
  const expected = [
    ...keysFor('calc/ops.py', ['syntax', 'style', 'probe']),
    ...keysFor('calc/extra.py', ['syntax', 'style', 'probe']),
    'test tests/test_ops.py',
  ].sort();
  expect(jobKeys(json.staleJobs)).toEqual(expected);
  const byKey = new Map(json.staleJobs.map((j) => [`${j.tool} ${j.file}`, j.reasons]));
  expect(byKey.get('syntax calc/ops.py')).toEqual(['content']);
  expect(byKey.get('syntax calc/extra.py')).toContain('new');

  // A second scan has nothing new to count, but the jobs are still stale.
  const again = await runJson<ScanCommandJson>(['scan'], { cwd: sb.tree, env: baseEnv() });
  expect(again.json.scan).toMatchObject({ tracked: 6, new: 0, changed: 0, removed: 0 });
  expect(jobKeys(again.json.staleJobs)).toEqual(expected);
  expect(readProbeLog(sb).started).toEqual([]);
});

test('plain scan prints the counts line', async () => {
  const sb = useFixture('python-demo');
  const res = await runRunner(['scan'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(res.stdout).toContain('tracked 6, new 6, changed 0, removed 0');
  for (const tool of ['syntax', 'style', 'test']) expect(res.stdout).toContain(tool);
});

test('the state directory is never walked, and excluded files are not tracked', async () => {
  const sb = useFixture('python-demo');
  writeText(sb, 'calc/__pycache__/ops.cpython-311.py', 'x = 1\n');
  const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.code, show(first)).toBe(0);
  writeText(sb, '.runner/stray.py', 'x = 1\n');
  const { json } = await runJson<ScanCommandJson>(['scan'], { cwd: sb.tree, env: baseEnv() });
  expect(json.scan).toMatchObject({ tracked: PY_FILES.length, new: 0 });
});

/** Adds a self-referencing symlink calc/self.py and a file whose name is not valid UTF-8 (calc/b\xff.py). */
function addBadEntries(sb: Sandbox): void {
  fs.symlinkSync('self.py', path.join(sb.tree, 'calc/self.py'));
  const badName = Buffer.concat([Buffer.from(path.join(sb.tree, 'calc/b')), Buffer.from([0xff]), Buffer.from('.py')]);
  fs.writeFileSync(badName, 'x = 1\n');
  beforeSandboxRemoval(() => fs.rmSync(badName, { force: true }));
}

test('a symlink loop and a name that is not valid UTF-8 are scan issues: the run goes on, then fails (issue 10)', async () => {
  const sb = useFixture('python-demo');
  addBadEntries(sb);
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(json.scan.tracked).toBe(PY_FILES.length);
  expect(json.scan.issues).toContainEqual(expect.objectContaining({ path: 'calc/self.py', kind: 'symlink-loop' }));
  expect(json.scan.issues.map((i) => i.kind).sort()).toEqual(['not-utf8', 'symlink-loop']);
  // The loop's syntax and style jobs cannot be checked; the other 13 ran.
  expect(json.counts).toMatchObject({ jobs: 15, ran: 13, passed: 13, unreadable: 2 });
});

test('plain output: scan issues are warnings on stderr, and the summary stays the last line of stdout', async () => {
  const sb = useFixture('python-demo');
  addBadEntries(sb);
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(res.stderr).toMatch(/^runner: warning: calc\/self\.py: .*$/m);
  expect(res.stderr).toContain(
    'runner: error: 2 files could not be read (named above): their jobs were not checked, so the run fails',
  );
  expect(res.stdout).not.toContain('runner: warning:');
  expect(res.stdout.trimEnd().split('\n').at(-1)).toMatch(
    /^runner: 15 jobs: 13 ran .*, 2 not checked \(unreadable\) in /,
  );
  const json = JSON.parse((await runRunner(['run', '--json'], { cwd: sb.tree, env: baseEnv() })).stdout) as RunJson;
  expect(json.counts.ran).toBe(0);
});
