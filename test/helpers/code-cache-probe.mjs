// Preloaded with `node --import` by test/integration/code-cache.test.ts: writes
// into the file named by RUNNER_TEST_CODE_CACHE, at exit, whether bin/runner
// gave V8 a code cache for each script it compiled and whether V8 rejected it.
import fs from 'node:fs';
import vm from 'node:vm';

const file = process.env.RUNNER_TEST_CODE_CACHE;
if (file !== undefined) {
  const Script = vm.Script;
  vm.Script = class extends Script {
    constructor(code, options) {
      super(code, options);
      const seen = { filename: options?.filename, given: options?.cachedData !== undefined };
      process.on('exit', () =>
        fs.appendFileSync(file, JSON.stringify({ ...seen, rejected: this.cachedDataRejected === true }) + '\n'),
      );
    }
  };
}
