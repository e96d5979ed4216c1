// "deps": "javascript" is never silent about what it cannot see (issue 11,
// point 10): each scan warns once about every non-relative import that
// resolves nowhere, "ignoreUnresolved" silences known ones, and explain says
// a job depends on such an import staying unresolved. Each test works on a
// temp copy of fixtures/js-deps and counts, with the probe, what really ran.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, appendText, useFixture, waitFor, writeText } from '../helpers/sandbox.js';

const JS = ['**/*.ts', '**/*.js', '**/*.cjs'];

/** js-deps with the probe as its only tool, on every javascript file, and `top` config keys. */
function tree(top: Record<string, unknown> = {}): Sandbox {
  const sb = useFixture('js-deps');
  probeOnly(sb, { deps: 'javascript', include: JS }, top);
  return sb;
}

function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

/** The lines of stderr, without colour. */
function lines(text: string): string[] {
  return plain(text)
    .split('\n')
    .filter((l) => l !== '');
}

const CLOSING =
  'runner: warning: runner sees no code behind these imports, so a change there re-runs no job (a job runs again once its import resolves); list known ones in "ignoreUnresolved" to silence this';

/** Imports of every kind that resolve nowhere, and some that never warn. */
const EXTRA = [
  "import pad from 'left-pad';",
  "import { lib } from '@ws/lib';",
  "import y from '@/components/y';",
  "import '#imports';",
  "import pwa from 'virtual:pwa';",
  "import fs from 'fs';",
  "import { join } from 'node:path';",
  "import one from 'data:text/javascript,export default 1';",
  "import gone from './missing.js';",
  '',
].join('\n');

interface UnresolvedJson {
  specifier: string;
  kind: string;
  first: string;
  files: number;
}
type RunWithDeps = {
  counts: { ran: number };
  deps: { javascript: { resolved: number; unresolved: UnresolvedJson[] } };
};

