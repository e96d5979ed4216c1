// Reports for CI: `run --junit FILE`, the per-job list in --json, and the
// failure summary at the end of the text output.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { caseKeys, parseJunit } from '../helpers/junit.js';
import { PROBED_JOBS, PY_FILES } from '../helpers/python-demo.js';
import { addProbe, probeOnly, readProbeLog, setProbeControl, type ProbeLog } from '../helpers/probe.js';
import {
  appendText,
  beforeSandboxRemoval,
  isProcessAlive,
  readConfig,
  useFixture,
  waitFor,
  writeConfig,
  type Sandbox,
} from '../helpers/sandbox.js';

/** The fixture with the probe on every file, failing on calc/ops.py. */
function withOneFailure(sb: Sandbox): void {
  addProbe(sb);
  appendText(sb, 'calc/ops.py', '# PROBE_FAIL\n');
}

describe('--junit', () => {
  test('one testcase per job, one testsuite per tool; a failure carries its log', async () => {
    const sb = useFixture('python-demo');
    withOneFailure(sb);
    const res = await runRunner(['run', '--junit', 'reports/junit.xml'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    expect(res.stdout).toContain('runner: JUnit report written to reports/junit.xml\n');

    const doc = parseJunit(path.join(sb.tree, 'reports/junit.xml'));
    expect(doc.root).toEqual({ tag: 'testsuites', tests: 19, failures: 1, errors: 0, skipped: 0 });
    expect(caseKeys(doc)).toEqual(PROBED_JOBS);
    expect(doc.suites.map((s) => [s.name, s.tests, s.failures])).toEqual([
      ['syntax', 6, 0],
      ['style', 5, 0],
      ['test', 2, 0],
      ['probe', 6, 1],
    ]);
    const probe = doc.suites.find((s) => s.name === 'probe')!;
    const failed = probe.cases.find((c) => c.name === 'calc/ops.py')!;
    expect(failed.outcome).toMatchObject({ tag: 'failure', message: 'exit 1', type: 'exit' });
    expect(failed.outcome!.text).toContain('probe: failing calc/ops.py');
    expect(failed.details.reasons).toBe('new file');
    expect(fs.existsSync(path.join(sb.tree, failed.details.log!))).toBe(true);
    const passed = probe.cases.find((c) => c.name === 'calc/stats.py')!;
    expect(passed.outcome).toBeNull();
    expect(passed.time).toBeGreaterThan(0);
    expect(probe.time).toBeCloseTo(
      probe.cases.reduce((t, c) => t + c.time, 0),
      2,
    );
    // Written through a temp file: nothing else is left beside it.
    expect(fs.readdirSync(path.join(sb.tree, 'reports'))).toEqual(['junit.xml']);
  });

  test('issue 15: the next run lists every job: the unchanged failure as cached, the fresh ones as cached passes', async () => {
    const sb = useFixture('python-demo');
    withOneFailure(sb);
    const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.code, show(first)).toBe(1);

    const junit = path.join(sb.scratch, 'junit.xml');
    const res = await runRunner(['run', '--junit', junit], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    const doc = parseJunit(junit);
    // The whole suite, as the first run's report: a dashboard's count does not jump between runs.
    expect(caseKeys(doc)).toEqual(PROBED_JOBS);
    expect(doc.root).toEqual({ tag: 'testsuites', tests: 19, failures: 1, errors: 0, skipped: 0 });
    const c = doc.suites.find((s) => s.name === 'probe')!.cases.find((x) => x.name === 'calc/ops.py')!;
    expect(c.outcome).toMatchObject({ tag: 'failure', type: 'cached-failure' });
    expect(c.outcome!.message).toMatch(/^cached failure \(exit 1, last ran \d{4}-\d\d-\d\dT[\d:.]+Z\); not rerun/);
    expect(c.outcome!.text).toContain('probe: failing calc/ops.py');
    expect(c.details).toMatchObject({ cached: 'true' });
    expect(Date.parse(c.details.lastRan!)).toBeLessThanOrEqual(Date.now());
    expect(c.time).toBe(0);
    const pass = doc.suites.find((s) => s.name === 'syntax')!.cases.find((x) => x.name === 'calc/ops.py')!;
    expect(pass.outcome).toBeNull();
    expect(pass.time).toBe(0);
    expect(pass.details).toMatchObject({ cached: 'true' });
    expect(Date.parse(pass.details.lastRan!)).toBeLessThanOrEqual(Date.now());
    expect(fs.readFileSync(junit, 'utf8')).not.toContain('<!--');
  });

  test('a log with colour codes, control characters and markup still gives well-formed XML', async () => {
    const sb = useFixture('python-demo');
    const config = readConfig(sb);
    config.tools.push({
      name: 'noisy',
      include: ['calc/ops.py'],
      command: [
        'python3',
        '-c',
        "import sys; sys.stdout.write('\\x1b[31mboom\\x1b[0m \\x01\\x07 <&> ]]> caf\\u00e9\\n'); sys.exit(3)",
        '{file}',
      ],
    });
    writeConfig(sb, config);
    const junit = path.join(sb.scratch, 'junit.xml');
    const res = await runRunner(['run', '--junit', junit], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    const c = parseJunit(junit).suites.find((s) => s.name === 'noisy')!.cases[0]!;
    expect(c.outcome).toMatchObject({ tag: 'failure', message: 'exit 3', text: 'boom  <&> ]]> café\n' });
  });

  test('an interrupted run still writes the report: the stopped job is an error, the rest skipped', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    setProbeControl(sb, 'hang-after', '2');
    const junit = path.join(sb.scratch, 'junit.xml');
    const running = startRunner(['run', '-j', '1', '--junit', junit], { cwd: sb.tree, env: baseEnv() });
    const atSignal = await waitFor<ProbeLog>('job 3 to start', () => {
      const log = readProbeLog(sb);
      return log.started.length > 2 ? log : undefined;
    });
    const hungPid = atSignal.pids.get(atSignal.started[2]!)!;
    beforeSandboxRemoval(() => {
      if (isProcessAlive(hungPid)) process.kill(hungPid, 'SIGKILL');
    });
    running.child.kill('SIGINT');
    const res = await running.result;
    expect(res.code, show(res)).toBe(130);

    const doc = parseJunit(junit);
    expect(doc.root).toMatchObject({ tests: PY_FILES.length, failures: 0, errors: 1, skipped: PY_FILES.length - 3 });
    const cases = doc.suites[0]!.cases;
    const byName = new Map(cases.map((c) => [c.name, c]));
    expect(byName.get(atSignal.started[0]!)!.outcome).toBeNull();
    expect(byName.get(atSignal.started[2]!)!.outcome).toMatchObject({ tag: 'error', type: 'interrupted' });
    expect(byName.get(atSignal.started[2]!)!.outcome!.message).toMatch(
      /^interrupted after [\d.]+s \(run stopped by SIGINT\)$/,
    );
    const skipped = cases.filter((c) => c.outcome?.tag === 'skipped');
    expect(skipped).toHaveLength(PY_FILES.length - 3);
    for (const c of skipped) expect(c.outcome!.message).toBe('not started: the run was stopped by SIGINT');
  });

  test('a missing directory is created; a path that cannot be written stops the run with exit 2 before anything runs', async () => {
    const sb = useFixture('python-demo');
    addProbe(sb);
    const deep = path.join(sb.scratch, 'a', 'b', 'junit.xml');
    const ok = await runRunner(['run', '--junit', deep], { cwd: sb.tree, env: baseEnv() });
    expect(ok.code, show(ok)).toBe(0);
    expect(parseJunit(deep).root.tests).toBe(19);

    const fresh = useFixture('python-demo');
    addProbe(fresh);
    const underAFile = await runRunner(['run', '--junit', 'calc/ops.py/junit.xml'], {
      cwd: fresh.tree,
      env: baseEnv(),
    });
    expect(underAFile.code, show(underAFile)).toBe(2);
    expect(underAFile.stderr).toBe(
      `runner: error: --junit ${path.join(fresh.tree, 'calc/ops.py/junit.xml')}: ${path.join(fresh.tree, 'calc/ops.py')} is not a directory; expected a file path in a writable directory\n`,
    );
    const aDirectory = await runRunner(['run', '--junit', 'calc'], { cwd: fresh.tree, env: baseEnv() });
    expect(aDirectory.code, show(aDirectory)).toBe(2);
    expect(aDirectory.stderr).toBe(
      `runner: error: --junit ${path.join(fresh.tree, 'calc')}: is a directory; expected a file path in a writable directory\n`,
    );
    expect(readProbeLog(fresh).started).toEqual([]);
    expect(fs.existsSync(path.join(fresh.tree, '.runner'))).toBe(false);
  });

  test('a report that cannot be written once the run is over: exit 2 after the summary, and the results are kept', async () => {
    const sb = useFixture('python-demo');
    const config = readConfig(sb);
    const out = path.join(sb.scratch, 'out');
    // The job puts a file where the report's directory was to be created.
    config.tools = [{ name: 'squat', command: `echo squat > ${out}`, include: ['calc/ops.py'] }];
    writeConfig(sb, config);
    const res = await runRunner(['run', '--junit', path.join(out, 'junit.xml')], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stdout).toMatch(
      /^runner: 1 job: 1 ran \(1 passed, 0 failed\), 0 cached failures, 0 fresh in [\d.]+s\n$/m,
    );
    expect(res.stdout).not.toContain('JUnit report written');
    expect(res.stderr).toBe(
      `runner: error: --junit ${path.join(out, 'junit.xml')}: cannot be written (ENOTDIR); expected a file path in a writable directory\n`,
    );

    const { res: again, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(again.code, show(again)).toBe(0);
    expect(json.counts).toMatchObject({ ran: 0, fresh: 1 });
  });

  test('a dry run writes no report', async () => {
    const sb = useFixture('python-demo');
    const junit = path.join(sb.scratch, 'out', 'junit.xml');
    const res = await runRunner(['run', '--dry-run', '--junit', junit], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(res.stdout.endsWith('runner: dry run: no JUnit report written\n')).toBe(true);
    expect(fs.existsSync(path.join(sb.scratch, 'out'))).toBe(false);
  });
});

describe('--json jobs', () => {
  test('each job not fresh has tool, file, status, reasons (kinds and words), exit, duration and log', async () => {
    const sb = useFixture('python-demo');
    withOneFailure(sb);
    const { res, json } = await runJson(['run', '--junit', 'junit.xml'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    expect(json.jobs).toHaveLength(19);
    const failed = json.jobs.find((j) => j.tool === 'probe' && j.file === 'calc/ops.py')!;
    expect(failed).toEqual({
      tool: 'probe',
      file: 'calc/ops.py',
      status: 'failed',
      reasons: ['new'],
      reasonDetails: [{ kind: 'new', text: 'new file' }],
      exitCode: 1,
      signal: null,
      timedOut: false,
      durationMs: expect.any(Number) as number,
      log: expect.stringMatching(/^\.runner\/logs\/[0-9a-f]+-\d+\.log$/) as string,
      finishedAt: null,
      cached: false,
    });
    expect(fs.readFileSync(path.join(sb.tree, failed.log!), 'utf8')).toContain('probe: failing calc/ops.py');
    expect((json as unknown as { junit: string }).junit).toBe('junit.xml');

    appendText(sb, 'calc/stats.py', '# changed\n');
    const again = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    const changed = again.json.jobs.find((j) => j.tool === 'probe' && j.file === 'calc/stats.py') as unknown as {
      reasons: string[];
      reasonDetails: { kind: string; from: string; to: string; text: string }[];
    };
    expect(changed.reasons).toEqual(['content']);
    expect(changed.reasonDetails[0]!.from).toMatch(/^[0-9a-f]{12,}$/);
    expect(changed.reasonDetails[0]!.text).toBe(
      `content changed (${changed.reasonDetails[0]!.from.slice(0, 12)} -> ${changed.reasonDetails[0]!.to.slice(0, 12)})`,
    );
    const cached = again.json.jobs.find((j) => j.status === 'cached-failure') as unknown as { finishedAt: number };
    expect(cached.finishedAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('--json lists the whole suite', () => {
  test('issue 15: the next run lists every job, the fresh ones passed and cached; the counts stay as they were', async () => {
    const sb = useFixture('python-demo');
    withOneFailure(sb);
    const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.code, show(first)).toBe(1);

    const { res, printed: json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    expect(json.jobs.map((j) => `${j.tool} ${j.file}`).sort()).toEqual(PROBED_JOBS);
    expect(json.counts).toMatchObject({ jobs: 19, ran: 0, passed: 0, failed: 0, cachedFailures: 1, fresh: 18 });
    const { jobs } = json;
    const passes = jobs.filter((j) => j.status === 'passed');
    expect(passes).toHaveLength(18);
    for (const j of passes) {
      expect(j).toMatchObject({ cached: true, exitCode: 0, reasons: [] });
      expect(j.finishedAt).toBeLessThanOrEqual(Date.now());
    }
    expect(jobs.filter((j) => j.status === 'cached-failure').map((j) => [j.file, j.cached])).toEqual([
      ['calc/ops.py', true],
    ]);
  });
});

describe('the failure summary', () => {
  test('names each failed job, how it failed and where its log is, from where the user stands', async () => {
    const sb = useFixture('python-demo');
    withOneFailure(sb);
    // From the sandbox root: log paths are shown relative to the cwd, not the source tree.
    const res = await runRunner(['run', '-q', '-C', 'tree'], { cwd: sb.root, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    const summary = res.stdout.slice(res.stdout.indexOf('runner: 1 failure:\n'));
    const m =
      /^runner: 1 failure:\n {2}FAIL probe calc\/ops\.py \(exit 1, [\d.]+s\) log: (tree\/\.runner\/logs\/[0-9a-f]+-\d+\.log)\nrunner: 19 jobs: /.exec(
        summary,
      );
    expect(m, summary).not.toBeNull();
    expect(fs.readFileSync(path.join(sb.root, m![1]!), 'utf8')).toContain('probe: failing calc/ops.py');

    const again = await runRunner(['run', '-q', '-C', 'tree'], { cwd: sb.root, env: baseEnv() });
    expect(again.code, show(again)).toBe(1);
    expect(again.stdout).toMatch(
      /^runner: 1 failure:\n {2}FAIL probe calc\/ops\.py \(cached failure, exit 1, ran .+; --rerun-failed runs it again\) log: tree\/\.runner\/logs\/[0-9a-f]+-\d+\.log$/m,
    );
  });

  test('a timeout and a failure that wrote nothing are told apart', async () => {
    const sb = useFixture('python-demo');
    const config = readConfig(sb);
    config.tools = [
      { name: 'silent', command: ['python3', '-c', 'raise SystemExit(4)', '{file}'], include: ['calc/ops.py'] },
      // It must print before its timeout: sh starts in milliseconds even on a busy machine, python (through a shim) not.
      {
        name: 'hang',
        command: ['sh', '-c', 'echo waiting; sleep 30', 'sh', '{file}'],
        include: ['calc/stats.py'],
        timeout: 3,
      },
    ];
    writeConfig(sb, config);
    const junit = path.join(sb.scratch, 'junit.xml');
    const res = await runRunner(['run', '-q', '--junit', junit], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    const summary = res.stdout.slice(res.stdout.indexOf('runner: 2 failures:\n'));
    expect(summary).toMatch(/^ {2}FAIL silent calc\/ops\.py \(exit 4, [\d.]+s\) no log: it wrote nothing$/m);
    const hang =
      /^ {2}FAIL hang calc\/stats\.py \(timed out after [\d.]+s\) log: (\.runner\/logs\/[0-9a-f]+-\d+\.log)$/m.exec(
        summary,
      );
    expect(hang, summary).not.toBeNull();
    const log = fs.readFileSync(path.join(sb.tree, hang![1]!), 'utf8');
    expect(log).toBe('waiting\n\nrunner: timed out after 3.0s; killed\n');

    const doc = parseJunit(junit);
    const outcomes = doc.suites.map((s) => [s.name, s.cases[0]!.outcome?.message, s.cases[0]!.outcome?.text]);
    expect(outcomes).toEqual([
      ['silent', 'exit 4', '(no output)'],
      ['hang', expect.stringMatching(/^timed out after [\d.]+s$/), log],
    ]);
  });
});
