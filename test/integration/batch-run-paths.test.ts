// Batch tools (issue 14, point 5) on the paths a run can take besides a plain
// pass: SIGINT/SIGTERM mid-chunk and mid-narrowing, timeouts, --fail-fast,
// cached failures and --rerun-failed, the failure summary, and dependency
// inference.
// Each runs bin/runner with the batch probe (helpers/batch-probe.py), a real
// python3 process per chunk that records the files it got; a process that
// must stay running waits on a gate the test opens, never on a sleep.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { type RunJson, baseEnv, jobKeys, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import {
  type BatchProcess,
  batchFilesRun,
  batchProbeTool,
  batchProcesses,
  openGate,
  resetBatchProbe,
} from '../helpers/batch-probe.js';
import {
  type Sandbox,
  beforeSandboxRemoval,
  readText,
  isProcessAlive,
  useFixture,
  waitFor,
  writeConfig,
  writeText,
} from '../helpers/sandbox.js';

const env = baseEnv();

/** A tree of `files` under pkg/ (only those tracked), the batch probe its one tool. */
function batchTree(files: Record<string, string>, tool: Record<string, unknown> = {}): Sandbox {
  const sb = useFixture('python-demo');
  for (const [rel, text] of Object.entries(files)) writeText(sb, rel, text);
  writeConfig(sb, { include: ['pkg/**/*.py'], env: { PROBE_DIR: sb.scratch }, tools: [batchProbeTool(tool)] });
  return sb;
}

/** pkg/m1.py … pkg/mN.py, each passing, with `special` replacing some contents. */
function modules(n: number, special: Record<number, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; i <= n; i++) out[`pkg/m${i}.py`] = `X = ${i}\n${special[i] ?? ''}`;
  return out;
}

const statusOf = (json: RunJson): Record<string, string> =>
  Object.fromEntries(json.jobs.map((j) => [j.file, j.status]));

/** Each file's line in a run's text output: PASS, FAIL or STOP (interrupted), as the run reported it. */
function linesOf(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^(PASS|FAIL|STOP) batch (\S+)/gm)].map((m) => [m[2]!, m[1]!]));
}

/** Kills, when the test ends, any probe process still alive (a failing test leaves none behind). */
function reapProbes(sb: Sandbox): void {
  beforeSandboxRemoval(() => {
    for (const p of batchProcesses(sb))
      for (const pid of [p.pid, ...p.workers]) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  });
}

/** Waits until a probe process that got `file` is running (started, not ended). */
async function runningWith(sb: Sandbox, file: string): Promise<BatchProcess> {
  return waitFor(`a process with ${file} to start`, () =>
    batchProcesses(sb).find((p) => p.files.includes(file) && p.code === null),
  );
}

