// Narrowing a failed batch chunk with real processes (issue 14): how many
// processes it takes, a failure pattern naming the failing files (no re-run),
// and a chunk that times out. The tools run behind a shell that appends the
// files each process got to a log, so a test counts the processes that ran.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { type RunJson, baseEnv, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { gitOk, gitTestEnv, useRepo } from '../helpers/git.js';
import {
  type Sandbox,
  beforeSandboxRemoval,
  isProcessAlive,
  readConfig,
  useFixture,
  waitFor,
  writeConfig,
  writeText,
} from '../helpers/sandbox.js';

/** Appends "$*" (the files, space-separated) as one line per process, then runs `program` on them. */
const probed = (program: string): string[] => [
  'sh',
  '-c',
  `echo "$*" >> "$PROBE_DIR/batch.log"; exec ${program} "$@"`,
  'sh',
  '{files}',
];

/**
 * A checker that looks at every file it is given: a line holding BAD is
 * reported as `PATH:LINE: error: ...` (PATH absolute on a line holding ABS,
 * with `./` on one holding DOT); CRASH makes it fail naming no file; HANG
 * makes it report the file, then sleep until killed; ALONE makes it sleep
 * when it is given that file alone, while a file "hang" is in PROBE_DIR. Exits 1 when it reported anything.
 */
const CHECK_PY = `
import os, sys, time
bad = 0
for f in sys.argv[1:]:
    for i, line in enumerate(open(f).read().splitlines(), 1):
        if 'ALONE' in line and len(sys.argv) == 2 and os.path.exists(os.environ['PROBE_DIR'] + '/hang'):
            open(os.environ['PROBE_DIR'] + '/hung.pid', 'w').write(str(os.getpid()))
            time.sleep(3600)
        if 'HANG' in line:
            print(f'{f}:{i}: error: about to hang', flush=True)
            time.sleep(3600)
        if 'CRASH' in line:
            print('Traceback (most recent call last): something broke')
            sys.exit(1)
        if 'BAD' in line:
            name = os.path.abspath(f) if 'ABS' in line else './' + f if 'DOT' in line else f
            print(f'{name}:{i}: error: a marker')
            print('pkg/elsewhere.py:1: error: a file the process was not given')
            bad = 1
    print(f'checked {f}')
sys.exit(bad)
`;

const PATTERN = '^(?<file>[^:]+):\\d+: error';

function tree(files: Record<string, string>, tool: Record<string, unknown>): Sandbox {
  const sb = useFixture('python-demo');
  for (const [rel, text] of Object.entries(files)) writeText(sb, rel, text);
  fs.writeFileSync(path.join(sb.scratch, 'check.py'), CHECK_PY);
  writeConfig(sb, {
    include: ['pkg/**/*.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: [{ name: 'check', command: probed('python3 "$PROBE_DIR/check.py"'), ...tool }],
  });
  return sb;
}

function numbered(n: number, bad: Record<number, string> = {}): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= n; i++) files[`pkg/m${String(i).padStart(2, '0')}.py`] = bad[i] ?? `X = ${i}\n`;
  return files;
}

/** The processes that ran since the last call, each as the files it got. */
function processes(sb: Sandbox): string[] {
  const file = path.join(sb.scratch, 'batch.log');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  fs.rmSync(file, { force: true });
  return text.split('\n').filter((l) => l !== '');
}

const failedFiles = (json: RunJson): string[] =>
  json.jobs.filter((j) => j.status !== 'passed').map((j) => `${j.file} ${j.status}`);

test('issue 14: one bad file among 64 in a chunk is found with about log2(64) + 2 more processes, not two per level', async () => {
  const sb = tree(numbered(64, { 37: 'def broken(:\n' }), { command: probed('python3 -m py_compile') });
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(failedFiles(json)).toEqual(['pkg/m37.py failed']);
  expect(json.counts).toMatchObject({ jobs: 64, passed: 63, failed: 1 });
  const ran = processes(sb);
  expect(ran[0]!.split(' ')).toHaveLength(64); // the planned chunk
  // Running both halves at each level took 2·log2(64) = 12 more.
  expect(ran.length - 1).toBeLessThanOrEqual(Math.log2(64) + 2);
  // Every file was in a process that passed, or failed alone.
  expect(ran).toContain('pkg/m37.py');
});

