// Declared inputs of every kind: a file, a directory (its content,
// recursively), a glob matched at each run, a file over 2 GiB, a per-user
// file under ~/. A missing input or an empty glob is a warning, latched so that
// its appearance re-runs the tool's jobs.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { type ExplainJson, baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { PY_FILES } from '../helpers/python-demo.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, useFixture, writeText } from '../helpers/sandbox.js';

/** Runs, expects exit 0, and returns the files whose probe job ran (sorted); clears the probe log. */
async function ranFiles(sb: Sandbox, env = baseEnv()): Promise<{ ran: string[]; stderr: string; reasons: string[] }> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(0);
  const ran = readProbeLog(sb).started.sort();
  resetProbeLog(sb);
  return { ran, stderr: res.stderr, reasons: [...new Set(json.jobs.flatMap((j) => j.reasons))].sort() };
}

async function explainText(sb: Sandbox, env = baseEnv()): Promise<string> {
  const res = await runRunner(['explain', 'calc/ops.py'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(0);
  return res.stdout;
}

test('issue 10: a directory input re-runs the tool when a file below it changes, appears or goes, and explain names that file', async () => {
  const sb = useFixture('python-demo');
  writeText(sb, 'conf/a.cfg', 'a = 1\n');
  writeText(sb, 'conf/sub/b.cfg', 'b = 1\n');
  probeOnly(sb, { inputs: ['conf'] });
  expect((await ranFiles(sb)).ran).toEqual(PY_FILES);
  expect((await ranFiles(sb)).ran).toEqual([]);

  writeText(sb, 'conf/sub/b.cfg', 'b = 2\n');
  expect(await explainText(sb)).toContain('tool input conf/sub/b.cfg changed');
  expect((await ranFiles(sb)).ran).toEqual(PY_FILES);
  expect((await ranFiles(sb)).ran).toEqual([]);

  writeText(sb, 'conf/sub/deeper/c.cfg', 'c = 1\n');
  expect(await explainText(sb)).toContain('tool input conf/sub/deeper/c.cfg is new');
  expect((await ranFiles(sb)).ran).toEqual(PY_FILES);

  fs.rmSync(path.join(sb.tree, 'conf/a.cfg'));
  expect(await explainText(sb)).toContain('tool input conf/a.cfg is gone');
  expect((await ranFiles(sb)).ran).toEqual(PY_FILES);
  expect((await ranFiles(sb)).ran).toEqual([]);
});

test('issue 10: a glob input (**/conftest.py) is matched at each run: a new matching file re-runs the tool, an edit to one too', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb, { inputs: ['**/conftest.py', 'setup.cfg'] });
  const first = await ranFiles(sb);
  expect(first.ran).toEqual(PY_FILES);
  expect(first.stderr).toContain('runner: warning: tools[0].inputs (tool "probe"): **/conftest.py matches no file');
  expect((await ranFiles(sb)).ran).toEqual([]);

  // conftest.py is a tracked .py file too: it gets its own (new) job besides re-running every other.
  writeText(sb, 'tests/conftest.py', 'import calc\n');
  expect(await explainText(sb)).toContain('tool input tests/conftest.py is new');
  const added = await ranFiles(sb);
  expect(added.ran).toEqual([...PY_FILES, 'tests/conftest.py'].sort());
  expect(added.reasons).toEqual(['never-run', 'tool-input']); // explain has seen it: not new, never run
  expect(added.stderr).not.toContain('matches no file');
  expect((await ranFiles(sb)).ran).toEqual([]);

  writeText(sb, 'tests/unit/deep/conftest.py', 'X = 1\n');
  expect((await ranFiles(sb)).ran).toEqual([...PY_FILES, 'tests/conftest.py', 'tests/unit/deep/conftest.py'].sort());

  writeText(sb, 'tests/conftest.py', 'import calc.ops\n');
  expect(await explainText(sb)).toContain('tool input tests/conftest.py changed');
  expect((await ranFiles(sb)).ran).toEqual([...PY_FILES, 'tests/conftest.py', 'tests/unit/deep/conftest.py'].sort());
  expect((await ranFiles(sb)).ran).toEqual([]);
});

