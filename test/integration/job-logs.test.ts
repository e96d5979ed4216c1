// A job's log is a fresh file of its own, moved to its result's name when the
// job ends: a runner killed mid-job, or a job still writing as an orphan,
// never touches a log a recorded result names; replaced logs go.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show, startRunner } from '../helpers/cli.js';
import {
  beforeSandboxRemoval,
  isProcessAlive,
  useFixture,
  waitFor,
  writeConfig,
  writeText,
  type Sandbox,
} from '../helpers/sandbox.js';

/**
 * One job, on check.txt: it says "start PID" in the probe log, writes its
 * output, and fails. With $PROBE_DIR/hang present it writes other output and
 * then sleeps (as `exec sleep`, so PID is what keeps running).
 */
function failingJob(sb: Sandbox): void {
  writeText(sb, 'check.txt', 'x\n');
  writeConfig(sb, {
    include: ['check.txt'],
    env: { PROBE_DIR: sb.scratch },
    passEnv: ['PATH'],
    tools: [
      {
        name: 'check',
        command: [
          'sh',
          '-c',
          [
            'echo "start $$" >> "$PROBE_DIR/probe.log"',
            'if [ -e "$PROBE_DIR/hang" ]; then echo "rerun output"; exec sleep 60; fi',
            'echo "failure output $(cat "$PROBE_DIR/round" 2>/dev/null)"; exit 1',
          ].join('\n'),
          'sh',
          '{file}',
        ],
      },
    ],
  });
}

function jobPids(sb: Sandbox): number[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(sb.scratch, 'probe.log'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.startsWith('start '))
    .map((l) => Number(l.slice(6)));
}

describe('job logs', () => {
  test("issue 12: SIGKILL during --rerun-failed leaves the cached failure's log intact, and it is still reported", async () => {
    const sb = useFixture('python-demo');
    failingJob(sb);
    const first = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(first.res.code, show(first.res)).toBe(1);
    const log = first.json.jobs[0]!.log!;
    expect(fs.readFileSync(path.resolve(sb.tree, log), 'utf8')).toBe('failure output \n');

    fs.writeFileSync(path.join(sb.scratch, 'hang'), '');
    const rerun = startRunner(['run', '--rerun-failed'], { cwd: sb.tree, env: baseEnv() });
    const pid = await waitFor('the rerun to start the job', () => jobPids(sb)[1]);
    beforeSandboxRemoval(() => {
      if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    // The job has written its output (it execs sleep only after the echo).
    await waitFor('the job to sleep', () => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'));
    rerun.child.kill('SIGKILL');
    await rerun.result;
    // The rerun's job wrote into its own file (and, orphaned, may still): the recorded result's log is as it was.
    expect(fs.readFileSync(path.resolve(sb.tree, log), 'utf8')).toBe('failure output \n');

    fs.rmSync(path.join(sb.scratch, 'hang'));
    const after = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(after.res.code, show(after.res)).toBe(1);
    expect(after.json.jobs.map((j) => [j.file, j.status, j.log])).toEqual([['check.txt', 'cached-failure', log]]);
    expect(fs.readFileSync(path.resolve(sb.tree, log), 'utf8')).toBe('failure output \n');
    expect(jobPids(sb)).toHaveLength(2); // the cached failure was reported, not run again
    // What the killed runner's job was writing is gone once another runner takes the state directory.
    expect(fs.readdirSync(path.join(sb.tree, '.runner', 'running'))).toEqual([]);
  });

  test('issue 12: a rerun under the same fingerprint writes a new log and removes the one it replaces', async () => {
    const sb = useFixture('python-demo');
    failingJob(sb);
    fs.writeFileSync(path.join(sb.scratch, 'round'), '1');
    const first = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(first.res.code, show(first.res)).toBe(1);
    const log1 = path.resolve(sb.tree, first.json.jobs[0]!.log!);

    fs.writeFileSync(path.join(sb.scratch, 'round'), '2');
    const second = await runJson(['run', '--json', '--rerun-failed'], { cwd: sb.tree, env: baseEnv() });
    expect(second.res.code, show(second.res)).toBe(1);
    const log2 = path.resolve(sb.tree, second.json.jobs[0]!.log!);
    expect(log2).not.toBe(log1);
    expect(fs.readFileSync(log2, 'utf8')).toBe('failure output 2\n');
    // The replaced result's log is no one's now: removed, and it is the only log left.
    expect(fs.readdirSync(path.dirname(log2))).toEqual([path.basename(log2)]);
  });

  test('a log named by a runner before issue 12 (one per fingerprint) is renamed once, and its result stays a cached failure', async () => {
    const sb = useFixture('python-demo');
    failingJob(sb);
    const first = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(first.res.code, show(first.res)).toBe(1);
    const log = path.resolve(sb.tree, first.json.jobs[0]!.log!);
    // The state directory as an earlier runner left it: the log under its fingerprint alone, no layout setting.
    const legacy = path.join(path.dirname(log), path.basename(log).replace(/-\d+\.log$/, '.log'));
    fs.renameSync(log, legacy);
    const db = new Database(path.join(sb.tree, '.runner', 'manifest.db'));
    db.prepare("DELETE FROM meta WHERE key = 'log_names'").run();
    db.close();

    const after = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(after.res.code, show(after.res)).toBe(1);
    expect(after.json.jobs.map((j) => [j.status, path.resolve(sb.tree, j.log!)])).toEqual([['cached-failure', log]]);
    expect(fs.readFileSync(log, 'utf8')).toBe('failure output \n');
    expect(fs.existsSync(legacy)).toBe(false);
    expect(jobPids(sb)).toHaveLength(1);
  });

  test('issue 12: a stray file in the logs directory that no result names is swept when the results are folded', async () => {
    const sb = useFixture('python-demo');
    failingJob(sb);
    const first = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(first.res.code, show(first.res)).toBe(1);
    const logs = path.join(sb.tree, '.runner', 'logs');
    // What a runner killed between moving a finished job's log and recording its result leaves.
    fs.writeFileSync(path.join(logs, '0123456789abcdef0123456789abcdef-1.log'), 'stray\n');
    // A tool renamed drops the old name's results: the run folds the results, and sweeps.
    const config = JSON.parse(fs.readFileSync(path.join(sb.tree, '.runnerrc.json'), 'utf8')) as {
      tools: { name: string }[];
    };
    config.tools[0]!.name = 'renamed';
    writeConfig(sb, config);
    const second = await runJson(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(second.res.code, show(second.res)).toBe(1);
    expect(second.json.jobs.map((j) => `${j.tool} ${j.file}`)).toEqual(['renamed check.txt']);
    // Left: the log of the one kept result.
    expect(fs.readdirSync(logs)).toEqual([path.basename(second.json.jobs[0]!.log!)]);
  });
});
