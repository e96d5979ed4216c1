// "deps": "javascript": imports, export-from, require() and import() in .ts,
// .js and .cjs files, resolved as Node and TypeScript do (.js naming .ts,
// index files, tsconfig paths), through a type-only import cycle.
import { describe, expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, runRunner, show } from '../helpers/cli.js';
import { type Sandbox, appendText, useFixture, writeText } from '../helpers/sandbox.js';

async function firstRun(sb: Sandbox): Promise<void> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.counts).toMatchObject({ jobs: 10, ran: 10, passed: 10 });
}

async function ran(sb: Sandbox): Promise<string[]> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return jobKeys(json.jobs).sort();
}

describe('javascript dependencies', () => {
  test('a change reaches every file that imports it, through paths aliases, .js specifiers and export-from', async () => {
    const sb = useFixture('js-deps');
    await firstRun(sb);
    expect(await ran(sb)).toEqual([]);
    appendText(sb, 'lib/strings.ts', '// changed\n');
    expect(await ran(sb)).toEqual([
      'check lib/strings.ts',
      'check src/api.ts',
      'check src/index.ts',
      'check src/util.ts',
      'check test/api.test.ts',
    ]);
  });

  test('explain names the whole import chain', async () => {
    const sb = useFixture('js-deps');
    await firstRun(sb);
    appendText(sb, 'lib/strings.ts', '// changed\n');
    const res = await runRunner(['explain', 'test/api.test.ts'], { cwd: sb.tree, env: baseEnv() });
    expect(res.stdout).toContain(
      'dependency test/api.test.ts -> src/index.ts -> src/api.ts -> src/util.ts -> lib/strings.ts changed',
    );
  });

  test('require() and a created import() target re-run their importers', async () => {
    const sb = useFixture('js-deps');
    await firstRun(sb);
    appendText(sb, 'src/helpers.cjs', '// changed\n');
    expect(await ran(sb)).toEqual(['check src/helpers.cjs', 'check src/legacy.cjs']);
    writeText(sb, 'src/plugin.js', 'export const p = 1;\n');
    expect(await ran(sb)).toEqual(['check src/lazy.js', 'check src/plugin.js']);
  });

  test('a type-only import cycle is followed both ways', async () => {
    const sb = useFixture('js-deps');
    await firstRun(sb);
    appendText(sb, 'src/cycle-b.ts', '// changed\n');
    expect(await ran(sb)).toEqual([
      'check src/cycle-a.ts',
      'check src/cycle-b.ts',
      'check src/index.ts',
      'check test/api.test.ts',
    ]);
  });

  test('a .tsx file with JSX is read like any other: its importers run only when something it imports changes', async () => {
    const sb = useFixture('js-deps');
    writeText(
      sb,
      'src/view.tsx',
      "import { up } from '../lib/strings';\n\nexport const View = () => <b>{up('x')}</b>;\n",
    );
    writeText(sb, 'src/page.ts', "import { View } from './view';\n\nexport const page = View;\n");
    const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.res.code, show(first.res)).toBe(0);
    expect(await ran(sb)).toEqual([]);
    appendText(sb, 'lib/strings.ts', '// changed\n');
    expect(await ran(sb)).toEqual([
      'check lib/strings.ts',
      'check src/api.ts',
      'check src/index.ts',
      'check src/page.ts',
      'check src/util.ts',
      'check src/view.tsx',
      'check test/api.test.ts',
    ]);
    appendText(sb, 'lib/strings.ts', '// again\n');
    const res = await runRunner(['explain', 'src/page.ts'], { cwd: sb.tree, env: baseEnv() });
    expect(res.stdout).toContain('dependency src/page.ts -> src/view.tsx -> lib/strings.ts changed');
  });

  test('a file whose imports cannot be read (a syntax error) keeps its importers running every time', async () => {
    const sb = useFixture('js-deps');
    writeText(
      sb,
      'src/broken.tsx',
      "import { up } from '../lib/strings';\n\nexport const View = () => <b>{up('x')</b>;\n",
    );
    writeText(sb, 'src/page.ts', "import { View } from './broken';\n\nexport const page = View;\n");
    const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.res.code, show(first.res)).toBe(0);
    // Not silently fresh: the unknown imports count as a dependency that changes every run.
    expect(await ran(sb)).toEqual(['check src/broken.tsx', 'check src/page.ts']);
    const res = await runRunner(['explain', 'src/page.ts'], { cwd: sb.tree, env: baseEnv() });
    expect(res.stdout).toContain('could not be read');
    // Fixed in place: read again, and from then on fresh.
    writeText(
      sb,
      'src/broken.tsx',
      "import { up } from '../lib/strings';\n\nexport const View = () => <b>{up('x')}</b>;\n",
    );
    expect(await ran(sb)).toEqual(['check src/broken.tsx', 'check src/page.ts']);
    expect(await ran(sb)).toEqual([]);
  });
});