test('issue 10: a missing input is a warning naming the tool and the entry, and creating it re-runs the tool', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb, { inputs: ['setup.cfg', 'tox.ini'] });
  const first = await ranFiles(sb);
  expect(first.ran).toEqual(PY_FILES);
  expect(first.stderr).toContain(
    'runner: warning: tools[0].inputs (tool "probe"): tox.ini is missing; ' +
      "latched as missing, so creating it re-runs the tool's jobs\n",
  );
  expect((await ranFiles(sb)).ran).toEqual([]);

  writeText(sb, 'tox.ini', '[tox]\n');
  expect(await explainText(sb)).toContain('tool input tox.ini changed (missing -> ');
  const created = await ranFiles(sb);
  expect(created.ran).toEqual(PY_FILES);
  expect(created.reasons).toEqual(['tool-input']);
  expect(created.stderr).not.toContain('warning');
});

test('issue 10: a per-user input under ~/ follows the file, not HOME', async () => {
  const sb = useFixture('python-demo');
  const homeA = path.join(sb.scratch, 'home-a');
  const homeB = path.join(sb.scratch, 'home-b');
  for (const home of [homeA, homeB]) {
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(home, '.pylintrc'), '[MASTER]\n');
  }
  probeOnly(sb, { inputs: ['~/.pylintrc'] });
  expect((await ranFiles(sb, baseEnv({ HOME: homeA }))).ran).toEqual(PY_FILES);
  // Another HOME holding the same file: nothing that changes a result changed.
  expect((await ranFiles(sb, baseEnv({ HOME: homeB }))).ran).toEqual([]);

  fs.writeFileSync(path.join(homeB, '.pylintrc'), '[MASTER]\njobs = 2\n');
  expect(await explainText(sb, baseEnv({ HOME: homeB }))).toContain('tool input ~/.pylintrc changed');
  const edited = await ranFiles(sb, baseEnv({ HOME: homeB }));
  expect(edited.ran).toEqual(PY_FILES);
  expect(edited.reasons).toEqual(['tool-input']);
});

test('issue 10: an input over 2 GiB is digested (streamed, then reused by stat) and a change in it re-runs the tool', async () => {
  const sb = useFixture('python-demo');
  const big = path.join(sb.tree, 'data', 'big.bin');
  fs.mkdirSync(path.dirname(big));
  // Sparse: a hole of 2 GiB + 1 MiB costs no disk.
  fs.writeFileSync(big, '');
  fs.truncateSync(big, 2 ** 31 + 2 ** 20);
  probeOnly(sb, { inputs: ['data/big.bin'] });
  // Past the racy margin, so the first digest is reused rather than read again.
  await new Promise((resolve) => setTimeout(resolve, 2100));
  expect((await ranFiles(sb)).ran).toEqual(PY_FILES);
  expect((await ranFiles(sb)).ran).toEqual([]);

  const fd = fs.openSync(big, 'r+');
  fs.writeSync(fd, Buffer.from('x'), 0, 1, 2 ** 31 + 10);
  fs.closeSync(fd);
  await new Promise((resolve) => setTimeout(resolve, 2100)); // past the racy margin again: one more read, not two
  const explained = await runJson<ExplainJson>(['explain', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
  expect(explained.json.tools[0]!.reasons).toEqual([
    expect.objectContaining({ kind: 'tool-input', path: 'data/big.bin' }),
  ]);
  const changed = await ranFiles(sb);
  expect(changed.ran).toEqual(PY_FILES);
  expect(changed.reasons).toEqual(['tool-input']);
}, 240_000);

test('issue 10: a directory input that the config excludes (a package in node_modules) is still walked: an edit in it re-runs the tool', async () => {
  const sb = useFixture('python-demo');
  writeText(sb, 'node_modules/cfgpkg/index.js', 'module.exports = 1;\n');
  writeText(sb, 'node_modules/cfgpkg/node_modules/dep/index.js', 'module.exports = 1;\n');
  probeOnly(sb, { inputs: ['node_modules/cfgpkg'] }, { exclude: ['**/__pycache__/**', '**/node_modules/**'] });
  const first = await ranFiles(sb);
  expect(first.ran).toEqual(PY_FILES);
  expect((await ranFiles(sb)).ran).toEqual([]);
  writeText(sb, 'node_modules/cfgpkg/index.js', 'module.exports = 2;\n');
  expect(await explainText(sb)).toContain('tool input node_modules/cfgpkg/index.js changed');
  expect((await ranFiles(sb)).ran).toEqual(PY_FILES);
  // The exclude still holds below the named directory: its own node_modules is not walked.
  writeText(sb, 'node_modules/cfgpkg/node_modules/dep/index.js', 'module.exports = 2;\n');
  expect((await ranFiles(sb)).ran).toEqual([]);
});
