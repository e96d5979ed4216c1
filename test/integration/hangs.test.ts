// Where runner used to wait for ever (issue 12): a fifo named where it reads a
// file, a directory it cannot create under /proc, a read stuck in the thread
// pool when SIGTERM comes. Real fifos (mkfifo) and real signals. A test that
// hangs on the old code fails by vitest's timeout; its runner is then killed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { type Sandbox, useFixture, waitFor, writeConfig, writeText } from '../helpers/sandbox.js';

function tree(config: Record<string, unknown>): Sandbox {
  const sb = useFixture('js-demo');
  writeText(sb, 'only/one.txt', 'x\n');
  writeConfig(sb, { include: ['only/**'], tools: [{ name: 'cat', command: ['cat', '{file}'] }], ...config });
  return sb;
}

const mkfifo = (file: string): void => {
  execFileSync('mkfifo', [file]);
};

describe('issue 12: a fifo where runner reads a file is refused or never read', () => {
  test('issue 12: a whitelist file that is a fifo stops the run with exit 2 naming it', async () => {
    const sb = tree({ whitelist: 'list.fifo' });
    mkfifo(path.join(sb.tree, 'list.fifo'));
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toBe(
      'runner: error: .runnerrc.json: whitelist is "list.fifo"; expected a regular file listing one path per line, not a fifo (named pipe)\n',
    );
  }, 20_000);

  test('issue 12: -c naming a fifo stops the run with exit 2 naming it', async () => {
    const sb = tree({});
    mkfifo(path.join(sb.scratch, 'config.fifo'));
    const res = await runRunner(['run', '-c', path.join(sb.scratch, 'config.fifo')], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain(
      `runner: error: ${path.join(sb.scratch, 'config.fifo')}: (file) is "a fifo (named pipe)"; expected a regular config file (given with -c)`,
    );
  }, 20_000);

  test('issue 12: a config file found in the source tree that is a fifo stops the run with exit 2', async () => {
    const sb = tree({});
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    mkfifo(path.join(sb.tree, '.runnerrc.json'));
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain(
      'runner: error: .runnerrc.json: (file) is "a fifo (named pipe)"; expected a regular config file',
    );
  }, 20_000);

  test('issue 12: a declared input that is a fifo is never read, is warned about, and its jobs run every time as for an unreadable input', async () => {
    const sb = useFixture('js-demo');
    writeText(sb, 'only/one.txt', 'x\n');
    const ran = path.join(sb.scratch, 'ran');
    // The tool itself counts its runs: what really ran, not what runner says.
    writeConfig(sb, {
      include: ['only/**'],
      tools: [{ name: 'cat', command: ['sh', '-c', 'echo "$1" >> "$0"', ran, '{file}'], inputs: ['in.fifo'] }],
    });
    mkfifo(path.join(sb.tree, 'in.fifo'));
    const warning =
      'runner: warning: tools[0].inputs (tool "cat"): in.fifo is a fifo (named pipe), which runner never reads (it could wait for ever); the tool\'s jobs run every time\n';
    for (let i = 0; i < 2; i++) {
      const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
      expect(res.code, show(res)).toBe(0);
      expect(res.stderr).toBe(warning);
      // Its content cannot be known, so nothing proves the jobs unchanged: the second run runs them again.
      expect(json.counts.ran, `run ${i + 1}`).toBe(1);
      expect(fs.readFileSync(ran, 'utf8').trim().split('\n'), `run ${i + 1}`).toHaveLength(i + 1);
    }
  }, 20_000);

  test('issue 12: a merged log under /proc is refused with exit 2 instead of spinning', async () => {
    const sb = tree({ tools: [{ name: 'fail', command: ['false'] }] });
    const res = await runRunner(['run', '--merged-log', '/proc/no-such-dir/merged.log'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain(
      'runner: error: --merged-log /proc/no-such-dir/merged.log: cannot be written (ENOENT)',
    );
  }, 20_000);

  test('issue 12: a state directory under /proc is refused with exit 2 instead of spinning', async () => {
    const sb = tree({});
    const res = await runRunner(['run', '--state-dir', '/proc/no-such-dir/state'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toBe(
      'runner: error: state directory /proc/no-such-dir/state: cannot be created (ENOENT); expected a writable directory (set it with --state-dir DIR or "stateDir")\n',
    );
  }, 20_000);
});

// About 12 s: runner waits STOP_PATIENCE_MS (10 s) for the stuck run to stop by itself before it exits anyway.
test('issue 12: SIGTERM ends runner even while a read waits for ever in the thread pool', async () => {
  const sb = tree({});
  fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
  mkfifo(path.join(sb.scratch, 'never.fifo'));
  // A JavaScript config may read what it likes; this read waits for a writer that never comes.
  writeText(
    sb,
    'runner.config.mjs',
    [
      "import fs from 'node:fs/promises';",
      `await fs.readFile(${JSON.stringify(path.join(sb.scratch, 'never.fifo'))});`,
      "export default { tools: [{ name: 'cat', command: ['cat', '{file}'] }] };",
      '',
    ].join('\n'),
  );
  const running = startRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  // The signal goes out once a thread of runner waits in the fifo's open (wchan wait_for_partner).
  const pid = running.child.pid!;
  await waitFor('the config read to wait on the fifo', () => {
    try {
      return fs
        .readdirSync(`/proc/${pid}/task`)
        .some((t) => fs.readFileSync(`/proc/${pid}/task/${t}/wchan`, 'utf8').includes('wait_for_partner'));
    } catch {
      return false;
    }
  });
  running.child.kill('SIGTERM');
  const res = await running.result;
  expect(res.signal, show(res)).toBe('SIGTERM');
  expect(res.stderr).toContain('runner: SIGTERM: still not stopped after 10 s; exiting now');
}, 40_000);
