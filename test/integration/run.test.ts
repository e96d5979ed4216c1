// `runner run` on temp copies of fixtures/python-demo: first and second run, and the run options.
// The probe tool (test/helpers/slow-tool.mjs) is the outside witness of what ran.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, runRunner, show, type RunJson } from '../helpers/cli.js';
import { FIXTURE_JOBS, PROBED_JOBS, PY_FILES, STYLE_FILES, keysFor } from '../helpers/python-demo.js';
import { addProbe, readProbeLog } from '../helpers/probe.js';
import { listTree, passingRun } from '../helpers/runs.js';
import { useFixture, writeConfig } from '../helpers/sandbox.js';

describe('first and second run', () => {
  test('the committed fixture: the first run runs every job, all pass, exit 0', async () => {
    const sb = useFixture('python-demo');
    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.command).toBe('run');
    expect(json.exitCode).toBe(0);
    expect(json.scan).toMatchObject({ tracked: 6, new: 6, changed: 0, removed: 0 });
    expect(json.counts).toEqual({
      jobs: 13,
      ran: 13,
      passed: 13,
      failed: 0,
      interrupted: 0,
      cachedFailures: 0,
      fresh: 0,
      notStarted: 0,
      unreadable: 0,
    });
    expect(jobKeys(json.jobs)).toEqual(FIXTURE_JOBS);
    for (const job of json.jobs) {
      expect(job.status, `${job.tool} ${job.file}`).toBe('passed');
      expect(job.exitCode).toBe(0);
      expect(job.reasons.length).toBeGreaterThan(0);
      // unittest reports on stderr, so test jobs keep a log; the silent checks keep none.
      if (job.tool === 'test') {
        expect(job.log).toMatch(/^\.runner\/logs\/[^/]+\.log$/);
        expect(fs.readFileSync(path.join(sb.tree, job.log!), 'utf8')).toContain('OK');
      } else {
        expect(job.log, `${job.tool} ${job.file}`).toBeNull();
      }
    }
    expect(fs.readdirSync(path.join(sb.tree, '.runner', 'logs'))).toHaveLength(2);
    expect(fs.existsSync(path.join(sb.tree, '.runner', 'manifest.db'))).toBe(true);
  });

  test('running the fixture writes nothing into the source tree outside the state directory', async () => {
    const sb = useFixture('python-demo');
    const before = listTree(sb.tree).sort();
    await passingRun(sb);
    const after = listTree(sb.tree)
      .filter((f) => !f.startsWith('.runner/'))
      .sort();
    expect(after).toEqual(before);
  });

  test('plain output prints a PASS line per job and ends with the summary line', async () => {
    const sb = useFixture('python-demo');
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(res.stdout).toMatch(/^PASS syntax calc\/ops\.py \(/m);
    expect(res.stdout).toMatch(/^PASS test tests\/test_stats\.py \(/m);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^runner: 13 jobs: 13 ran\b/);
  });

  test('a second run runs no job and exits 0', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    const first = await passingRun(sb);
    expect(first.counts.ran).toBe(19);
    expect(jobKeys(first.jobs)).toEqual(PROBED_JOBS);

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.exitCode).toBe(0);
    expect(json.counts).toMatchObject({ jobs: 19, ran: 0, fresh: 19, failed: 0, cachedFailures: 0 });
    expect(json.jobs).toEqual([]);
    expect(readProbeLog(sb).started).toEqual([]);
  });
});

