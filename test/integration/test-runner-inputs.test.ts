// A tool whose command runs vitest or jest depends on the runner's config and
// on the setup files it names, which run before every test although no test
// imports them (as pytest's conftest.py), and on what those files import.
// Before, editing a setup file, or a helper it imports, re-ran no test. Each
// test counts, with the probe, which jobs really ran.
import { describe, expect, test } from 'vitest';
import { baseEnv, runRunner, show } from '../helpers/cli.js';
import { PROBE_SCRIPT, probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

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
