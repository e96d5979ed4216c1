// Batch tools (issue 14, point 5) under --staged, the pre-commit hook and
// watch: the batch probe (helpers/batch-probe.py) checks the staged content
// with results per file, a real `git commit` is blocked naming the bad file,
// and a watch cycle runs the files an edit touched in one process per token.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { type RunJson, type RunningRunner, baseEnv, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { batchFilesRun, batchProbeTool, batchProcesses, openGate, resetBatchProbe } from '../helpers/batch-probe.js';
import { type GitResult, commitCount, git, gitOk, gitTestEnv, useRepo } from '../helpers/git.js';
import { type Sandbox, useFixture, waitFor, writeConfig, writeText } from '../helpers/sandbox.js';
import { waitForCycle } from '../helpers/watch-cycles.js';

const statusOf = (json: RunJson): Record<string, string> =>
  Object.fromEntries(json.jobs.map((j) => [j.file, j.status]));

const showGit = (r: GitResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

test('issue 14: --staged and the hook: a batch tool checks the staged content, per file; a commit with one bad file is blocked and names it', async () => {
  const sb = useRepo();
  const env = gitTestEnv();
  // The working tree's config (not staged): the batch probe on the notes.
  writeConfig(sb, { include: ['**/*.txt'], env: { PROBE_DIR: sb.scratch }, tools: [batchProbeTool()] });
  const write = (rel: string, text: string): void => fs.writeFileSync(path.join(sb.tree, rel), text);
  write('notes/a.txt', 'a good line\n');
  write('notes/b.txt', 'PROBE_FAIL staged\n');
  write('notes/c.txt', 'another good line\n');
  gitOk(sb.tree, ['add', 'notes/a.txt', 'notes/b.txt', 'notes/c.txt']);
  // Fixed in the working tree only: what is checked is what the commit would hold.
  write('notes/b.txt', 'fixed, not staged\n');

  const staged = await runJson(['run', '--staged', '-j', '1'], { cwd: sb.tree, env });
  expect(staged.res.code, show(staged.res)).toBe(1);
  expect(batchProcesses(sb)[0]!.files).toEqual(['notes/a.txt', 'notes/b.txt', 'notes/c.txt']);
  expect(batchFilesRun(sb)).toEqual(['notes/a.txt', 'notes/b.txt', 'notes/c.txt']);
  expect(statusOf(staged.json)).toEqual({ 'notes/a.txt': 'passed', 'notes/b.txt': 'failed', 'notes/c.txt': 'passed' });

  // The hook: the commit is blocked by b alone, a cached failure on the same staged content (no process runs).
  resetBatchProbe(sb);
  const installed = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
  expect(installed.code, show(installed)).toBe(0);
  const blocked = git(sb.tree, ['commit', '-m', 'three notes']);
  expect(blocked.code, showGit(blocked)).not.toBe(0);
  expect(commitCount(sb.tree)).toBe(1);
  const said = blocked.stdout + blocked.stderr;
  expect(said).toMatch(/FAIL batch notes\/b\.txt/);
  expect(said).toContain('batch-probe: FAIL notes/b.txt');
  expect(said).not.toMatch(/FAIL batch notes\/[ac]\.txt/);
  expect(batchProcesses(sb)).toEqual([]);

  // b's fix staged: only b runs (a and c are fresh, one by one), and the commit goes through.
  gitOk(sb.tree, ['add', 'notes/b.txt']);
  write('notes/c.txt', 'PROBE_FAIL, not staged\n');
  const ok = git(sb.tree, ['commit', '-m', 'three notes']);
  expect(ok.code, showGit(ok)).toBe(0);
  expect(commitCount(sb.tree)).toBe(2);
  expect(batchFilesRun(sb)).toEqual(['notes/b.txt']);
});

const DEADLINE_MS = 30_000;

interface CycleJson {
  cycle: number;
  exitCode: number;
  jobs: { tool: string; file: string; status: string }[];
}

const cycle = (w: RunningRunner, n: number): Promise<CycleJson> => waitForCycle<CycleJson>(w, n, DEADLINE_MS);

/** Gives the watcher time to deliver earlier events (the test holds either way). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 500));

function watchTree(): Sandbox {
  const sb = useFixture('python-demo');
  for (let i = 1; i <= 6; i++) writeText(sb, `pkg/m${i}.py`, `X = ${i}\n`);
  writeConfig(sb, { include: ['pkg/**/*.py'], env: { PROBE_DIR: sb.scratch }, tools: [batchProbeTool()] });
  return sb;
}