describe('run options', () => {
  test('--dry-run runs nothing and records nothing', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);

    const { res, json } = await runJson(['run', '--dry-run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.counts.ran).toBe(0);
    expect((json.counts as { wouldRun?: number }).wouldRun).toBe(PROBED_JOBS.length);
    expect(jobKeys(json.jobs)).toEqual(PROBED_JOBS);
    for (const job of json.jobs) expect(job.status).toBe('would-run');
    expect(readProbeLog(sb).started).toEqual([]);

    const real = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(real.res.code, show(real.res)).toBe(0);
    expect(real.json.counts.ran).toBe(19);
  });

  test('--force runs every job, fresh or not', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    await passingRun(sb);

    const { res, json } = await runJson(['run', '--force'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.counts.ran).toBe(19);
    expect(jobKeys(json.jobs)).toEqual(PROBED_JOBS);
    for (const job of json.jobs) expect(job.reasons).toContain('forced');
    expect(readProbeLog(sb).started.sort()).toEqual(PY_FILES);
  });

  test('--tool NAME restricts the run to that tool, and is repeatable', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);

    const style = await runJson(['run', '--tool', 'style'], { cwd: sb.tree, env: baseEnv() });
    expect(style.res.code, show(style.res)).toBe(0);
    expect(jobKeys(style.json.jobs)).toEqual(STYLE_FILES.map((f) => `style ${f}`).sort());
    expect(style.json.counts.ran).toBe(5);
    expect(readProbeLog(sb).started).toEqual([]);

    const two = await runJson(['run', '--tool', 'probe', '--tool', 'test'], { cwd: sb.tree, env: baseEnv() });
    expect(two.res.code, show(two.res)).toBe(0);
    expect(two.json.counts.ran).toBe(8);
    expect(new Set(two.json.jobs.map((j) => j.tool))).toEqual(new Set(['probe', 'test']));
    expect(readProbeLog(sb).started).toHaveLength(6);

    const rest = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(jobKeys(rest.json.jobs)).toEqual(PY_FILES.map((f) => `syntax ${f}`).sort());
  });

  test('issue 16: --tool NAME runs when another tool program is missing, and keeps that tool results', async () => {
    const sb = useFixture('python-demo');
    const config = addProbe(sb);
    // A tool whose program is a script the test removes and puts back; it logs each file it checks.
    const program = path.join(sb.scratch, 'bin', 'lint-gone');
    const ranLog = path.join(sb.scratch, 'lint-gone.log');
    const install = (): void => {
      fs.mkdirSync(path.dirname(program), { recursive: true });
      fs.writeFileSync(program, `#!/bin/sh\necho "$1" >> '${ranLog}'\n`, { mode: 0o755 });
    };
    const checked = (): string[] =>
      fs.existsSync(ranLog) ? fs.readFileSync(ranLog, 'utf8').split('\n').filter(Boolean).sort() : [];
    config.tools.push({ name: 'gone', command: [program, '{file}'], include: ['**/*.py'] });
    writeConfig(sb, config);
    install();
    await passingRun(sb);
    expect(checked()).toEqual(PY_FILES);

    fs.rmSync(program);
    fs.appendFileSync(path.join(sb.tree, 'calc/ops.py'), '# edited\n');
    const all = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(all.code, show(all)).toBe(2);
    expect(all.stderr).toContain(`tool "gone": executable "${program}" not found`);
    const gone = await runRunner(['run', '--tool', 'gone'], { cwd: sb.tree, env: baseEnv() });
    expect(gone.code, show(gone)).toBe(2);
    expect(gone.stderr).toContain(`tool "gone": executable "${program}" not found`);

    const probeRun = await runJson(['run', '--tool', 'probe'], { cwd: sb.tree, env: baseEnv() });
    expect(probeRun.res.code, show(probeRun.res)).toBe(0);
    expect(jobKeys(probeRun.json.jobs)).toEqual(['probe calc/ops.py']);
    expect(readProbeLog(sb).started).toEqual(['calc/ops.py']);

    // Back again: only the edited file is checked; the results kept while the program was missing still count.
    install();
    const back = await runJson(['run', '--tool', 'gone'], { cwd: sb.tree, env: baseEnv() });
    expect(back.res.code, show(back.res)).toBe(0);
    expect(jobKeys(back.json.jobs)).toEqual(['gone calc/ops.py']);
    expect(checked()).toEqual([...PY_FILES, 'calc/ops.py'].sort());
  });

  test('run FILE restricts the run to that file jobs', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);

    const one = await runJson(['run', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
    expect(one.res.code, show(one.res)).toBe(0);
    expect(jobKeys(one.json.jobs)).toEqual(keysFor('calc/ops.py', ['syntax', 'style', 'probe']));
    expect(one.json.counts.ran).toBe(3);
    expect(readProbeLog(sb).started).toEqual(['calc/ops.py']);

    const rest = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(rest.json.counts.ran).toBe(16);
    expect(rest.json.jobs.some((j) => j.file === 'calc/ops.py')).toBe(false);
  });

  test('global options are accepted before and after the command, with -C from another directory', async () => {
    const sb = useFixture('python-demo');
    const before = await runRunner(['--json', '-C', sb.tree, '-j', '2', 'run'], { cwd: sb.scratch, env: baseEnv() });
    expect(before.code, show(before)).toBe(0);
    expect((JSON.parse(before.stdout) as RunJson).counts.ran).toBe(13);

    const after = await runRunner(['run', '-C', sb.tree, '-j', '2', '--json'], { cwd: sb.scratch, env: baseEnv() });
    expect(after.code, show(after)).toBe(0);
    expect((JSON.parse(after.stdout) as RunJson).counts.ran).toBe(0);
    expect(fs.existsSync(path.join(sb.scratch, '.runner'))).toBe(false);
  });

  test('an unknown option is a usage error: exit 2 and one error line', async () => {
    const sb = useFixture('python-demo');
    const res = await runRunner(['run', '--no-such-option'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/^runner: error: .*--no-such-option.*\n$/);
    expect(fs.existsSync(path.join(sb.tree, '.runner', 'manifest.db'))).toBe(false);
  });

  test('a missing source tree exits 2 with one error line naming it', async () => {
    const sb = useFixture('python-demo');
    const missing = path.join(sb.scratch, 'no-such-dir');
    const res = await runRunner(['run', '-C', missing], { cwd: sb.scratch, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/^runner: error: [^\n]*no-such-dir[^\n]*\n$/);
    expect(fs.existsSync(missing)).toBe(false);
  });

  test('an unknown command is a usage error: exit 2', async () => {
    const sb = useFixture('python-demo');
    const res = await runRunner(['frobnicate'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/^runner: error: .*frobnicate/);
  });
});
