// The bound on narrowing a failed batch chunk (issue 14, point 3): a chunk
// whose files all fail costs at most its budget of processes, its files not
// judged alone fail in this run and run again in the next (never cached as
// failures), and `narrowing` sets the budget per tool. Real runs of
// bin/runner with the batch probe (python3), counting the processes it ran.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { expect, test } from 'vitest';
import { type ExplainJson, type RunJson, baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { batchFilesRun, batchProbeTool, batchProcesses, resetBatchProbe } from '../helpers/batch-probe.js';
import { parseJunit } from '../helpers/junit.js';
import { REPO, type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

/** The --json contract (schema/run-report.schema.json): what it says of an output, [] when it validates. */
const validate = new Ajv({ allErrors: true, strict: true }).compile(
  JSON.parse(fs.readFileSync(path.join(REPO, 'schema', 'run-report.schema.json'), 'utf8')),
);
const problems = (json: unknown): string[] =>
  validate(json) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);

/** pkg/m01.py … pkg/mNN.py, those in `failing` holding the probe's failure marker; the probe as the one tool. */
function tree(n: number, failing: (i: number) => boolean, tool: Record<string, unknown> = {}): Sandbox {
  const sb = useFixture('python-demo');
  for (let i = 1; i <= n; i++)
    writeText(sb, `pkg/m${String(i).padStart(2, '0')}.py`, failing(i) ? `PROBE_FAIL = ${i}\n` : `X = ${i}\n`);
  writeConfig(sb, { include: ['pkg/**/*.py'], env: { PROBE_DIR: sb.scratch }, tools: [batchProbeTool(tool)] });
  return sb;
}

/** Every process fails as pytest does when conftest.py cannot import (exit 4), whatever files it gets. */
const breakSetup = (sb: Sandbox): void => fs.writeFileSync(path.join(sb.scratch, 'broken'), '');

const statuses = (json: RunJson): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const j of json.jobs) out[j.status] = (out[j.status] ?? 0) + 1;
  return out;
};

/** The files a run reported with `status`, sorted. */
const filesWith = (json: RunJson, status: string): string[] =>
  json.jobs
    .filter((j) => j.status === status)
    .map((j) => j.file)
    .sort();