test('issue 14: SIGINT while a chunk runs exits 130, kills it, keeps the finished chunk, and the next run runs exactly the unfinished chunk', async () => {
  // -j 2: two chunks of four; the second waits on a gate never opened during the run.
  const sb = batchTree(modules(8, { 6: '# PROBE_WAIT=go PROBE_WORKER\n' }));
  reapProbes(sb);
  const running = startRunner(['run', '-j', '2'], { cwd: sb.tree, env });
  const held = await runningWith(sb, 'pkg/m6.py');
  // A count of 0 is a value to waitFor: wait until the worker is there.
  await waitFor(
    'its worker to start',
    () => (batchProcesses(sb).find((p) => p.pid === held.pid)?.workers.length ?? 0) > 0,
  );
  // The other chunk's end is known to the run once its files are reported (a process that has ended is not enough).
  await waitFor('the other chunk to be reported', () => Object.keys(linesOf(running.stdout())).length === 4);
  running.child.kill('SIGINT');
  const res = await running.result;
  expect(res.code, show(res)).toBe(130);
  await waitFor(`the held chunk (pid ${held.pid}) to be killed`, () => !isProcessAlive(held.pid));
  // Nor is anything it started left: its worker went with its process group.
  const workers = batchProcesses(sb).flatMap((p) => p.workers);
  expect(workers).toHaveLength(1);
  await waitFor(`its worker (pid ${workers[0]}) to be killed`, () => !isProcessAlive(workers[0]!));
  for (const p of batchProcesses(sb)) expect(isProcessAlive(p.pid), `pid ${p.pid}`).toBe(false);
  expect(held.files).toEqual(['pkg/m5.py', 'pkg/m6.py', 'pkg/m7.py', 'pkg/m8.py']);
  expect(linesOf(res.stdout)).toEqual({
    'pkg/m1.py': 'PASS',
    'pkg/m2.py': 'PASS',
    'pkg/m3.py': 'PASS',
    'pkg/m4.py': 'PASS',
    'pkg/m5.py': 'STOP',
    'pkg/m6.py': 'STOP',
    'pkg/m7.py': 'STOP',
    'pkg/m8.py': 'STOP',
  });

  openGate(sb, 'go');
  resetBatchProbe(sb);
  const next = await runJson(['run', '-j', '2'], { cwd: sb.tree, env });
  expect(next.res.code, show(next.res)).toBe(0);
  expect(batchFilesRun(sb)).toEqual(['pkg/m5.py', 'pkg/m6.py', 'pkg/m7.py', 'pkg/m8.py']);
  expect(next.json.counts).toMatchObject({ ran: 4, passed: 4, fresh: 4 });
  expect(next.json.jobs.every((j) => j.reasons.includes('interrupted'))).toBe(true);
});

test('issue 14: SIGTERM mid-narrowing exits 143; files judged before it keep their results, the rest run next time', async () => {
  // -j 1, one chunk of four: m2 fails, so the chunk is narrowed; m4 waits on a gate, so narrowing cannot end.
  const sb = batchTree(modules(4, { 2: '# PROBE_FAIL\n', 4: '# PROBE_WAIT=go\n' }));
  reapProbes(sb);
  const running = startRunner(['run', '-j', '1'], { cwd: sb.tree, env });
  await waitFor("m2's failure to be reported", () => linesOf(running.stdout())['pkg/m2.py'] === 'FAIL');
  const held = await waitFor('a process holding m4 but not m2 to run', () =>
    batchProcesses(sb).find((p) => p.files.includes('pkg/m4.py') && !p.files.includes('pkg/m2.py') && p.code === null),
  );
  running.child.kill('SIGTERM');
  const res = await running.result;
  expect(res.code, show(res)).toBe(143);
  await waitFor(`the held process (pid ${held.pid}) to be killed`, () => !isProcessAlive(held.pid));
  for (const p of batchProcesses(sb)) expect(isProcessAlive(p.pid), `pid ${p.pid}`).toBe(false);
  const first = linesOf(res.stdout);
  expect(first).toMatchObject({ 'pkg/m1.py': 'PASS', 'pkg/m2.py': 'FAIL', 'pkg/m4.py': 'STOP' });
  // Files without a verdict (m4, and whichever shared its process or had not run) must run again; no other.
  const unjudged = ['pkg/m1.py', 'pkg/m2.py', 'pkg/m3.py', 'pkg/m4.py'].filter(
    (f) => first[f] !== 'PASS' && first[f] !== 'FAIL',
  );

  openGate(sb, 'go');
  resetBatchProbe(sb);
  const next = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(next.res.code, show(next.res)).toBe(1);
  expect(batchFilesRun(sb)).toEqual(unjudged.sort());
  expect(statusOf(next.json)).toEqual({
    'pkg/m2.py': 'cached-failure',
    ...Object.fromEntries(unjudged.map((f) => [f, 'passed'])),
  });
});