test('issue 14: a failure pattern names the failing files in the output: no process runs again, the others pass', async () => {
  const sb = tree(numbered(8, { 2: 'BAD = 2\n', 5: 'BAD = "ABS"\n', 7: 'BAD = "DOT"\n' }), {
    failurePattern: PATTERN,
  });
  // A second tool, renamed at the end to make a run fold the results.
  const config = readConfig(sb);
  config.tools.push({ name: 'other', command: ['true', '{file}'], include: ['pkg/m01.py'] });
  writeConfig(sb, config);
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(processes(sb)).toHaveLength(1);
  expect(failedFiles(json)).toEqual(['pkg/m02.py failed', 'pkg/m05.py failed', 'pkg/m07.py failed']);
  expect(json.counts).toMatchObject({ jobs: 9, passed: 6, failed: 3 });

  // A named file's log: the lines naming it first (and none naming another), then where the whole output is.
  const m5 = json.jobs.find((j) => j.file === 'pkg/m05.py')!;
  const log = fs.readFileSync(path.join(sb.tree, m5.log!), 'utf8');
  expect(log.split('\n')[0]).toBe(`${path.join(sb.tree, 'pkg/m05.py')}:1: error: a marker`);
  expect(log).not.toContain('m02');
  const pointer = /the whole output of the process is (.+)\n$/.exec(log);
  expect(pointer, log).not.toBeNull();
  const whole = fs.readFileSync(pointer![1]!, 'utf8');
  for (let i = 1; i <= 8; i++) expect(whole).toContain(`checked pkg/m0${i}.py`);
  // A passing file's log is the whole output.
  const m1 = json.jobs.find((j) => j.tool === 'check' && j.file === 'pkg/m01.py')!;
  expect(fs.readFileSync(path.join(sb.tree, m1.log!), 'utf8')).toBe(whole);

  // The failure summary's log tail (cached failures, next run) is about each file.
  const summary = await runRunner(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(summary.code, show(summary)).toBe(1);
  const out = summary.stdout + summary.stderr;
  expect(out).toContain('| ./pkg/m07.py:1: error: a marker');
  expect(out).not.toContain('checked pkg/m08.py');

  // Per file: the three are cached failures, nothing runs.
  const second = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(second.res.code, show(second.res)).toBe(1);
  expect(processes(sb)).toEqual([]);
  expect(failedFiles(second.json)).toEqual([
    'pkg/m02.py cached-failure',
    'pkg/m05.py cached-failure',
    'pkg/m07.py cached-failure',
  ]);

  // m5 fixed: it alone runs, and passes.
  writeText(sb, 'pkg/m05.py', 'FIXED = 5\n');
  const third = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(processes(sb)).toEqual(['pkg/m05.py']);
  expect(third.json.jobs.find((j) => j.file === 'pkg/m05.py')?.status).toBe('passed');

  // A run that drops results (a tool renamed) folds them and sweeps the logs no result names: the output
  // beside m2's log stays with it.
  const m2 = fs.readFileSync(path.join(sb.tree, json.jobs.find((j) => j.file === 'pkg/m02.py')!.log!), 'utf8');
  const m2Output = /the whole output of the process is (.+)\n$/.exec(m2)![1]!;
  writeConfig(sb, { ...config, tools: [config.tools[0]!, { ...config.tools[1]!, name: 'renamed' }] });
  const swept = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(swept.json.jobs.find((j) => j.tool === 'renamed')?.status).toBe('passed');
  expect(fs.readFileSync(m2Output, 'utf8')).toBe(whole);

  // Run again as text: each named file is said to have the lines naming it as its log, never the whole output.
  const again = await runRunner(['run', '-j', '1', '--rerun-failed'], { cwd: sb.tree, env: baseEnv() });
  expect(again.code, show(again)).toBe(1);
  expect(processes(sb)).toEqual(['pkg/m02.py pkg/m07.py']);
  const named = 'named by the failure pattern in the output of chunk check#1 (2 files): its log is the lines naming it';
  const againLines = again.stdout.split('\n');
  // Once as each failure is reported, once in the failure summary.
  expect(againLines.filter((l) => l.trim() === `(${named})`)).toHaveLength(2);
  expect(againLines.filter((l) => l.trim() === named)).toHaveLength(2);
  expect(again.stdout).not.toContain("its log is that process's whole output");
});

test('issue 14: python3 -m compileall with a failure pattern: the files with syntax errors fail, in one process', async () => {
  const sb = tree(numbered(6, { 2: 'def broken(:\n', 5: 'x = = 1\n' }), {
    command: probed('python3 -m compileall -q'),
    failurePattern: 'File "(?<file>[^"]+)", line \\d+',
  });
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(processes(sb)).toHaveLength(1);
  expect(failedFiles(json)).toEqual(['pkg/m02.py failed', 'pkg/m05.py failed']);
  const m5 = json.jobs.find((j) => j.file === 'pkg/m05.py')!;
  expect(fs.readFileSync(path.join(sb.tree, m5.log!), 'utf8')).toMatch(/^ {2}File "pkg\/m05\.py", line 1\n/);
});

test('issue 14: with --staged, an absolute path the tool prints under the staged tree names a file of the chunk', async () => {
  const sb = useRepo();
  const config = readConfig(sb);
  config.tools = [
    {
      name: 'check',
      // $PWD is the tree the process runs in: the staged tree here.
      command:
        'echo {files} >> "$COUNT_FILE"; bad=0; for f in {files}; do if grep -q BAD "$f"; then echo "$PWD/$f:1: error: BAD"; bad=1; fi; done; exit $bad',
      include: ['**/*.txt'],
      failurePattern: PATTERN,
    },
  ];
  writeConfig(sb, config);
  fs.writeFileSync(path.join(sb.tree, 'notes/a.txt'), 'BAD, staged\n');
  fs.writeFileSync(path.join(sb.tree, 'notes/b.txt'), 'fine, staged\n');
  gitOk(sb.tree, ['add', 'notes/a.txt', 'notes/b.txt', '.runnerrc.json']);
  const { res, json } = await runJson(['run', '--staged', '-j', '1'], { cwd: sb.tree, env: gitTestEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(failedFiles(json)).toEqual(['notes/a.txt failed']);
  expect(json.jobs.find((j) => j.file === 'notes/b.txt')?.status).toBe('passed');
  // Named, so judged by the one process: nothing narrowed.
  expect(fs.readFileSync(sb.countFile, 'utf8')).toBe('notes/a.txt notes/b.txt\n');
});

test('issue 14: a failure the pattern explains by none of the chunk files is narrowed, never passed', async () => {
  const sb = tree(numbered(4, { 3: 'CRASH = 3\n' }), { failurePattern: PATTERN });
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(failedFiles(json)).toEqual(['pkg/m03.py failed']);
  expect(processes(sb)).toEqual([
    'pkg/m01.py pkg/m02.py pkg/m03.py pkg/m04.py',
    'pkg/m01.py pkg/m02.py',
    'pkg/m03.py',
    'pkg/m04.py',
  ]);
});

test('issue 14: changing a failure pattern re-runs the tool, and explain names the change', async () => {
  const sb = tree(numbered(2), { failurePattern: PATTERN });
  expect((await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() })).res.code).toBe(0);
  processes(sb);
  writeConfig(sb, {
    include: ['pkg/**/*.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: [{ name: 'check', command: probed('python3 "$PROBE_DIR/check.py"'), failurePattern: '(?<file>\\S+):' }],
  });
  const { json } = await runJson<{ reasons: string[] }>(['explain', 'pkg/m01.py'], { cwd: sb.tree, env: baseEnv() });
  expect(JSON.stringify(json)).toContain('failurePattern');
  const again = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(again.res.code, show(again.res)).toBe(0);
  expect(processes(sb)).toEqual(['pkg/m01.py pkg/m02.py']);
});

test('issue 14: a chunk that times out is narrowed like a failure: the file that hangs times out alone, the others pass', async () => {
  const sb = tree(numbered(4, { 4: 'HANG = 4\n' }), { timeout: 1, failurePattern: PATTERN });
  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(failedFiles(json)).toEqual(['pkg/m04.py failed']);
  expect((json.jobs.find((j) => j.file === 'pkg/m04.py') as unknown as { timedOut: boolean }).timedOut).toBe(true);
  // The chunk's output names m4, but it timed out: output cut short is not read for names (that would pass the
  // files the tool never got to). Each process got the whole timeout.
  expect(processes(sb)).toEqual([
    'pkg/m01.py pkg/m02.py pkg/m03.py pkg/m04.py',
    'pkg/m01.py pkg/m02.py',
    'pkg/m03.py',
    'pkg/m04.py',
  ]);
});

test('issue 14: Ctrl-C mid-narrowing records what is certain; the file whose process was stopped runs again next time', async () => {
  // m3 fails; m4 hangs only when run alone: the narrowing's last process, the files set aside.
  const sb = tree(numbered(4, { 3: 'BAD = 3\n', 4: 'ALONE = 4\n' }), {});
  fs.writeFileSync(path.join(sb.scratch, 'hang'), '');
  const running = startRunner(['run', '-j', '1', '--json'], { cwd: sb.tree, env: baseEnv() });
  const pidFile = path.join(sb.scratch, 'hung.pid');
  const pid = await waitFor(
    'm4 hanging alone',
    () => fs.existsSync(pidFile) && Number(fs.readFileSync(pidFile, 'utf8')),
  );
  beforeSandboxRemoval(() => {
    if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  running.child.kill('SIGINT');
  const res = await running.result;
  expect(res.code, show(res)).toBe(130);
  expect(isProcessAlive(pid)).toBe(false);
  expect(processes(sb)).toEqual([
    'pkg/m01.py pkg/m02.py pkg/m03.py pkg/m04.py',
    'pkg/m01.py pkg/m02.py',
    'pkg/m03.py',
    'pkg/m04.py',
  ]);
  const json = JSON.parse(res.stdout) as RunJson;
  // m3 failed alone (explaining the chunk's failure), so the pass of m1 and m2 holds.
  expect(Object.fromEntries(json.jobs.map((j) => [j.file, j.status]))).toEqual({
    'pkg/m01.py': 'passed',
    'pkg/m02.py': 'passed',
    'pkg/m03.py': 'failed',
    'pkg/m04.py': 'interrupted',
  });

  // Nothing changed: m1 and m2 are fresh, m3 a cached failure, and m4 (unrecorded) runs again.
  fs.rmSync(path.join(sb.scratch, 'hang'));
  const next = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(failedFiles(next.json)).toEqual(['pkg/m03.py cached-failure']);
  expect(processes(sb)).toEqual(['pkg/m04.py']);
});
