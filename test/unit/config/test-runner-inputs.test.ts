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