test('issue 14: a timeout is per chunk and narrowed like a failure: the hanging file alone times out, the others pass, nothing is left running', async () => {
  // m3 waits on a gate never opened (its own limit is 60 s): every process given m3 outlives the 1 s timeout.
  const sb = batchTree(modules(4, { 3: '# PROBE_WAIT=never PROBE_WORKER\n' }), { timeout: 1 });
  reapProbes(sb);
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(1);
  expect(statusOf(json)).toEqual({
    'pkg/m1.py': 'passed',
    'pkg/m2.py': 'passed',
    'pkg/m3.py': 'failed',
    'pkg/m4.py': 'passed',
  });
  const m3 = json.jobs.find((j) => j.file === 'pkg/m3.py')!;
  expect(fs.readFileSync(path.join(sb.tree, m3.log!), 'utf8')).toContain('runner: timed out after 1.0s; killed');
  // Every process given m3 was stopped by its timeout, its worker with it; every other one ended on its own.
  for (const p of batchProcesses(sb)) {
    expect(p.code, p.files.join()).toBe(p.files.includes('pkg/m3.py') ? null : 0);
    for (const pid of [p.pid, ...p.workers]) await waitFor(`pid ${pid} to be gone`, () => !isProcessAlive(pid));
  }

  resetBatchProbe(sb);
  const again = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(again.res.code).toBe(1);
  expect(batchProcesses(sb)).toEqual([]);
  expect(statusOf(again.json)).toEqual({ 'pkg/m3.py': 'cached-failure' });
});

test('issue 14: --fail-fast: after a chunk fails no chunk starts; the running ones finish and keep their results', async () => {
  // -j 2 and maxFiles 2: four chunks; the first two start together, each held on a gate of its own.
  const sb = batchTree(modules(8, { 1: '# PROBE_FAIL PROBE_WAIT=one\n', 3: '# PROBE_WAIT=two\n' }), { maxFiles: 2 });
  reapProbes(sb);
  const running = startRunner(['run', '-j', '2', '--fail-fast'], { cwd: sb.tree, env });
  await runningWith(sb, 'pkg/m1.py');
  await runningWith(sb, 'pkg/m3.py');
  openGate(sb, 'one');
  // The failure is known to the run once it is reported; only then may the other chunk end and free its token.
  await waitFor(`m1's failure to be reported\n${running.stdout()}`, () =>
    running.stdout().includes('FAIL batch pkg/m1.py'),
  );
  openGate(sb, 'two');
  const res = await running.result;
  expect(res.code, show(res)).toBe(1);
  expect(batchFilesRun(sb)).toEqual(['pkg/m1.py', 'pkg/m2.py', 'pkg/m3.py', 'pkg/m4.py']);
  expect(res.stdout).toMatch(/^FAIL batch pkg\/m1\.py/m);
  for (const f of ['pkg/m2.py', 'pkg/m3.py', 'pkg/m4.py'])
    expect(res.stdout).toMatch(new RegExp(`^PASS batch ${f}`, 'm'));

  // Without --fail-fast the next run runs only the chunks never started; m1 is a cached failure.
  resetBatchProbe(sb);
  const next = await runJson(['run', '-j', '2'], { cwd: sb.tree, env });
  expect(next.res.code, show(next.res)).toBe(1);
  expect(batchFilesRun(sb)).toEqual(['pkg/m5.py', 'pkg/m6.py', 'pkg/m7.py', 'pkg/m8.py']);
  expect(statusOf(next.json)).toMatchObject({ 'pkg/m1.py': 'cached-failure' });
  expect(next.json.counts).toMatchObject({ ran: 4, passed: 4, cachedFailures: 1, fresh: 3 });
});

