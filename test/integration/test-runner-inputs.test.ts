// A tool whose command runs vitest or jest depends on the runner's config and
// on the setup files it names, which run before every test although no test
// imports them (as pytest's conftest.py), and on what those files import.
// Before, editing a setup file, or a helper it imports, re-ran no test. Each
// test counts, with the probe, which jobs really ran.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runRunner, show } from '../helpers/cli.js';
import { PROBE_SCRIPT, probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { REPO, type Sandbox, readConfig, readText, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

async function ran(sb: Sandbox): Promise<string[]> {
  resetProbeLog(sb);
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return readProbeLog(sb).started.sort();
}

const TESTS = ['test/api.test.ts', 'test/other.test.ts'];

/** js-deps with a second test, the probe on test/*.test.ts, run as if by `runner` (the words after the probe's file). */
function layout(runnerWords: string[]): Sandbox {
  const sb = useFixture('js-deps');
  writeText(sb, 'test/other.test.ts', 'export const other = 1;\n');
  writeText(sb, 'test/setup.ts', "import { helper } from './helpers';\nhelper();\n");
  writeText(sb, 'test/helpers.ts', 'export function helper(): void {}\n');
  writeText(sb, 'notes.ts', 'export const notes = 1;\n');
  probeOnly(sb, { deps: 'javascript', include: ['test/**/*.test.ts'] });
  const config = readConfig(sb);
  config.tools[0]!.command = ['node', PROBE_SCRIPT, '{file}', ...runnerWords];
  writeConfig(sb, config);
  return sb;
}

describe("a test runner's config and setup files are inputs of its tool", () => {
  test('vitest: editing vitest.config.ts or a setup file it names re-runs every test; other files do not', async () => {
    const sb = layout(['vitest', 'run']);
    writeText(
      sb,
      'vitest.config.ts',
      "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { setupFiles: ['./test/setup.ts'] } });\n",
    );
    expect(await ran(sb)).toEqual(TESTS);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'test/setup.ts', "import { helper } from './helpers';\nhelper();\nhelper();\n");
    expect(await ran(sb)).toEqual(TESTS);
    writeText(sb, 'notes.ts', 'export const notes = 2;\n');
    expect(await ran(sb)).toEqual([]);
    writeText(
      sb,
      'vitest.config.ts',
      "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { setupFiles: ['./test/setup.ts'], environment: 'node' } });\n",
    );
    const explained = await runRunner(['explain', 'test/other.test.ts'], { cwd: sb.tree, env: baseEnv() });
    expect(explained.stdout).toContain('vitest.config.ts');
    expect(await ran(sb)).toEqual(TESTS);
  });

  test('jest: --config names the config; "<rootDir>/" setup files count; a config created later re-runs every test', async () => {
    const sb = layout(['jest', '--config', 'config/jest.config.js']);
    expect(await ran(sb)).toEqual(TESTS);
    writeText(sb, 'config/jest.config.js', "module.exports = { setupFiles: ['<rootDir>/test/setup.ts'] };\n");
    expect(await ran(sb)).toEqual(TESTS);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'test/setup.ts', 'export {};\n');
    expect(await ran(sb)).toEqual(TESTS);
  });

  test('vitest: what the setup file and the config import re-runs every test, a package by its version', async () => {
    const sb = layout(['vitest', 'run']);
    writeText(sb, 'vitest.shared.ts', 'export const shared = { environment: "node" };\n');
    writeText(
      sb,
      'vitest.config.ts',
      "import { shared } from './vitest.shared';\nexport default { test: { ...shared, setupFiles: ['./test/setup.ts'] } };\n",
    );
    writeText(
      sb,
      'node_modules/fake-dom/package.json',
      '{ "name": "fake-dom", "version": "1.0.0", "main": "index.js" }\n',
    );
    writeText(sb, 'node_modules/fake-dom/index.js', 'module.exports = {};\n');
    writeText(
      sb,
      'test/setup.ts',
      "import 'fake-dom';\nimport { helper } from './helpers';\nimport './extra';\nhelper();\n",
    );
    expect(await ran(sb)).toEqual(TESTS);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'test/helpers.ts', 'export function helper(): number {\n  return 2;\n}\n');
    const explained = await runRunner(['explain', 'test/other.test.ts'], { cwd: sb.tree, env: baseEnv() });
    expect(explained.stdout).toContain('test/helpers.ts');
    expect(await ran(sb)).toEqual(TESTS);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'vitest.shared.ts', 'export const shared = { environment: "jsdom" };\n');
    expect(await ran(sb)).toEqual(TESTS);
    writeText(
      sb,
      'node_modules/fake-dom/package.json',
      '{ "name": "fake-dom", "version": "1.0.1", "main": "index.js" }\n',
    );
    expect(await ran(sb)).toEqual(TESTS);
    // './extra' resolved nowhere; the file that appears is what the setup file loads now.
    writeText(sb, 'test/extra.ts', 'export {};\n');
    expect(await ran(sb)).toEqual(TESTS);
    writeText(sb, 'test/extra.ts', 'export const later = 1;\n');
    expect(await ran(sb)).toEqual(TESTS);
    writeText(sb, 'notes.ts', 'export const notes = 2;\n');
    expect(await ran(sb)).toEqual([]);
  });

  test('jest: the config in package.json\'s "jest" key, and the setup files it names, are inputs', async () => {
    const sb = layout(['jest']);
    const pkg = (setup: string): string =>
      JSON.stringify({ name: 'app', private: true, jest: { setupFilesAfterEnv: [setup] } }, null, 2) + '\n';
    writeText(sb, 'package.json', pkg('<rootDir>/test/setup.ts'));
    expect(await ran(sb)).toEqual(TESTS);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'test/helpers.ts', 'export function helper(): void {\n  return;\n}\n');
    expect(await ran(sb)).toEqual(TESTS);
    writeText(sb, 'test/setup2.ts', 'export {};\n');
    writeText(sb, 'package.json', pkg('<rootDir>/test/setup2.ts'));
    expect(await ran(sb)).toEqual(TESTS);
    writeText(sb, 'test/setup2.ts', 'export const x = 1;\n');
    expect(await ran(sb)).toEqual(TESTS);
  });

  test("vitest: a workspace project's own config and setup file are inputs", async () => {
    const sb = layout(['vitest', 'run']);
    writeText(sb, 'vitest.config.ts', "export default { test: { projects: ['packages/*'] } };\n");
    writeText(sb, 'packages/a/vitest.config.ts', "export default { test: { setupFiles: ['./setup.ts'] } };\n");
    writeText(sb, 'packages/a/setup.ts', 'export {};\n');
    expect(await ran(sb)).toEqual(TESTS);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'packages/a/setup.ts', 'export const changed = 1;\n');
    expect(await ran(sb)).toEqual(TESTS);
  });
});