test('issue 14: watch with a batch tool: an edit runs one process with that file; three edits run in one process at -j 1', async () => {
  const sb = watchTree();
  const w = startRunner(['watch', '--json', '--debounce', '100', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  const first = await cycle(w, 1);
  expect(first.jobs.filter((j) => j.status === 'passed')).toHaveLength(6);
  expect(batchProcesses(sb).map((p) => p.files)).toEqual([
    ['pkg/m1.py', 'pkg/m2.py', 'pkg/m3.py', 'pkg/m4.py', 'pkg/m5.py', 'pkg/m6.py'],
  ]);

  resetBatchProbe(sb);
  writeText(sb, 'pkg/m1.py', 'X = 11\n');
  const second = await cycle(w, 2);
  expect(second.jobs.map((j) => [j.file, j.status])).toEqual([['pkg/m1.py', 'passed']]);
  expect(batchProcesses(sb).map((p) => p.files)).toEqual([['pkg/m1.py']]);

  // Three edits made while a cycle runs (held on a gate) all reach the next cycle, whatever batches the watcher cut.
  resetBatchProbe(sb);
  writeText(sb, 'pkg/m2.py', 'X = 22  # PROBE_WAIT=go\n');
  await waitFor('the edit of m2 to run', () => batchProcesses(sb).find((p) => p.files.includes('pkg/m2.py')));
  writeText(sb, 'pkg/m3.py', 'X = 33\n');
  writeText(sb, 'pkg/m4.py', 'X = 44\n');
  writeText(sb, 'pkg/m6.py', 'X = 66\n');
  await settle();
  openGate(sb, 'go');
  expect((await cycle(w, 3)).jobs.map((j) => j.file)).toEqual(['pkg/m2.py']);
  const fourth = await cycle(w, 4);
  expect(fourth.jobs.map((j) => [j.file, j.status])).toEqual([
    ['pkg/m3.py', 'passed'],
    ['pkg/m4.py', 'passed'],
    ['pkg/m6.py', 'passed'],
  ]);
  expect(batchProcesses(sb).map((p) => p.files)).toEqual([['pkg/m2.py'], ['pkg/m3.py', 'pkg/m4.py', 'pkg/m6.py']]);
  w.child.kill('SIGINT');
  const res = await w.result;
  expect(res.code, show(res)).toBe(130);
});

test('issue 14: watch with a batch tool at -j 2: three edited files run as two chunks, one per token, each once', async () => {
  const sb = watchTree();
  const w = startRunner(['watch', '--json', '--debounce', '100', '-j', '2'], { cwd: sb.tree, env: baseEnv() });
  await cycle(w, 1);
  expect(
    batchProcesses(sb)
      .map((p) => p.files.join(' '))
      .sort(),
  ).toEqual(['pkg/m1.py pkg/m2.py pkg/m3.py', 'pkg/m4.py pkg/m5.py pkg/m6.py']);

  resetBatchProbe(sb);
  writeText(sb, 'pkg/m1.py', 'X = 11  # PROBE_WAIT=go\n');
  await waitFor('the edit of m1 to run', () => batchProcesses(sb).find((p) => p.files.includes('pkg/m1.py')));
  writeText(sb, 'pkg/m2.py', 'X = 22\n');
  writeText(sb, 'pkg/m4.py', 'X = 44\n');
  writeText(sb, 'pkg/m5.py', 'X = 55\n');
  await settle();
  openGate(sb, 'go');
  await cycle(w, 2);
  const third = await cycle(w, 3);
  expect(third.jobs.map((j) => [j.file, j.status])).toEqual([
    ['pkg/m2.py', 'passed'],
    ['pkg/m4.py', 'passed'],
    ['pkg/m5.py', 'passed'],
  ]);
  const chunks = batchProcesses(sb)
    .slice(1)
    .map((p) => p.files.join(' '))
    .sort();
  expect(chunks).toEqual(['pkg/m2.py pkg/m4.py', 'pkg/m5.py']);
  w.child.kill('SIGINT');
  const res = await w.result;
  expect(res.code, show(res)).toBe(130);
});
