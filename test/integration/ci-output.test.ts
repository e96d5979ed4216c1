// Output for CI systems and the colour variables: GitHub Actions annotations
// and log groups (GITHUB_ACTIONS=true), FORCE_COLOR and NO_COLOR, asserted on
// whole lines as a user (or GitHub's log parser) reads them.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { BIN, baseEnv, runRunner, show } from '../helpers/cli.js';
import { spawnInPty } from '../helpers/pty.js';
import { useFixture, writeConfig, writeText, type Sandbox } from '../helpers/sandbox.js';

/** One tool failing on one file whose name needs escaping in a workflow command's property. */
const ODD = 'odd/x,y:z.txt';
function oneFailure(sb: Sandbox): void {
  writeText(sb, ODD, 'x\n');
  writeConfig(sb, {
    include: ['odd/*.txt'],
    tools: [
      { name: 'lint', command: ['sh', '-c', 'printf "50%% done\\nbad, thing: here\\n"; exit 3', 'sh', '{file}'] },
    ],
  });
}

/** A FAIL line with its duration (the one part that varies) replaced by "N.NNs". */
const steady = (line: string): string => line.replace(/, \d+\.\d\ds\)$/, ', N.NNs)');

/** The lines runner printed on a terminal (node-pty), once it exits. */
async function linesInPty(sb: Sandbox, args: string[], env: Record<string, string>): Promise<string[]> {
  const run = spawnInPty(sb, process.execPath, [BIN, ...args], { TERM: 'xterm', ...env }, 200);
  await run.exited;
  return run.output().split('\r\n');
}

describe('GitHub Actions', () => {
  test('issue 15: a failure is also an ::error annotation on its file, and its log a group', async () => {
    const sb = useFixture('python-demo');
    oneFailure(sb);
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv({ GITHUB_ACTIONS: 'true' }) });
    expect(res.code, show(res)).toBe(1);
    const lines = res.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('::error '));
    expect(at, res.stdout).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at, at + 5).map(steady)).toEqual([
      '::error file=odd/x%2Cy%3Az.txt,title=lint::exit 3%0A50%25 done%0Abad, thing: here',
      '::group::FAIL lint odd/x,y:z.txt (exit 3, N.NNs)',
      '  | 50% done',
      '  | bad, thing: here',
      expect.stringMatching(/^ {2}log: \.runner\/logs\/[0-9a-f]+-\d+\.log$/) as string,
    ]);
    expect(lines[at + 5]).toBe('::endgroup::');
    expect(lines.filter((l) => l.startsWith('::'))).toHaveLength(3);

    // A cached failure fails the run too: it is annotated as well.
    const again = await runRunner(['run'], { cwd: sb.tree, env: baseEnv({ GITHUB_ACTIONS: 'true' }) });
    expect(again.code, show(again)).toBe(1);
    const cached = again.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(cached.map((l) => l.replace(/, ran [^;]+;/, ', ran WHEN;'))).toEqual([
      '::error file=odd/x%2Cy%3Az.txt,title=lint::cached failure (exit 3); not rerun: its inputs did not change%0A50%25 done%0Abad, thing: here',
      '::group::FAIL lint odd/x,y:z.txt (cached failure, exit 3, ran WHEN; --rerun-failed runs it again)',
      '::endgroup::',
    ]);
  });

  test('issue 15: an annotation names its file from the repository root when the config sits below it', async () => {
    const sb = useFixture('python-demo');
    writeText(sb, 'svc/bad.txt', 'x\n');
    writeText(
      sb,
      'svc/.runnerrc.json',
      JSON.stringify({
        include: ['*.txt'],
        tools: [{ name: 'lint', command: ['sh', '-c', 'exit 3', 'sh', '{file}'] }],
      }),
    );
    const annotations = async (env: Record<string, string>): Promise<string[]> => {
      const res = await runRunner(['run', '--rerun-failed'], { cwd: path.join(sb.tree, 'svc'), env: baseEnv(env) });
      expect(res.code, show(res)).toBe(1);
      return res.stdout.split('\n').filter((l) => l.startsWith('::error '));
    };
    // GITHUB_WORKSPACE (the checkout) is the root when it holds the tree, as on GitHub's runners.
    expect(await annotations({ GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: sb.tree })).toEqual([
      '::error file=svc/bad.txt,title=lint::exit 3',
    ]);
    // Without it, the nearest directory above holding .git.
    execFileSync('git', ['init', '-q'], { cwd: sb.tree });
    expect(await annotations({ GITHUB_ACTIONS: 'true' })).toEqual(['::error file=svc/bad.txt,title=lint::exit 3']);
  });

  test('issue 15: outside GitHub Actions (or GITHUB_ACTIONS not "true") no workflow command is printed', async () => {
    const sb = useFixture('python-demo');
    oneFailure(sb);
    for (const env of [baseEnv(), baseEnv({ GITHUB_ACTIONS: 'false' })]) {
      const res = await runRunner(['run', '--rerun-failed'], { cwd: sb.tree, env });
      expect(res.code, show(res)).toBe(1);
      const lines = res.stdout.split('\n');
      expect(lines.filter((l) => l.startsWith('::'))).toEqual([]);
      expect(lines.map(steady)).toContain('FAIL lint odd/x,y:z.txt (exit 3, N.NNs)');
    }
  });
});

describe('colour variables', () => {
  const RED_FAIL = '\x1b[31mFAIL\x1b[0m lint odd/x,y:z.txt (exit 3, N.NNs)';
  const PLAIN_FAIL = 'FAIL lint odd/x,y:z.txt (exit 3, N.NNs)';

  test('issue 15: FORCE_COLOR colours output that is not a terminal, over NO_COLOR', async () => {
    const sb = useFixture('python-demo');
    oneFailure(sb);
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv({ FORCE_COLOR: '1' }) });
    expect(res.code, show(res)).toBe(1);
    expect(res.stdout.split('\n').map(steady)).toContain(RED_FAIL);
  });

  test('issue 15: on a terminal FORCE_COLOR=0 turns colour off, and an empty NO_COLOR does not', async () => {
    const sb = useFixture('python-demo');
    oneFailure(sb);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TERM: 'xterm' };
    const args = ['run', '-q', '--rerun-failed'];
    expect((await linesInPty(sb, args, env)).map(steady)).toContain(RED_FAIL);
    expect((await linesInPty(sb, args, { ...env, FORCE_COLOR: '0' })).map(steady)).toContain(PLAIN_FAIL);
    expect((await linesInPty(sb, args, { ...env, NO_COLOR: '' })).map(steady)).toContain(RED_FAIL);
    expect((await linesInPty(sb, args, { ...env, NO_COLOR: '1' })).map(steady)).toContain(PLAIN_FAIL);
  });
});