test('issue 14: a chunk of 64 files that all fail for one shared cause stops narrowing early, reports all 64 failed, and runs the unjudged ones again next run', async () => {
  const sb = tree(64, () => false);
  breakSetup(sb);
  const junit = path.join(sb.scratch, 'junit.xml');
  const { res, json, printed } = await runJson(['run', '-j', '1', '--junit', junit], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(problems(printed)).toEqual([]);
  const ran = batchProcesses(sb);
  // The chunk, halves down to its first file alone (6), then the 63 others as one: the same output each time.
  expect(ran.map((p) => p.files.length)).toEqual([64, 32, 16, 8, 4, 2, 1, 63]);
  expect(ran.length - 1).toBeLessThanOrEqual(16); // the default budget for 64 files: 2 (log2 64 + 2)
  expect(json.counts).toMatchObject({ jobs: 64, failed: 64, passed: 0 });
  expect(statuses(json)).toEqual({ failed: 64 });
  // Each points at the log of the smallest failed process that held it.
  for (const j of json.jobs) {
    expect(j.log, j.file).not.toBeNull();
    expect(fs.readFileSync(path.join(sb.tree, j.log!), 'utf8')).toContain('ImportError while loading conftest');
  }
  type Job = RunJson['jobs'][number] & { chunk?: { id: string }; unjudged?: unknown };
  const byFile = new Map(json.jobs.map((j) => [j.file, j as Job]));
  // The first file failed alone: judged. The others say which process they failed with, and why not alone.
  expect(byFile.get('pkg/m01.py')!.chunk?.id).toBe('batch#1.6');
  expect(byFile.get('pkg/m01.py')).not.toHaveProperty('unjudged');
  expect(byFile.get('pkg/m02.py')!.chunk?.id).toBe('batch#1.5');
  expect(byFile.get('pkg/m64.py')!.chunk?.id).toBe('batch#1.7');
  expect(byFile.get('pkg/m64.py')!.unjudged).toEqual({ kind: 'dense', processes: 7 });
  // JUnit: a failing testcase per file, an unjudged one saying so.
  const cases = parseJunit(junit).suites.find((s) => s.name === 'batch')!.cases;
  expect(cases.filter((c) => c.outcome?.tag === 'failure')).toHaveLength(64);
  expect(cases.find((c) => c.name === 'pkg/m64.py')!.details).toMatchObject({ unjudged: 'dense after 7' });
  expect(cases.find((c) => c.name === 'pkg/m01.py')!.details).not.toHaveProperty('unjudged');

  // explain: an unjudged file failed with its chunk, was not judged alone, and runs again.
  const explained = await runRunner(['explain', 'pkg/m40.py'], { cwd: sb.tree, env: baseEnv() });
  expect(explained.code, show(explained)).toBe(0);
  expect(explained.stdout).toContain('batch: stale');
  expect(explained.stdout).toContain(
    "- failed with its batch chunk last time, not judged alone: the narrowing stopped after 7 processes (a dense failure: all but the first file, together, printed the chunk's own output); it runs again",
  );
  const explainedJson = await runJson<ExplainJson>(['explain', 'pkg/m40.py'], { cwd: sb.tree, env: baseEnv() });
  expect(explainedJson.json.tools[0]!.reasons).toEqual([
    expect.objectContaining({ kind: 'unjudged', stop: 'dense', processes: 7 }),
  ]);
  // The first file failed alone: that failure is its own, and cached.
  const first = await runRunner(['explain', 'pkg/m01.py'], { cwd: sb.tree, env: baseEnv() });
  expect(first.stdout).toContain('batch: cached failure');

  // The next run: the 63 unjudged run again (not cached failures), and -v says the narrowing stopped.
  resetBatchProbe(sb);
  const again = await runRunner(['run', '-j', '1', '-v'], { cwd: sb.tree, env: baseEnv() });
  expect(again.code, show(again)).toBe(1);
  expect(batchFilesRun(sb)).toHaveLength(63);
  expect(batchFilesRun(sb)).not.toContain('pkg/m01.py');
  expect(again.stdout).toMatch(
    /narrowing of batch#1 stopped after 7 processes \(a dense failure: .*\): 62 files fail unjudged and run again next time\n/,
  );
  // The failure summary says it of each unjudged file.
  expect(again.stdout + again.stderr).toContain(
    'failed with chunk batch#1.7 (62 files), not judged alone: the narrowing stopped after 7 processes (a dense failure); it runs again next time',
  );

  // The shared cause fixed: the 62 still unjudged pass, one process.
  fs.rmSync(path.join(sb.scratch, 'broken'));
  resetBatchProbe(sb);
  const fixed = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(problems(fixed.printed)).toEqual([]); // its jobs' reasons: unjudged
  expect(fixed.json.jobs.find((j) => j.file === 'pkg/m64.py')!.reasons).toEqual(['unjudged']);
  expect(batchProcesses(sb)).toHaveLength(1);
  expect(filesWith(fixed.json, 'passed')).toHaveLength(62);
  expect(filesWith(fixed.json, 'cached-failure')).toEqual(['pkg/m01.py', 'pkg/m02.py']);
});

test('issue 14: a chunk of 64 files each failing for itself costs at most its budget; the files not judged alone fail now and run again next run', async () => {
  const sb = tree(64, () => true);
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  // Each process names its own files: no dense stop, the budget (16 after the chunk) bounds it.
  expect(batchProcesses(sb)).toHaveLength(1 + 16);
  expect(statuses(json)).toEqual({ failed: 64 });
  const alone = new Set(
    batchProcesses(sb)
      .filter((p) => p.files.length === 1)
      .map((p) => p.files[0]!),
  );
  expect(alone.size).toBeGreaterThan(0);

  resetBatchProbe(sb);
  const again = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(again.res.code, show(again.res)).toBe(1);
  // Those found alone are cached failures; every other file runs again.
  expect(filesWith(again.json, 'cached-failure')).toEqual([...alone].sort());
  expect(batchFilesRun(sb)).toHaveLength(64 - alone.size);
  expect(batchProcesses(sb).length - 1).toBeLessThanOrEqual(16);
});

test('issue 14: with "narrowing": 16, one bad file among 64 is still found alone and cached; the others pass', async () => {
  const sb = tree(64, (i) => i === 37, { narrowing: 16 });
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(filesWith(json, 'failed')).toEqual(['pkg/m37.py']);
  expect(json.counts).toMatchObject({ passed: 63, failed: 1 });
  expect(batchProcesses(sb).length - 1).toBeLessThanOrEqual(Math.log2(64) + 2);
  resetBatchProbe(sb);
  const again = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(batchProcesses(sb)).toEqual([]);
  expect(filesWith(again.json, 'cached-failure')).toEqual(['pkg/m37.py']);
});

test('issue 14: "narrowing": 0 does not narrow: a failed chunk\'s files all fail, unjudged, and the chunk runs whole next time', async () => {
  const sb = tree(8, (i) => i === 3, { narrowing: 0 });
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(batchProcesses(sb)).toHaveLength(1);
  expect(statuses(json)).toEqual({ failed: 8 });
  const explained = await runRunner(['explain', 'pkg/m05.py'], { cwd: sb.tree, env: baseEnv() });
  expect(explained.stdout).toContain(
    '- failed with its batch chunk last time, not judged alone: the narrowing stopped after 0 processes (its budget, the tool\'s "narrowing"); it runs again',
  );

  // m3 fixed: all eight run again, in one process, and pass.
  writeText(sb, 'pkg/m03.py', 'X = 3\n');
  resetBatchProbe(sb);
  const fixed = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(fixed.res.code, show(fixed.res)).toBe(0);
  expect(batchProcesses(sb).map((p) => p.files.length)).toEqual([8]);
  expect(fixed.json.counts).toMatchObject({ passed: 8 });
});

test('issue 14: a bad "narrowing" stops the run with exit 2, naming the value', async () => {
  const sb = tree(2, () => false);
  writeText(
    sb,
    '.runnerrc.json',
    JSON.stringify({ include: ['pkg/**/*.py'], tools: [{ ...batchProbeTool(), narrowing: -3 }] }),
  );
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toContain('tools[0].narrowing is -3; expected a whole number of processes from 0');
});

test('issue 14: a tool that fails printing nothing is never taken for dense: its narrowing spends its budget', async () => {
  const sb = tree(16, () => false, {
    command: ['sh', '-c', 'echo "$*" >> "$PROBE_DIR/batch.log"; exit 1', 'sh', '{files}'],
  });
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  const ran = fs.readFileSync(path.join(sb.scratch, 'batch.log'), 'utf8').trim().split('\n');
  // The same (empty) output everywhere says nothing of a shared cause: 2 (log2 16 + 2) processes after the chunk.
  expect(ran).toHaveLength(1 + 12);
  expect(statuses(json)).toEqual({ failed: 16 });
  const unjudged = json.jobs.map((j) => (j as { unjudged?: { kind: string } }).unjudged?.kind);
  expect(unjudged).toContain('budget');
  expect(unjudged).not.toContain('dense');
});
