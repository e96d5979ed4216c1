// Two runners on one state directory (a make build and a commit hook, two
// terminals, watch beside run): every job runs once in all, each result keeps
// its own log, and neither run's results are lost.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, notFresh, runJson, show, startRunner, type JobJson, type RunJson } from '../helpers/cli.js';
import { PY_FILES } from '../helpers/python-demo.js';
import { probeOnly, readProbeLog, setProbeControl } from '../helpers/probe.js';
import { appendText, useFixture, waitFor, writeConfig, writeText, type Sandbox } from '../helpers/sandbox.js';

/**
 * A tool cheap enough for 1,500 jobs (sh, not node): appends "start FILE" to
 * the probe log and writes a log naming its file and the runner that ran it
 * ($RUN_ID passes through unlatched, so both runners' jobs have one fingerprint).
 */
function echoTree(sb: Sandbox, files: number): string[] {
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const rel = `gen/d${Math.floor(i / 100)}/f${i}.txt`;
    writeText(sb, rel, `${i}\n`);
    paths.push(rel);
  }
  writeConfig(sb, {
    include: ['gen/**'],
    env: { PROBE_DIR: sb.scratch },
    passEnv: ['PATH'],
    passThroughEnv: ['RUN_ID'],
    tools: [
      {
        name: 'echo',
        command: ['sh', '-c', 'echo "start $1" >> "$PROBE_DIR/probe.log"; echo "log of $1 by $RUN_ID"', 'sh', '{file}'],
      },
    ],
  });
  return paths;
}

function startedFiles(sb: Sandbox): string[] {
  return fs
    .readFileSync(path.join(sb.scratch, 'probe.log'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^start /, ''));
}

describe('two runners on one state directory', () => {
  test('issue 12: two runs of 1,500 jobs started together run every job once in all, and every log belongs to its result', async () => {
    const sb = useFixture('python-demo');
    const paths = echoTree(sb, 1500);
    const start = (id: string) =>
      startRunner(['run', '--json', '-j', '4'], { cwd: sb.tree, env: baseEnv({ RUN_ID: id }) });
    const a = start('a');
    const b = start('b');
    const results = await Promise.all([a.result, b.result]);
    for (const res of results) expect(res.code, show(res)).toBe(0);

    // Every job ran exactly once, counted outside runner.
    const started = startedFiles(sb);
    expect(started.length).toBe(1500);
    expect([...new Set(started)].sort()).toEqual([...paths].sort());

    // One waited for the other, and said so; the one that ran nothing found every job fresh.
    const jsons = results.map((r) => notFresh(JSON.parse(r.stdout) as RunJson));
    expect(jsons.map((j) => j.counts.ran).sort((x, y) => x - y)).toEqual([0, 1500]);
    const waited = results[jsons.findIndex((j) => j.counts.ran === 0)]!;
    expect(waited.stderr).toMatch(/^runner: waiting for another runner \(pid \d+\) using .*\.runner$/m);

    // Each reported log holds its own job's output, written by the runner that reported it.
    jsons.forEach((json, i) => {
      const id = ['a', 'b'][i]!;
      for (const job of json.jobs) {
        expect(job.log, `${job.file}`).not.toBeNull();
        expect(fs.readFileSync(path.resolve(sb.tree, job.log!), 'utf8')).toBe(`log of ${job.file} by ${id}\n`);
      }
    });

    // Both runs' results are kept: a third run finds every job fresh.
    const { res, json } = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv({ RUN_ID: 'c' }) });
    expect(res.code, show(res)).toBe(0);
    expect(json.counts).toMatchObject({ jobs: 1500, fresh: 1500, ran: 0 });
  }, 60_000);

  test("issue 12: a run beside a watch runs an edited file's job once in all, and the watch goes on with the run's results", async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    const w = startRunner(['watch', '--json', '--debounce', '100'], { cwd: sb.tree, env: baseEnv() });
    const cycles = (): { jobs: JobJson[] }[] =>
      w
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { jobs: JobJson[] });
    await waitFor(`the first cycle\n${w.stderr()}`, () => cycles().length === 1, 30_000);
    // The run starts while the watch's cycle runs the edited file's (slow) job.
    setProbeControl(sb, 'sleep-ms', '1000');
    appendText(sb, 'calc/ops.py', '# edited\n');
    await waitFor(
      'the watch to start the edited job',
      () => readProbeLog(sb).started.length === PY_FILES.length + 1,
      30_000,
    );
    const run = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(run.res.code, show(run.res)).toBe(0);

    // A later edit gives a cycle that runs only its job: the watch knows what the run recorded.
    setProbeControl(sb, 'sleep-ms', null);
    appendText(sb, 'calc/stats.py', '# sentinel\n');
    const sentinel = await waitFor(
      `the sentinel's cycle\n${w.stdout()}\n${w.stderr()}`,
      () =>
        cycles()
          .slice(1)
          .find((c) => c.jobs.some((j) => j.file === 'calc/stats.py')),
      30_000,
    );
    expect(sentinel.jobs.map((j) => `${j.file} ${j.status}`)).toEqual(['calc/stats.py passed']);
    w.child.kill('SIGINT');
    await w.result;

    const started = readProbeLog(sb).started;
    expect(started.filter((f) => f === 'calc/ops.py')).toHaveLength(2); // the first cycle, then once for the edit
    expect([...started].sort()).toEqual([...PY_FILES, 'calc/ops.py', 'calc/stats.py'].sort());
    const after = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(after.json.counts).toMatchObject({ ran: 0, fresh: PY_FILES.length });
  }, 90_000);

  test('issue 12: a runner waiting for another says which, and Ctrl-C stops it at once with exit 130, having run nothing', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    setProbeControl(sb, 'sleep-ms', '60000');
    const holder = startRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    await waitFor('the first runner to start a job', () => readProbeLog(sb).started.length > 0);
    const waiter = startRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    await waitFor(`the second runner to wait\n${waiter.stderr()}`, () =>
      waiter.stderr().includes('waiting for another runner'),
    );
    expect(waiter.stderr()).toBe(
      `runner: waiting for another runner (pid ${holder.child.pid}) using ${path.join(sb.tree, '.runner')}\n`,
    );
    const started = readProbeLog(sb).started.length;
    waiter.child.kill('SIGINT');
    const res = await waiter.result;
    expect(res.code, show(res)).toBe(130);
    expect(res.stderr).toContain(
      `runner: error: SIGINT while waiting for another runner using ${path.join(sb.tree, '.runner')}; nothing was run\n`,
    );
    holder.child.kill('SIGINT');
    expect((await holder.result).code).toBe(130);
    expect(readProbeLog(sb).started.length).toBe(started);
  }, 60_000);
});
