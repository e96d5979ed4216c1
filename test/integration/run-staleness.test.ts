// `runner run`: exactly which jobs a change makes stale, and why (the reasons in --json).
// The probe tool (test/helpers/slow-tool.mjs) is the outside witness of what ran.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, show } from '../helpers/cli.js';
import { PY_FILES, STYLE_FILES, TEST_FILES, keysFor } from '../helpers/python-demo.js';
import { readStoredFiles } from '../helpers/manifest-db.js';
import { addProbe, readProbeLog } from '../helpers/probe.js';
import { passingRun } from '../helpers/runs.js';
import { appendText, readText, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

describe('what makes a job stale', () => {
  test('touching a file mtime without changing its content runs nothing', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    await passingRun(sb);
    const file = path.join(sb.tree, 'calc/ops.py');
    const old = new Date('2001-02-03T04:05:06Z');
    fs.utimesSync(file, old, old);
    expect(fs.statSync(file).mtimeMs).toBe(old.getTime());

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.scan.changed).toBe(0);
    expect(json.counts.ran).toBe(0);
    expect(json.jobs).toEqual([]);
    expect(readProbeLog(sb).started).toEqual([]);
  });

  test('changing one file content runs exactly that file jobs', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    await passingRun(sb);
    appendText(sb, 'calc/ops.py', '\n\ndef negate(a):\n    return -a\n');

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.scan).toMatchObject({ tracked: 6, new: 0, changed: 1, removed: 0 });
    // The tests import calc/ops.py ("deps": "python"): they run for that dependency.
    expect(jobKeys(json.jobs)).toEqual(
      [...keysFor('calc/ops.py', ['syntax', 'style', 'probe']), ...TEST_FILES.map((f) => `test ${f}`)].sort(),
    );
    for (const job of json.jobs) {
      expect(job.status).toBe('passed');
      expect(job.reasons).toEqual([job.tool === 'test' ? 'dependency' : 'content']);
    }
    expect(json.counts).toMatchObject({ ran: 5, passed: 5, fresh: 14 });
    expect(readProbeLog(sb).started).toEqual(['calc/ops.py']);
  });

  test('undoing a change reruns nothing that already ran on identical inputs', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    await passingRun(sb);
    const original = readText(sb, 'calc/ops.py');
    appendText(sb, 'calc/ops.py', '# a passing edit\n');
    await passingRun(sb);
    writeText(sb, 'calc/ops.py', original);

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.scan.changed).toBe(1);
    expect(json.counts.ran).toBe(0);
    expect(readProbeLog(sb).started).toEqual([]);
  });

  test('adding a file runs its jobs and no others', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    await passingRun(sb);
    writeText(
      sb,
      'tests/test_extra.py',
      [
        'import unittest',
        '',
        'from calc import ops',
        '',
        '',
        'class ExtraTest(unittest.TestCase):',
        '    def test_multiply_by_zero(self):',
        '        self.assertEqual(ops.multiply(7, 0), 0)',
        '',
      ].join('\n'),
    );

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.scan).toMatchObject({ tracked: 7, new: 1, changed: 0, removed: 0 });
    expect(jobKeys(json.jobs)).toEqual(keysFor('tests/test_extra.py', ['syntax', 'style', 'test', 'probe']));
    for (const job of json.jobs) {
      expect(job.status).toBe('passed');
      expect(job.reasons).toContain('new');
    }
    expect(readProbeLog(sb).started).toEqual(['tests/test_extra.py']);
  });

  test('deleting a file runs nothing, drops it from the manifest and keeps its results', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    const first = await passingRun(sb);
    const deletedLogs = first.jobs
      .filter((j) => j.file === 'tests/test_stats.py' && j.log !== null)
      .map((j) => path.join(sb.tree, j.log!));
    // Only jobs that wrote something keep a log; the unittest job does.
    expect(first.jobs.find((j) => j.file === 'tests/test_stats.py' && j.tool === 'test')?.log).not.toBeNull();
    for (const log of deletedLogs) expect(fs.existsSync(log), log).toBe(true);
    fs.rmSync(path.join(sb.tree, 'tests/test_stats.py'));

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.scan).toMatchObject({ tracked: 5, new: 0, changed: 0, removed: 1 });
    expect(json.counts.ran).toBe(0);
    expect(json.jobs).toEqual([]);
    expect(readProbeLog(sb).started).toEqual([]);

    const scan = await runJson<{ scan: { tracked: number; removed: number } }>(['scan'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(scan.res.code, show(scan.res)).toBe(0);
    expect(scan.json.scan).toMatchObject({ tracked: 5, removed: 0 });

    const stored = readStoredFiles(path.join(sb.tree, '.runner', 'manifest.db'));
    expect(stored.has('tests/test_stats.py')).toBe(false);
    // Its results stay, logs included, for the file may come back (issue 10).
    for (const log of deletedLogs) expect(fs.existsSync(log), log).toBe(true);
    for (const file of PY_FILES.filter((f) => f !== 'tests/test_stats.py')) expect(stored.has(file), file).toBe(true);
  });

  test('changing one tool command runs only that tool jobs', async () => {
    const sb = useFixture('python-demo');
    const config = addProbe(sb);
    await passingRun(sb);
    const syntax = config.tools.find((t) => t.name === 'syntax')!;
    syntax.command = [
      'python3',
      '-c',
      'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1]); sys.exit(0)',
      '{file}',
    ];
    writeConfig(sb, config);

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(jobKeys(json.jobs)).toEqual(PY_FILES.map((f) => `syntax ${f}`).sort());
    for (const job of json.jobs) expect(job.reasons).toEqual(['tool-config']);
    expect(readProbeLog(sb).started).toEqual([]);
  });

  test('changing a tool input file (setup.cfg) runs only that tool jobs', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    await passingRun(sb);
    writeText(sb, 'setup.cfg', '[linelen]\nmax-line-length = 100\n');

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(jobKeys(json.jobs)).toEqual(STYLE_FILES.map((f) => `style ${f}`).sort());
    for (const job of json.jobs) expect(job.reasons).toEqual(['tool-input']);
    expect(readProbeLog(sb).started).toEqual([]);
  });

  test('a cached result whose log file was deleted is stale and reruns', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    const first = await passingRun(sb);
    const job = first.jobs.find((j) => j.tool === 'probe' && j.file === 'calc/stats.py')!;
    const log = path.join(sb.tree, job.log!);
    expect(fs.readFileSync(log, 'utf8')).toContain('probe: ok calc/stats.py');
    fs.rmSync(log);

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(jobKeys(json.jobs)).toEqual(['probe calc/stats.py']);
    expect(json.jobs[0]!.reasons).toContain('log-missing');
    expect(readProbeLog(sb).started).toEqual(['calc/stats.py']);
    expect(fs.existsSync(path.join(sb.tree, json.jobs[0]!.log!))).toBe(true);
  });
});
