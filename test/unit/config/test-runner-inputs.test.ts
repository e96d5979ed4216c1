import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { testRunnerInputs } from '../../../src/config/test-runner-inputs.js';

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-test-runner-inputs-'));
  onTestFinished(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

test('a command that runs no test runner implies nothing', () => {
  const root = tree({ 'vitest.config.ts': "export default { test: { setupFiles: ['./setup.ts'] } };", 'setup.ts': '' });
  expect(testRunnerInputs(['node', '--test', '{file}'], root)).toEqual([]);
  expect(testRunnerInputs('eslint {file}', root)).toEqual([]);
});

test("vitest takes vitest.config before vite.config, and the tree's files its setup keys name (not an alias's)", () => {
  const root = tree({
    'vite.config.ts': "export default { test: { setupFiles: ['./other.ts'] } };",
    'vitest.config.mts':
      "export default { resolve: { alias: { pkg: './other.ts' } }, test: { setupFiles: ['./test/setup.ts', `./test/more.js`, './missing.ts', './test/*.ts'] } };",
    'test/setup.ts': '',
    'test/more.js': '',
    'other.ts': '',
  });
  expect(testRunnerInputs(['npx', 'vitest', 'run', '{files}'], root)).toEqual([
    'vitest.config.mts',
    'test/setup.ts',
    'test/more.js',
  ]);
  expect(testRunnerInputs('node_modules/.bin/vitest run {files}', root)).toContain('vitest.config.mts');
});

test('jest: --config=, <rootDir>/, nothing in node_modules, no config at all', () => {
  const root = tree({
    'cfg/jest.config.cjs':
      "module.exports = { setupFiles: ['<rootDir>/jest.setup.js', '../node_modules/x/setup.js'] };",
    'jest.setup.js': '',
    'node_modules/x/setup.js': '',
  });
  expect(testRunnerInputs(['jest', '--config=cfg/jest.config.cjs', '{file}'], root)).toEqual([
    'cfg/jest.config.cjs',
    'jest.setup.js',
  ]);
  expect(testRunnerInputs(['jest', '{file}'], root)).toEqual([]);
});

test("jest: <rootDir>/ is the config's directory unless rootDir says otherwise", () => {
  const root = tree({
    'cfg/jest.config.js': "module.exports = { setupFiles: ['<rootDir>/setup.js'] };",
    'cfg/setup.js': '',
    'other/jest.config.js': "module.exports = { rootDir: '../app', setupFilesAfterEnv: ['<rootDir>/after.js'] };",
    'app/after.js': '',
  });
  expect(testRunnerInputs(['jest', '-c', 'cfg/jest.config.js'], root)).toEqual(['cfg/jest.config.js', 'cfg/setup.js']);
  expect(testRunnerInputs(['jest', '-c', 'other/jest.config.js'], root)).toEqual([
    'other/jest.config.js',
    'app/after.js',
  ]);
});

test("vitest: a workspace's projects' configs and their setup files, by directory, file or glob", () => {
  const root = tree({
    'vitest.config.ts':
      "export default { test: { projects: ['packages/*', 'tools/vitest.tools.config.ts', { test: { name: 'inline', setupFiles: ['./inline-setup.ts'] } }, '!packages/skip'] } };",
    'inline-setup.ts': '',
    'packages/a/vitest.config.ts': "export default { test: { setupFiles: ['./setup-a.ts'] } };",
    'packages/a/setup-a.ts': '',
    'packages/b/vite.config.mts': "export default { test: { setupFiles: './test/setup-b.ts' } };",
    'packages/b/test/setup-b.ts': '',
    'packages/c/readme.md': '',
    'packages/a/node_modules/x/vitest.config.ts': '',
    'tools/vitest.tools.config.ts': "export default { test: { globalSetup: ['./global.ts'] } };",
    'tools/global.ts': '',
  });
  expect(new Set(testRunnerInputs(['vitest', 'run', '{files}'], root))).toEqual(
    new Set([
      'vitest.config.ts',
      'inline-setup.ts',
      'packages/a/vitest.config.ts',
      'packages/a/setup-a.ts',
      'packages/b/vite.config.mts',
      'packages/b/test/setup-b.ts',
      'tools/vitest.tools.config.ts',
      'tools/global.ts',
    ]),
  );
  const ws = tree({
    'vitest.workspace.ts': "export default ['apps/*/vitest.config.ts'];",
    'apps/web/vitest.config.ts': "export default { test: { setupFiles: ['./setup.ts'] } };",
    'apps/web/setup.ts': '',
  });
  expect(testRunnerInputs(['vitest', '{file}'], ws)).toEqual([
    'vitest.workspace.ts',
    'apps/web/vitest.config.ts',
    'apps/web/setup.ts',
  ]);
});
