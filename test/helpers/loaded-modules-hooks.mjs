// The load hook of loaded-modules.mjs (it runs in the loader's own thread):
// appends each module's URL as it loads.
import fs from 'node:fs';

export async function load(url, context, nextLoad) {
  if (!url.startsWith('node:')) fs.appendFileSync(process.env.RUNNER_TEST_LOADED, `${url}\n`);
  return nextLoad(url, context);
}
