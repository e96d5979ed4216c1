// What a commit check prints names the files the user edits: tools ran in the
// staged tree (<stateDir>/staged) and name it, and runner shows the source
// tree's paths in their place (failures, cached failures, the merged log, JUnit),
// through `runner run --staged` and through a real `git commit` via the hook.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runRunner, show } from '../helpers/cli.js';
import { type RepoSandbox, git, gitOk, gitTestEnv, useRepo } from '../helpers/git.js';
import { readConfig, writeConfig } from '../helpers/sandbox.js';

const env = gitTestEnv();

/** The staged-demo repository with a tool that compiles pkg/*.py by its absolute path, as $PWD names it. */
function repoWithCompile(): RepoSandbox {
  const sb = useRepo();
  const config = readConfig(sb);
  config.tools.push({ name: 'compile', command: 'python3 -m py_compile "$PWD/{file}"', include: ['pkg/*.py'] });
  writeConfig(sb, config);
  fs.mkdirSync(path.join(sb.tree, 'pkg'));
  fs.writeFileSync(path.join(sb.tree, 'pkg', 'a.py'), 'x = 1\n');
  gitOk(sb.tree, ['add', '-A']);
  gitOk(sb.tree, ['commit', '-q', '-m', 'compile']);
  // Broken and staged: py_compile names the file; the test of lib/util.py gets a traceback through its import.
  fs.writeFileSync(path.join(sb.tree, 'pkg', 'a.py'), 'def f(:\n');
  fs.writeFileSync(path.join(sb.tree, 'lib', 'util.py'), 'def double(x:\n');
  gitOk(sb.tree, ['add', 'pkg/a.py', 'lib/util.py']);
  return sb;
}

const logOf = (sb: RepoSandbox, out: string, tool: string): string => {
  const m = new RegExp(`FAIL ${tool} [^\\n]*\\n(?:  \\|[^\\n]*\\n)*  log: (\\S+)`).exec(out);
  expect(m, out).not.toBeNull();
  return fs.readFileSync(path.join(sb.tree, m![1]!), 'utf8');
};

describe("a staged run's output names the source tree's files", () => {
  test("issue 15: runner run --staged: failures and the merged log show the source tree's paths; the stored log keeps the tool's", async () => {
    const sb = repoWithCompile();
    const tree = fs.realpathSync(sb.tree);
    const merged = path.join(sb.scratch, 'merged.log');
    const junit = path.join(sb.scratch, 'junit.xml');
    const res = await runRunner(['run', '--staged', '--merged-log', merged, '--junit', junit], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(1);
    expect(res.stdout).toContain(`  |   File "${tree}/pkg/a.py", line 1\n`);
    expect(res.stdout).toContain(`  |   File "${tree}/lib/util.py", line 1\n`); // the test's traceback
    expect(res.stdout + res.stderr).not.toContain('.runner/staged');
    const mergedText = fs.readFileSync(merged, 'utf8');
    expect(mergedText).toContain(`  File "${tree}/pkg/a.py", line 1\n`);
    expect(mergedText).not.toContain('.runner/staged');
    const junitText = fs.readFileSync(junit, 'utf8');
    expect(junitText).toContain(`File "${tree}/pkg/a.py", line 1`);
    expect(junitText).not.toContain('.runner/staged');
    // What the tool wrote is kept as it wrote it.
    expect(logOf(sb, res.stdout, 'compile')).toContain(`File "${tree}/.runner/staged/pkg/a.py"`);

    // The same content in the working tree: the cached failure shows the source tree's path too.
    const again = await runRunner(['run', '--tool', 'compile'], { cwd: sb.tree, env });
    expect(again.code, show(again)).toBe(1);
    expect(again.stdout).toMatch(/FAIL compile pkg\/a\.py \(cached failure/);
    expect(again.stdout).toContain(`  |   File "${tree}/pkg/a.py", line 1\n`);
    expect(again.stdout).not.toContain('.runner/staged');
  });

  test("issue 15: a git commit blocked by the hook shows the source tree's paths", async () => {
    const sb = repoWithCompile();
    const tree = fs.realpathSync(sb.tree);
    const install = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
    expect(install.code, show(install)).toBe(0);
    const blocked = git(sb.tree, ['commit', '-m', 'broken']);
    expect(blocked.code, blocked.stdout + blocked.stderr).not.toBe(0);
    const out = blocked.stdout + blocked.stderr;
    expect(out).toContain(`  |   File "${tree}/pkg/a.py", line 1\n`);
    expect(out).toContain(`  |   File "${tree}/lib/util.py", line 1\n`);
    expect(out).not.toContain('.runner/staged');
  });
});
