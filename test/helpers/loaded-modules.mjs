// Preloaded with `node --import` by test/helpers/loaded-modules.ts: lists every
// module the process loads into the file named by RUNNER_TEST_LOADED, one a
// line. ES modules (and the first file of a CommonJS package imported from
// one) through a load hook; CommonJS files from require's cache at exit, which
// also holds what createRequire loaded (@babel/parser, node-pty).
import fs from 'node:fs';
import { createRequire, register } from 'node:module';

const list = process.env.RUNNER_TEST_LOADED;
if (list !== undefined) {
  register('./loaded-modules-hooks.mjs', import.meta.url);
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => fs.appendFileSync(list, Object.keys(cache).join('\n') + '\n'));
}
