// The JavaScript fixture: node --check and node --test as tools.
import { expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, show } from '../helpers/cli.js';
import { readText, useFixture, writeText } from '../helpers/sandbox.js';

const JS_FILES = ['src/format.js', 'src/index.js', 'src/math.js', 'test/format.test.mjs', 'test/math.test.mjs'];
const JS_JOBS = [...JS_FILES.map((f) => `syntax ${f}`), 'test test/format.test.mjs', 'test test/math.test.mjs'].sort();

test('the first run runs every job of the JS fixture and all pass', async () => {
  const sb = useFixture('js-demo');
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.scan.tracked).toBe(5);
  expect(jobKeys(json.jobs)).toEqual(JS_JOBS);
  for (const job of json.jobs) expect(job.status, `${job.tool} ${job.file}`).toBe('passed');

  const again = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(again.res.code, show(again.res)).toBe(0);
  expect(again.json.counts.ran).toBe(0);
});

test('a JS file with a syntax error fails its syntax job', async () => {
  const sb = useFixture('js-demo');
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(0);
  writeText(sb, 'src/broken.js', 'export function broken( {\n  return 1;\n}\n');

  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(jobKeys(json.jobs)).toEqual(['syntax src/broken.js']);
  expect(json.jobs[0]).toMatchObject({ status: 'failed', exitCode: 1 });
});

test('a failing node:test assertion fails its test job', async () => {
  const sb = useFixture('js-demo');
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(0);
  writeText(
    sb,
    'test/math.test.mjs',
    readText(sb, 'test/math.test.mjs').replace('sum([1, 2, 3]), 6', 'sum([1, 2, 3]), 7'),
  );

  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  const byKey = new Map(json.jobs.map((j) => [`${j.tool} ${j.file}`, j]));
  expect([...byKey.keys()].sort()).toEqual(['syntax test/math.test.mjs', 'test test/math.test.mjs']);
  expect(byKey.get('test test/math.test.mjs')!.status).toBe('failed');
  expect(byKey.get('syntax test/math.test.mjs')!.status).toBe('passed');
});
