// runner ends its process as soon as a command is done (cli/main.ts), not when
// its event loop runs dry: the whole output must still reach a reader that is
// slow to read it, and the exit code must be the command's.
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { BIN, baseEnv, runRunner, show } from '../helpers/cli.js';
import { type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

/** The run's stdout through a pipe nobody reads for `pauseMs` (more than the pipe holds), and its exit code. */
function slowlyRead(sb: Sandbox, args: string[], pauseMs: number): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: sb.tree,
    env: baseEnv(),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => chunks.push(b));
  child.stdout.pause(); // read nothing from the pipe for a while: runner's writes wait for room
  setTimeout(() => child.stdout.resume(), pauseMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: Buffer.concat(chunks).toString('utf8') }));
  });
}

test('issue 17: a --json report larger than a pipe holds reaches a reader that waits before reading, whole, with the exit code', async () => {
  const sb = useFixture('js-demo');
  const n = 800;
  for (let i = 0; i < n; i++) writeText(sb, `many/f${String(i).padStart(4, '0')}.txt`, `${i}\n`);
  writeText(sb, 'many/bad.txt', 'bad\n');
  writeConfig(sb, {
    include: ['many/**'],
    tools: [{ name: 'check', command: ['sh', '-c', 'grep -qv bad "$1"', 'check', '{file}'] }],
  });
  const first = await runRunner(['run', '-q'], { cwd: sb.tree, env: baseEnv() });
  expect(first.code, show(first)).toBe(1);
  // A no-op listing every job (about 200 bytes each, far over the 64 KB a pipe holds), exit 1 for the cached failure.
  const { code, out } = await slowlyRead(sb, ['run', '--json'], 500);
  expect(out.length).toBeGreaterThan(128 * 1024);
  const report = JSON.parse(out) as { exitCode: number; jobs: { file: string; status: string }[] };
  expect(report.jobs).toHaveLength(n + 1);
  expect(report.jobs.filter((j) => j.status === 'cached-failure').map((j) => j.file)).toEqual(['many/bad.txt']);
  expect([code, report.exitCode]).toEqual([1, 1]);
});
