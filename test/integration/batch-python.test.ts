// A batch tool over real files (issue 14): `python3 -m py_compile {files}`,
// behind a shell that appends the files each process got to a log, so a test
// counts the processes that really ran and what each was given.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { type RunJson, baseEnv, runJson, show } from '../helpers/cli.js';
import { type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';
import { LOGGED_PY_COMPILE, loggedProcesses } from '../helpers/batch-probe.js';

/** Appends "$*" (the files, space-separated) as one line per process, then compiles them. */
const COMPILE = LOGGED_PY_COMPILE;

function tree(files: Record<string, string>, tool: Record<string, unknown> = {}): Sandbox {
  const sb = useFixture('python-demo');
  for (const [rel, text] of Object.entries(files)) writeText(sb, rel, text);
  writeConfig(sb, {
    include: ['pkg/**/*.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: [{ name: 'compile', command: COMPILE, ...tool }],
  });
  return sb;
}

const processes = loggedProcesses;

const statusOf = (json: RunJson): Record<string, string> =>
  Object.fromEntries(json.jobs.map((j) => [j.file, j.status]));

test('issue 14: a failing file is found by splitting its chunk; the rest pass, and a later run runs only the files that changed', async () => {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 8; i++) files[`pkg/m${i}.py`] = `X${i} = ${i}\n`;
  files['pkg/m6.py'] = 'def broken(:\n';
  const sb = tree(files);

  const { res, json } = await runJson(['run', '-j', '2'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  const ran = processes(sb);
  // Two chunks of four (one per token), then the failing one halved until m6 stands alone.
  expect(ran.slice(0, 2).sort()).toEqual([
    'pkg/m1.py pkg/m2.py pkg/m3.py pkg/m4.py',
    'pkg/m5.py pkg/m6.py pkg/m7.py pkg/m8.py',
  ]);
  expect(ran.slice(2).sort()).toEqual(['pkg/m5.py', 'pkg/m5.py pkg/m6.py', 'pkg/m6.py', 'pkg/m7.py pkg/m8.py']);
  expect(statusOf(json)).toEqual({
    'pkg/m1.py': 'passed',
    'pkg/m2.py': 'passed',
    'pkg/m3.py': 'passed',
    'pkg/m4.py': 'passed',
    'pkg/m5.py': 'passed',
    'pkg/m6.py': 'failed',
    'pkg/m7.py': 'passed',
    'pkg/m8.py': 'passed',
  });
  // m6's log is the output of the process that judged it alone: py_compile names it.
  const m6 = json.jobs.find((j) => j.file === 'pkg/m6.py')!;
  expect(fs.readFileSync(path.join(sb.tree, m6.log!), 'utf8')).toContain('pkg/m6.py');

  // Nothing changed: m6 is a cached failure, and no process runs.
  const second = await runJson(['run', '-j', '2'], { cwd: sb.tree, env: baseEnv() });
  expect(second.res.code, show(second.res)).toBe(1);
  expect(processes(sb)).toEqual([]);
  expect(statusOf(second.json)).toEqual({ 'pkg/m6.py': 'cached-failure' });

  // m6 fixed and m2 edited: those two run (a chunk each, one per token), every other file is skipped one by one.
  writeText(sb, 'pkg/m6.py', 'def fixed():\n    pass\n');
  writeText(sb, 'pkg/m2.py', 'X2 = 22\n');
  const third = await runJson(['run', '-j', '2'], { cwd: sb.tree, env: baseEnv() });
  expect(third.res.code, show(third.res)).toBe(0);
  expect(processes(sb).sort()).toEqual(['pkg/m2.py', 'pkg/m6.py']);
  expect(statusOf(third.json)).toEqual({ 'pkg/m2.py': 'passed', 'pkg/m6.py': 'passed' });
});

test('issue 14: maxFiles bounds a chunk; one process per chunk, in path order', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 10; i++) files[`pkg/f${i}.py`] = `V = ${i}\n`;
  const sb = tree(files, { maxFiles: 3 });
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.jobs.every((j) => j.status === 'passed')).toBe(true);
  expect(processes(sb)).toEqual([
    'pkg/f0.py pkg/f1.py pkg/f2.py',
    'pkg/f3.py pkg/f4.py pkg/f5.py',
    'pkg/f6.py pkg/f7.py',
    'pkg/f8.py pkg/f9.py',
  ]);
});

test('issue 14: a chunk of long paths stays under the argument-length limit, close to it, and every file passes', async () => {
  // A 2 MiB stack gives runner and its jobs an ARG_MAX of 512 KiB (a quarter of it, as fs/exec.c computes).
  const limit = 512 * 1024;
  const dir = ['pkg', ...Array.from({ length: 13 }, (_, i) => `${String(i).padStart(2, '0')}${'d'.repeat(198)}`)].join(
    '/',
  );
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`${dir}/module_${String(i).padStart(3, '0')}.py`] = `N = ${i}\n`;
  const sb = tree(files);
  const { res, json } = await runJson(['run', '-j', '1'], {
    cwd: sb.tree,
    env: baseEnv(),
    under: ['prlimit', `--stack=${4 * limit}`],
  });
  expect(res.code, show(res)).toBe(0);
  expect(json.jobs).toHaveLength(300);
  expect(json.jobs.every((j) => j.status === 'passed')).toBe(true);
  const ran = processes(sb);
  // 300 paths of ~2,830 bytes (about 850 KB) cannot go in one process: two, the first filled close to the limit.
  expect(ran).toHaveLength(2);
  const argBytes = (line: string): number => line.split(' ').reduce((sum, p) => sum + Buffer.byteLength(p) + 1 + 8, 0);
  expect(argBytes(ran[0]!)).toBeGreaterThan(limit * 0.9);
  for (const line of ran) expect(argBytes(line)).toBeLessThan(limit);
  expect(ran.flatMap((l) => l.split(' '))).toHaveLength(300);
});

test('issue 14: in the string form each path is shell-quoted: spaces, quotes and shell syntax in names reach the tool intact', async () => {
  const names = ['pkg/a b.py', "pkg/it's.py", 'pkg/-dash.py', 'pkg/$(echo x).py'];
  const files = Object.fromEntries(names.map((n, i) => [n, `Y = ${i}\n`]));
  const sb = tree(files, {
    command: `printf '%s|' {files} >> "$PROBE_DIR/batch.log"; echo >> "$PROBE_DIR/batch.log"; python3 -m py_compile {files}`,
  });
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.jobs.map((j) => [j.file, j.status]).sort()).toEqual(names.map((n) => [n, 'passed']).sort());
  // One process got all four, as four words, in path order; `$(echo x)` was not run.
  expect(processes(sb)).toEqual(["pkg/$(echo x).py|pkg/-dash.py|pkg/a b.py|pkg/it's.py|"]);
});
