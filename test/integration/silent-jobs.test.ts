// What a job costs in files (issue 17, point 4): a job that prints nothing
// creates no log file at all, only the first job of a run creates its log
// before it starts, and a later log runner cannot create is runner's fault.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

test('issue 17: a job that prints nothing creates no log file while it runs', async () => {
  const sb = useFixture('python-demo');
  for (const f of ['a.txt', 'b.txt', 'c.txt']) writeText(sb, f, `${f}\n`);
  writeConfig(sb, {
    include: ['*.txt'],
    env: { PROBE_DIR: sb.scratch },
    passEnv: ['PATH'],
    // Each job lists the running logs as it runs, into a file of its own: it prints nothing.
    tools: [{ name: 'look', command: 'ls -A .runner/running > "$PROBE_DIR/seen-$(basename {file})"' }],
  });
  const { res, json } = await runJson(['-j', '1', 'run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.counts.passed).toBe(3);
  const seen = ['a.txt', 'b.txt', 'c.txt'].map((f) =>
    fs
      .readFileSync(path.join(sb.scratch, `seen-${f}`), 'utf8')
      .split('\n')
      .filter(Boolean),
  );
  // One at a time: only the run's first job made its log before it started (and let it go, empty); the others none.
  expect(seen.filter((names) => names.length === 0)).toHaveLength(2);
  expect(seen.flat()).toEqual([expect.stringMatching(/^\d+-\d+\.log$/)]);
  expect(fs.readdirSync(path.join(sb.tree, '.runner', 'running'))).toEqual([]);
  expect(fs.readdirSync(path.join(sb.tree, '.runner', 'logs'))).toEqual([]);
});

test("issue 17: a later job's log runner cannot create is runner's fault: reported, not recorded, run again next time", async () => {
  const sb = useFixture('python-demo');
  for (const f of ['a.txt', 'b.txt']) writeText(sb, f, `${f}\n`);
  const running = path.join(sb.tree, '.runner', 'running');
  writeConfig(sb, {
    include: ['*.txt'],
    env: { PROBE_DIR: sb.scratch },
    passEnv: ['PATH'],
    // The run's first job takes away the right to make files in running/; the next one prints.
    tools: [
      {
        name: 'say',
        command: `echo "ran {file}" >> "$PROBE_DIR/probe.log"; if [ ! -e "$PROBE_DIR/locked" ]; then touch "$PROBE_DIR/locked"; chmod 555 ${running}; else echo "output of {file}"; fi`,
      },
    ],
  });
  const first = await runJson(['-j', '1', 'run'], { cwd: sb.tree, env: baseEnv(), withoutDac: true });
  fs.chmodSync(running, 0o755);
  // The first job passed; the second printed into a log that could not be made: reported, never recorded.
  expect(first.json.counts, show(first.res)).toMatchObject({ passed: 1, failed: 1 });
  expect(first.res.code, show(first.res)).toBe(1);
  expect(first.res.stderr).toMatch(
    /runner: warning: say [ab]\.txt: cannot write the job's log \(.*mode 0555\)\); not recorded, it runs again next time/,
  );
  const ran = (): string[] => fs.readFileSync(path.join(sb.scratch, 'probe.log'), 'utf8').split('\n').filter(Boolean);
  expect(ran()).toHaveLength(2);

  const second = await runJson(['-j', '1', 'run'], { cwd: sb.tree, env: baseEnv() });
  expect(second.res.code, show(second.res)).toBe(0);
  expect(second.json.counts).toMatchObject({ ran: 1, passed: 1, fresh: 1 });
  // Only the job whose result was not recorded ran again, and its log is kept now.
  expect(ran()).toHaveLength(3);
  expect(fs.readdirSync(path.join(sb.tree, '.runner', 'logs'))).toHaveLength(1);
});
