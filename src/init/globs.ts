// The file names `runner init` takes for tests, as the test runners themselves
// find them, so the starter's test tools take what the runner would run.
import { compileGlobs } from '../scan/index.js';

/** pytest's default python_files ("test_*.py *_test.py"). */
export const PYTHON_TEST_GLOBS = ['**/test_*.py', '**/*_test.py'];

/**
 * `node --test`'s default patterns (Node's test runner docs, "Running tests
 * from the command line"), with the .ts forms when node runs TypeScript.
 */
export function jsTestGlobs(withTypeScript: boolean): string[] {
  const ext = withTypeScript ? '{js,cjs,mjs,ts,cts,mts}' : '{js,cjs,mjs}';
  return [
    `**/*.test.${ext}`,
    `**/*-test.${ext}`,
    `**/*_test.${ext}`,
    `**/test-*.${ext}`,
    `**/test.${ext}`,
    `**/test/**/*.${ext}`,
  ];
}

export { compileGlobs };