describe("a test's snapshot file is one of its dependencies", () => {
  const SNAP = 'test/__snapshots__/api.test.ts.snap';

  test.each(['none', 'javascript'] as const)(
    'deps %s: creating, editing or deleting __snapshots__/<test>.snap re-runs that test alone, and explain names it',
    async (deps) => {
      const sb = layout(['vitest', 'run']);
      const config = readConfig(sb);
      config.tools[0]!.deps = deps;
      writeConfig(sb, config);
      expect(await ran(sb)).toEqual(TESTS);
      expect(await ran(sb)).toEqual([]);
      writeText(sb, SNAP, '// Vitest Snapshot v1\n\nexports[`a 1`] = `"A!"`;\n');
      const explained = await runRunner(['explain', 'test/api.test.ts'], { cwd: sb.tree, env: baseEnv() });
      expect(explained.stdout).toContain(SNAP);
      expect(await ran(sb)).toEqual(['test/api.test.ts']);
      expect(await ran(sb)).toEqual([]);
      writeText(sb, SNAP, '// Vitest Snapshot v1\n\nexports[`a 1`] = `"B!"`;\n');
      expect(await ran(sb)).toEqual(['test/api.test.ts']);
      if (deps === 'javascript') {
        // An import's change is still told apart from the snapshot's.
        writeText(sb, 'src/util.ts', fs.readFileSync(path.join(sb.tree, 'src/util.ts'), 'utf8') + '\n// edited\n');
        const why = await runRunner(['explain', 'test/api.test.ts'], { cwd: sb.tree, env: baseEnv() });
        expect(why.stdout).toContain('src/util.ts');
        expect(why.stdout).not.toContain(SNAP);
        expect(await ran(sb)).toEqual(['test/api.test.ts']);
      }
      // Without it, deps none is back to the first run's inputs (that result holds); the graph moved since.
      fs.rmSync(path.join(sb.tree, SNAP));
      expect(await ran(sb)).toEqual(deps === 'none' ? [] : ['test/api.test.ts']);
      writeText(sb, SNAP, '// Vitest Snapshot v1\n\nexports[`a 1`] = `"C!"`;\n');
      expect(await ran(sb)).toEqual(['test/api.test.ts']);
      // Gone again: the inputs of the run before, whose result holds.
      fs.rmSync(path.join(sb.tree, SNAP));
      expect(await ran(sb)).toEqual([]);
    },
  );

  test('a config that moves snapshots (snapshotResolver) re-runs every test each time, and explain says why', async () => {
    const sb = layout(['jest', '--config', 'jest.config.js']);
    writeText(sb, 'jest.config.js', "module.exports = { snapshotResolver: './snapshot-resolver.js' };\n");
    expect(await ran(sb)).toEqual(TESTS);
    expect(await ran(sb)).toEqual(TESTS);
    const explained = await runRunner(['explain', 'test/api.test.ts'], { cwd: sb.tree, env: baseEnv() });
    expect(explained.stdout).toContain('<snapshot paths runner does not follow: snapshotResolver>');
  });

  test('with the real vitest: a snapshot edited elsewhere re-runs the test, which then fails', async () => {
    const sb = useFixture('js-deps');
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(sb.tree, 'node_modules'));
    // Its cache in the sandbox: node_modules is the project's own.
    writeText(
      sb,
      'vitest.config.mjs',
      'export default { cacheDir: ".vite-cache", test: { include: ["test/**/*.snap.test.mjs"] } };\n',
    );
    writeText(
      sb,
      'test/shout.snap.test.mjs',
      "import { expect, test } from 'vitest';\ntest('shout', () => {\n  expect('a'.toUpperCase()).toMatchSnapshot();\n});\n",
    );
    const config = readConfig(sb);
    config.include = ['**/*.mjs'];
    config.tools = [
      {
        name: 'vitest',
        // Each start of vitest leaves a line in vitest-runs.log: what really ran is counted there.
        command: ['sh', '-c', 'echo "$1" >> vitest-runs.log; exec "$0" run "$1"', 'node_modules/.bin/vitest', '{file}'],
        include: ['test/**/*.snap.test.mjs'],
      },
    ];
    writeConfig(sb, config);
    const run = () => runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    const starts = (): number =>
      readText(sb, 'vitest-runs.log')
        .split('\n')
        .filter((l) => l !== '').length;
    const first = await run();
    expect(first.code, show(first)).toBe(0);
    expect(starts()).toBe(1);
    const snap = 'test/__snapshots__/shout.snap.test.mjs.snap';
    // vitest wrote the snapshot in that run: the next run checks the test against it once.
    expect(readText(sb, snap)).toContain('"A"');
    expect((await run()).code).toBe(0);
    expect(starts()).toBe(2);
    const settled = await run();
    expect(settled.stdout).toContain('0 ran');
    expect(starts()).toBe(2);
    writeText(sb, snap, readText(sb, snap).replace('"A"', '"B"'));
    const after = await run();
    expect(after.code, show(after)).toBe(1);
    expect(after.stdout).toContain('1 failed');
    expect(starts()).toBe(3);
  });
});