test('issue 14: cached failures of a batch tool are per file: not rerun, reported failed with their own output, exit 1; --rerun-failed runs only them, in one process', async () => {
  const sb = batchTree(modules(6, { 2: '# PROBE_FAIL\n', 5: '# PROBE_FAIL\n' }));
  const first = await runRunner(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(first.code, show(first)).toBe(1);
  // The summary lists each failing file, and each file's output is its own process's, naming only itself.
  const summary = first.stdout.slice(first.stdout.indexOf('runner: 2 failures:'));
  expect(summary, show(first)).toMatch(
    /^runner: 2 failures:\n {2}FAIL batch pkg\/m2\.py .*\n {2}FAIL batch pkg\/m5\.py /,
  );
  expect(summary).not.toMatch(/pkg\/m[1346]\.py/);
  expect(first.stdout).toMatch(/^FAIL batch pkg\/m2\.py .*\n {2}\| batch-probe: FAIL pkg\/m2\.py\n {2}log: /m);
  expect(first.stdout).toMatch(/^FAIL batch pkg\/m5\.py .*\n {2}\| batch-probe: FAIL pkg\/m5\.py\n {2}log: /m);

  resetBatchProbe(sb);
  const cached = await runRunner(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(cached.code, show(cached)).toBe(1);
  expect(batchProcesses(sb)).toEqual([]);
  expect(cached.stdout).toMatch(/^FAIL batch pkg\/m2\.py \(cached failure.*\n {2}\| batch-probe: FAIL pkg\/m2\.py\n/m);
  expect(cached.stdout).toMatch(/^FAIL batch pkg\/m5\.py \(cached failure.*\n {2}\| batch-probe: FAIL pkg\/m5\.py\n/m);
  expect(cached.stdout).toContain('runner: 6 jobs: 0 ran (0 passed, 0 failed), 2 cached failures, 4 fresh');
  const asJson = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(asJson.res.code).toBe(1);
  expect(statusOf(asJson.json)).toEqual({ 'pkg/m2.py': 'cached-failure', 'pkg/m5.py': 'cached-failure' });

  // --rerun-failed: the two failed files run again, together in one chunk (one token), and nothing else.
  resetBatchProbe(sb);
  writeText(sb, 'pkg/m2.py', 'X = 2\n'); // fixed; m5 still fails
  const rerun = await runJson(['run', '-j', '1', '--rerun-failed'], { cwd: sb.tree, env });
  expect(rerun.res.code, show(rerun.res)).toBe(1);
  expect(batchProcesses(sb)[0]!.files).toEqual(['pkg/m2.py', 'pkg/m5.py']);
  expect(batchFilesRun(sb)).toEqual(['pkg/m2.py', 'pkg/m5.py']);
  expect(statusOf(rerun.json)).toEqual({ 'pkg/m2.py': 'passed', 'pkg/m5.py': 'failed' });

  resetBatchProbe(sb);
  const after = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(after.res.code).toBe(1);
  expect(batchProcesses(sb)).toEqual([]);
  expect(statusOf(after.json)).toEqual({ 'pkg/m5.py': 'cached-failure' });
});

test('issue 14: files that fail only together are each a failure with the chunk output, in the summary, the merged log (once) and as cached failures', async () => {
  const sb = batchTree(modules(4, { 1: '# PROBE_FAIL_TOGETHER\n', 4: '# PROBE_FAIL_TOGETHER\n' }));
  const merged = path.join(sb.scratch, 'merged.log');
  const first = await runRunner(['run', '-j', '1', '--merged-log', merged], { cwd: sb.tree, env });
  expect(first.code, show(first)).toBe(1);
  // No process with fewer files fails, so no file can be cleared of the chunk's failure: all four fail with it.
  expect(batchProcesses(sb)[0]!.files).toEqual(['pkg/m1.py', 'pkg/m2.py', 'pkg/m3.py', 'pkg/m4.py']);
  const summary = first.stdout.slice(first.stdout.indexOf('runner: 4 failures:'));
  for (const f of ['m1', 'm2', 'm3', 'm4']) {
    expect(summary, show(first)).toMatch(new RegExp(`^ {2}FAIL batch pkg/${f}\\.py `, 'm'));
    expect(first.stdout).toMatch(
      new RegExp(
        `^FAIL batch pkg/${f}\\.py .*\\n {2}\\(judged in chunk batch#1 with 3 other files[^\\n]*\\n {2}\\| batch-probe: FAIL pkg/m1\\.py\\n`,
        'm',
      ),
    );
  }
  // The merged log holds the shared output once, and says the other three failed with that same output.
  const lines = fs.readFileSync(merged, 'utf8').split('\n');
  expect(lines.filter((l) => l === '==> batch pkg/m1.py (exit 1) <==')).toHaveLength(1);
  expect(lines.filter((l) => l === 'batch-probe: FAIL pkg/m1.py')).toHaveLength(1);
  for (const f of ['m2', 'm3', 'm4'])
    expect(lines).toContain(`==> batch pkg/${f}.py (exit 1): the same output as batch pkg/m1.py above <==`);

  resetBatchProbe(sb);
  const cached = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(cached.res.code).toBe(1);
  expect(batchProcesses(sb)).toEqual([]);
  expect(Object.values(statusOf(cached.json))).toEqual(Array(4).fill('cached-failure'));
});

test('issue 14: "deps": "python" with a batch tool: a module change reruns exactly the files whose closure changed, in one process at -j 1', async () => {
  const sb = useFixture('python-deps');
  writeConfig(sb, {
    include: ['**/*.py'],
    exclude: ['**/__pycache__/**'],
    env: { PROBE_DIR: sb.scratch },
    addSourceTreeToPythonPath: true,
    tools: [batchProbeTool({ include: ['tests/test_*.py'], deps: 'python' })],
  });
  const first = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(first.res.code, show(first.res)).toBe(0);
  expect(batchProcesses(sb)).toHaveLength(1);
  const all = jobKeys(first.json.jobs);
  expect(all).toHaveLength(4);

  resetBatchProbe(sb);
  writeText(sb, 'app/util.py', `${readText(sb, 'app/util.py')}\n# edited\n`);
  const next = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(next.res.code, show(next.res)).toBe(0);
  // The same two tests that watch.test.ts shows depend on app/util.py.
  expect(batchProcesses(sb).map((p) => p.files)).toEqual([['tests/test_api.py', 'tests/test_util.py']]);
  expect(jobKeys(next.json.jobs)).toEqual(['batch tests/test_api.py', 'batch tests/test_util.py']);
  expect(next.json.jobs.every((j) => j.reasons.includes('dependency'))).toBe(true);

  resetBatchProbe(sb);
  const noop = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(noop.res.code).toBe(0);
  expect(batchProcesses(sb)).toEqual([]);
});

test('issue 14: "deps": "javascript" with a batch tool: a module change reruns exactly its importers, in one process at -j 1', async () => {
  const sb = useFixture('js-deps');
  writeConfig(sb, {
    include: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.cjs', 'tsconfig.json'],
    env: { PROBE_DIR: sb.scratch },
    tools: [batchProbeTool({ include: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.cjs'], deps: 'javascript' })],
  });
  const first = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(first.res.code, show(first.res)).toBe(0);
  expect(batchProcesses(sb)).toHaveLength(1);

  resetBatchProbe(sb);
  writeText(sb, 'lib/strings.ts', `${readText(sb, 'lib/strings.ts')}\n// edited\n`);
  const next = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
  expect(next.res.code, show(next.res)).toBe(0);
  // lib/strings.ts and what reaches it: util.ts imports it, api.ts util.ts, index.ts api.ts, the test index.ts.
  const reran = ['lib/strings.ts', 'src/api.ts', 'src/index.ts', 'src/util.ts', 'test/api.test.ts'];
  expect(next.json.jobs.map((j) => j.file).sort()).toEqual(reran);
  expect(next.json.jobs.filter((j) => j.file !== 'lib/strings.ts').every((j) => j.reasons.includes('dependency'))).toBe(
    true,
  );
  expect(batchProcesses(sb).map((p) => p.files)).toEqual([reran]);
});