describe('issue 11: imports that resolve nowhere are never silent', () => {
  test('issue 11: a run warns once about each non-relative import that resolves nowhere, in text and --json, and again on a no-op', async () => {
    const sb = tree();
    writeText(sb, 'src/extra.ts', EXTRA);
    appendText(sb, 'src/util.ts', "import pad from 'left-pad';\n");
    const expected = [
      'runner: warning: import "#imports" in src/extra.ts resolves nowhere: no package.json "imports" or tsconfig.json "paths" entry provides it',
      'runner: warning: import "@/components/y" in src/extra.ts resolves nowhere: no tsconfig.json "paths" entry provides it',
      'runner: warning: import "@ws/lib" in src/extra.ts resolves nowhere: no node_modules provides it',
      'runner: warning: import "left-pad" in src/extra.ts and 1 more file resolves nowhere: no node_modules provides it',
      'runner: warning: import "virtual:pwa" in src/extra.ts resolves nowhere: runner does not resolve "virtual:" imports',
      CLOSING,
    ];
    // Directories changed within 100 ms of being read cannot prove the kept graph (deps/consulted.ts): a run
    // that starts that soon after the edits resolves again at the next run, which is not what this test asks.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const first = await runJson<RunWithDeps>(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.res.code, show(first.res)).toBe(0);
    expect(lines(first.res.stderr)).toEqual(expected);
    expect(first.json.deps.javascript.unresolved).toEqual([
      { specifier: '#imports', kind: 'subpath', first: 'src/extra.ts', files: 1 },
      { specifier: '@/components/y', kind: 'alias', first: 'src/extra.ts', files: 1 },
      { specifier: '@ws/lib', kind: 'package', first: 'src/extra.ts', files: 1 },
      { specifier: 'left-pad', kind: 'package', first: 'src/extra.ts', files: 2 },
      { specifier: 'virtual:pwa', kind: 'scheme', first: 'src/extra.ts', files: 1 },
    ]);
    // A no-op reuses the kept graph (nothing resolved again) and still says it, once.
    const noop = await runJson<RunWithDeps>(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(noop.json.counts.ran, show(noop.res)).toBe(0);
    expect(noop.json.deps.javascript.resolved).toBe(0);
    expect(lines(noop.res.stderr)).toEqual(expected);
    const text = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(text.code, show(text)).toBe(0);
    expect(lines(text.stderr)).toEqual(expected);
    expect(plain(text.stdout)).toMatch(
      /^runner: 11 jobs: 0 ran \(0 passed, 0 failed\), 0 cached failures, 11 fresh in \d+\.\d\ds\n$/,
    );
  });

  test('issue 11: a file no job depends on does not warn', async () => {
    const sb = useFixture('js-deps');
    probeOnly(sb, { deps: 'javascript', include: ['test/**/*.ts'] });
    writeText(sb, 'scripts/release.ts', "import semver from 'semver';\n");
    appendText(sb, 'src/util.ts', "import pad from 'left-pad';\n");
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(lines(res.stderr)).toEqual([
      'runner: warning: import "left-pad" in src/util.ts resolves nowhere: no node_modules provides it',
      CLOSING,
    ]);
  });

  test('issue 11: "ignoreUnresolved" silences the specifiers it matches, in text and --json', async () => {
    const sb = tree({ ignoreUnresolved: ['virtual:*', '#imports', '@ws/*', '@/*'] });
    writeText(sb, 'src/extra.ts', EXTRA);
    const { res, json } = await runJson<RunWithDeps>(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(lines(res.stderr)).toEqual([
      'runner: warning: import "left-pad" in src/extra.ts resolves nowhere: no node_modules provides it',
      CLOSING,
    ]);
    expect(json.deps.javascript.unresolved).toEqual([
      { specifier: 'left-pad', kind: 'package', first: 'src/extra.ts', files: 1 },
    ]);
    // All silenced: nothing on stderr at all.
    const config = JSON.parse(fs.readFileSync(path.join(sb.tree, '.runnerrc.json'), 'utf8')) as Record<string, unknown>;
    config.ignoreUnresolved = ['virtual:*', '#imports', '@ws/*', '@/*', 'left-*'];
    fs.writeFileSync(path.join(sb.tree, '.runnerrc.json'), JSON.stringify(config));
    const quiet = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(quiet.code, show(quiet)).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  test('issue 11: a bad "ignoreUnresolved" stops runner with exit 2 and one line saying what is wrong', async () => {
    for (const [value, message] of [
      [
        'virtual:*',
        'runner: error: .runnerrc.json: ignoreUnresolved is "virtual:*"; expected an array of import specifiers, "*" matching any characters, e.g. ["virtual:*", "#imports"]',
      ],
      [
        ['./gen/x.js'],
        'runner: error: .runnerrc.json: ignoreUnresolved[0] is "./gen/x.js"; expected a package name, alias or other non-relative specifier such as "virtual:*" (an unresolved relative or absolute import never warns)',
      ],
    ] as const) {
      const sb = tree({ ignoreUnresolved: value });
      const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
      expect(res.code, show(res)).toBe(2);
      expect(plain(res.stderr)).toBe(`${message}\n`);
      expect(fs.existsSync(path.join(sb.tree, '.runner')), 'nothing written').toBe(false);
    }
  });

  test('issue 11: past five unresolved specifiers (no npm install yet), one line says how many', async () => {
    const sb = tree();
    const packages = ['react', 'react-dom', 'zod', 'lodash', 'dayjs', 'axios', 'chalk'];
    writeText(sb, 'src/app.ts', packages.map((p) => `import '${p}';`).join('\n') + '\n');
    writeText(sb, 'src/page.ts', "import 'react';\n");
    writeText(sb, 'src/form.ts', "import 'react';\nimport 'zod';\n");
    const { res, json } = await runJson<RunWithDeps>(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(lines(res.stderr)).toEqual([
      'runner: warning: 7 imports resolve nowhere, e.g. "react" in src/app.ts and 2 more files (has `npm install` run?); `runner scan --json` lists them all',
      CLOSING,
    ]);
    // --json lists them all, as the line says.
    expect(json.deps.javascript.unresolved.map((u) => u.specifier)).toEqual([
      'axios',
      'chalk',
      'dayjs',
      'lodash',
      'react',
      'react-dom',
      'zod',
    ]);
    const scan = await runJson<{ deps: RunWithDeps['deps'] }>(['scan'], { cwd: sb.tree, env: baseEnv() });
    expect(scan.json.deps.javascript.unresolved).toEqual(json.deps.javascript.unresolved);
    expect(lines(scan.res.stderr)).toEqual(lines(res.stderr));
  });

  test('issue 11: explain says a fresh or stale job depends on an import resolving nowhere', async () => {
    const sb = tree();
    appendText(sb, 'src/util.ts', "import pad from 'left-pad';\n");
    writeText(sb, 'src/extra.ts', "import gone from './missing.js';\n");
    appendText(sb, 'src/api.ts', "import './extra.js';\n");
    const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.code, show(first)).toBe(0);
    const note = [
      '    note: depends on import ./missing.js resolving nowhere (test/api.test.ts -> src/index.ts -> src/api.ts -> src/extra.ts -> ./missing.js): runs again once it resolves',
      '    note: depends on import left-pad resolving nowhere (test/api.test.ts -> src/index.ts -> src/api.ts -> src/util.ts -> left-pad): runs again once it resolves',
    ];
    const fresh = await runRunner(['explain', 'test/api.test.ts'], { cwd: sb.tree, env: baseEnv() });
    expect(fresh.code, show(fresh)).toBe(0);
    const freshLines = lines(fresh.stdout);
    expect(freshLines[0]).toBe('test/api.test.ts');
    expect(freshLines[1]).toMatch(/^ {2}probe: fresh \(last passed [^)]+\)$/);
    expect(freshLines.slice(2)).toEqual(note);
    appendText(sb, 'lib/strings.ts', '// changed\n');
    const stale = await runRunner(['explain', 'test/api.test.ts'], { cwd: sb.tree, env: baseEnv() });
    expect(lines(stale.stdout)).toEqual([
      'test/api.test.ts',
      '  probe: stale',
      '    - dependency test/api.test.ts -> src/index.ts -> src/api.ts -> src/util.ts -> lib/strings.ts changed',
      ...note,
    ]);
    // The same in --json, each name with its chain.
    const { json } = await runJson<{ tools: { unresolved: { name: string; via: string[] }[] }[] }>(
      ['explain', 'test/api.test.ts'],
      { cwd: sb.tree, env: baseEnv() },
    );
    expect(json.tools[0]!.unresolved).toEqual([
      { name: './missing.js', via: ['test/api.test.ts', 'src/index.ts', 'src/api.ts', 'src/extra.ts', './missing.js'] },
      { name: 'left-pad', via: ['test/api.test.ts', 'src/index.ts', 'src/api.ts', 'src/util.ts', 'left-pad'] },
    ]);
  });

  test('issue 11: creating the missing package re-runs its importers, and the warning goes', async () => {
    const sb = tree();
    appendText(sb, 'src/util.ts', "import pad from 'left-pad';\n");
    const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.code, show(first)).toBe(0);
    expect(lines(first.stderr)[0]).toBe(
      'runner: warning: import "left-pad" in src/util.ts resolves nowhere: no node_modules provides it',
    );
    resetProbeLog(sb);
    writeText(sb, 'node_modules/left-pad/package.json', '{ "name": "left-pad", "main": "index.js" }\n');
    writeText(sb, 'node_modules/left-pad/index.js', 'module.exports = (s) => s;\n');
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(readProbeLog(sb).started.sort()).toEqual(['src/api.ts', 'src/index.ts', 'src/util.ts', 'test/api.test.ts']);
    expect(res.stderr).toBe('');
  });

  test('issue 11: runner watch warns in every cycle, and its --json lines carry them', async () => {
    const sb = tree();
    appendText(sb, 'src/util.ts', "import pad from 'left-pad';\n");
    const w = startRunner(['watch', '--json', '--debounce', '100'], { cwd: sb.tree, env: baseEnv() });
    const warning = 'runner: warning: import "left-pad" in src/util.ts resolves nowhere: no node_modules provides it';
    const cycles = (): { cycle: number; deps: RunWithDeps['deps'] }[] =>
      w
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { cycle: number; deps: RunWithDeps['deps'] });
    const warned = (): number => lines(w.stderr()).filter((l) => l === warning).length;
    const first = await waitFor(`cycle 1\n${w.stdout()}\n${w.stderr()}`, () => cycles().find((c) => c.cycle === 1));
    expect(first.deps.javascript.unresolved).toEqual([
      { specifier: 'left-pad', kind: 'package', first: 'src/util.ts', files: 1 },
    ]);
    await waitFor("the first cycle's warning", () => warned() === 1);
    appendText(sb, 'lib/strings.ts', '// changed\n');
    const second = await waitFor(`cycle 2\n${w.stdout()}\n${w.stderr()}`, () => cycles().find((c) => c.cycle === 2));
    expect(second.deps.javascript.unresolved).toEqual(first.deps.javascript.unresolved);
    await waitFor("the second cycle's warning", () => warned() === 2);
    w.child.kill('SIGINT');
    const res = await w.result;
    expect(res.code, show(res)).toBe(130);
    expect(warned()).toBe(2);
  });
});
