// issue 11: runner's "deps": "javascript" graph, compared with TypeScript's
// own resolution (test/helpers/tsc-resolution.ts: ts.preProcessFile and
// ts.resolveModuleName under the tsconfig tsc uses for each file) on small
// trees covering each layout of the issue, so resolution cannot drift from
// tsc silently. Each tree is written from the file map below into a temp dir;
// node_modules links are made here. test/oracle/real-tree.test.ts runs the
// same comparison on a real tree.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { compareWithTsc } from '../helpers/js-oracle.js';

interface OracleCase {
  name: string;
  files: Record<string, string>;
  /** Symlink path -> its target, as written in the link. */
  links?: Record<string, string>;
  /** Globs runner excludes besides node_modules: untracked files in the tree. */
  untracked?: string[];
  /** Per importing file: files runner must also hold (the runtime file beside the types tsc reads). */
  extras?: Record<string, string[]>;
  /** Per importing file: files runner may also hold. */
  mayAlso?: Record<string, string[]>;
}

const BUNDLER = { module: 'esnext', moduleResolution: 'bundler', strict: true, noEmit: true };
const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';
const JS_FILE = /\.(?:js|mjs|cjs|ts|tsx|mts|cts|jsx)$/;

/** Layouts runner resolves like tsc before issue 11: these pass on main as it was. */
const SINGLE_PACKAGE: OracleCase[] = [
  {
    name: 'a single package: relative imports, .js names of .ts sources, index files, #imports, a package in node_modules',
    files: {
      'package.json': json({ name: 'single', type: 'module', imports: { '#config': './src/config.ts' } }),
      'tsconfig.json': json({ compilerOptions: { ...BUNDLER, allowJs: true }, include: ['src', 'test'] }),
      'src/index.ts':
        "import { helper } from './util.js';\nimport { config } from '#config';\nimport { dep } from 'dep';\nexport * from './shapes/index.js';\nexport const run = () => helper(config) + dep;\n",
      'src/util.ts':
        "import type { Options } from './types';\nexport function helper(o: Options) { return String(o); }\n",
      'src/types.ts': 'export interface Options { a?: number }\n',
      'src/config.ts': 'export const config = {};\n',
      'src/shapes/index.ts': "export * from './circle';\n",
      'src/shapes/circle.ts': 'export const circle = 1;\n',
      'src/lazy.ts': "export async function load() { return import('./util.js'); }\n",
      'src/legacy.cjs': "const { helper } = require('./helper.cjs');\nmodule.exports = { helper };\n",
      'src/helper.cjs': 'module.exports = { helper: 1 };\n',
      'test/index.test.ts':
        "import { run } from '../src/index.js';\nimport { load } from '../src/lazy';\nexport { run, load };\n",
      'node_modules/dep/package.json': json({ name: 'dep', main: 'index.js', types: 'index.d.ts' }),
      'node_modules/dep/index.js': 'exports.dep = 1;\n',
      'node_modules/dep/index.d.ts': 'export declare const dep: number;\n',
    },
    // Node runs "main" where tsc reads "types": a TypeScript file depends on both.
    extras: { 'src/index.ts': ['node_modules/dep/index.js'] },
  },
  {
    name: 'tsconfig paths and baseUrl at the root',
    files: {
      'tsconfig.json': json({
        compilerOptions: {
          ...BUNDLER,
          baseUrl: '.',
          paths: { '@/*': ['src/*'], '~utils': ['src/lib/utils/index.ts'] },
        },
      }),
      'src/app.ts':
        "import { a } from '@/lib/a';\nimport { u } from '~utils';\nimport { b } from 'src/lib/b';\nexport const all = [a, u, b];\n",
      'src/lib/a.ts': 'export const a = 1;\n',
      'src/lib/b.ts': "import { a } from '@/lib/a';\nexport const b = a;\n",
      'src/lib/utils/index.ts': 'export const u = 1;\n',
    },
  },
];

/** The layouts of issue 11, points 1-9. */
const MONOREPO: OracleCase[] = [
  {
    name: 'point 1: workspace packages linked in the root node_modules (npm, yarn), exports naming .ts sources',
    files: {
      'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'] }),
      'tsconfig.json': json({ compilerOptions: BUNDLER }),
      'packages/lib/package.json': json({
        name: '@ws/lib',
        exports: { '.': './src/index.ts', './util': './src/util.ts' },
      }),
      'packages/lib/src/index.ts': "export { twice } from './util.js';\n",
      'packages/lib/src/util.ts': "import { base } from './base';\nexport const twice = (n: number) => n * base;\n",
      'packages/lib/src/base.ts': 'export const base = 2;\n',
      'packages/app/package.json': json({ name: '@ws/app', dependencies: { '@ws/lib': '*' } }),
      'packages/app/src/main.ts':
        "import { twice } from '@ws/lib';\nimport * as util from '@ws/lib/util';\nexport const x = twice(util.twice(1));\n",
    },
    links: { 'node_modules/@ws/lib': '../../packages/lib', 'node_modules/@ws/app': '../../packages/app' },
  },
  {
    name: "point 1: workspace packages linked in each package's node_modules (pnpm)",
    files: {
      'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
      'tsconfig.json': json({ compilerOptions: BUNDLER }),
      'packages/lib/package.json': json({
        name: '@ws/lib',
        exports: { '.': { types: './src/index.ts', default: './src/index.ts' } },
      }),
      'packages/lib/src/index.ts': "import { base } from './base.js';\nexport const twice = (n: number) => n * base;\n",
      'packages/lib/src/base.ts': 'export const base = 2;\n',
      'packages/app/package.json': json({ name: '@ws/app', dependencies: { '@ws/lib': 'workspace:*' } }),
      'packages/app/src/main.ts': "import { twice } from '@ws/lib';\nexport const x = twice(1);\n",
    },
    links: { 'packages/app/node_modules/@ws/lib': '../../../lib' },
  },
  {
    name: 'point 2: Nx-style tsconfig.base.json paths, reached through extends',
    files: {
      'tsconfig.base.json': json({
        compilerOptions: {
          ...BUNDLER,
          baseUrl: '.',
          paths: { '@ws/lib': ['libs/lib/src/index.ts'], '@ws/lib/*': ['libs/lib/src/*'] },
        },
      }),
      'apps/app/tsconfig.json': json({ extends: '../../tsconfig.base.json', include: ['src/**/*.ts'] }),
      'libs/lib/tsconfig.json': json({ extends: '../../tsconfig.base.json' }),
      'apps/app/src/main.ts':
        "import { x } from '@ws/lib';\nimport { y } from '@ws/lib/deep/y';\nexport const all = [x, y];\n",
      'libs/lib/src/index.ts': "export * from './deep/y';\nexport const x = 1;\n",
      'libs/lib/src/deep/y.ts': 'export const y = 2;\n',
    },
  },
  {
    name: 'point 2: an extends chain, paths relative to the file declaring them, baseUrl declared mid-chain',
    files: {
      'configs/tsconfig.paths.json': json({ compilerOptions: { paths: { '~shared/*': ['../shared/*'] } } }),
      'configs/tsconfig.app.json': json({ extends: './tsconfig.paths.json', compilerOptions: BUNDLER }),
      'configs/tsconfig.base-url.json': json({ extends: './tsconfig.app.json', compilerOptions: { baseUrl: '..' } }),
      'app/tsconfig.json': json({ extends: '../configs/tsconfig.app.json' }),
      'app/main.ts': "import { s } from '~shared/strings';\nexport const t = s;\n",
      // With baseUrl set (to the root, from configs/), paths targets start at baseUrl: '~shared/*' then
      // names ../shared/* above the tree, which tsc does not find; 'shared/strings' resolves through baseUrl.
      'tool/tsconfig.json': json({ extends: '../configs/tsconfig.base-url.json' }),
      'tool/cli.ts':
        "import { s } from 'shared/strings';\nimport { n } from '~shared/numbers';\nexport const t = s + n;\n",
      'shared/strings.ts': 'export const s = "s";\n',
      'shared/numbers.ts': 'export const n = 1;\n',
    },
  },
  {
    name: 'point 2: extends through a package name and an array of extends (TS 5)',
    files: {
      'tsconfig.paths.json': json({ compilerOptions: { paths: { '@lib/*': ['./packages/lib/src/*'] } } }),
      'packages/app/tsconfig.json': json({ extends: ['@tsconfig/node20/tsconfig.json', '../../tsconfig.paths.json'] }),
      'packages/app/src/main.ts': "import { twice } from '@lib/twice';\nexport const x = twice(1);\n",
      'packages/lib/src/twice.ts': 'export const twice = (n: number) => n * 2;\n',
      'node_modules/@tsconfig/node20/package.json': json({ name: '@tsconfig/node20', version: '20.1.0' }),
      'node_modules/@tsconfig/node20/tsconfig.json': json({
        compilerOptions: {
          lib: ['es2023'],
          module: 'node16',
          target: 'es2022',
          strict: true,
          moduleResolution: 'node16',
        },
      }),
    },
  },
  {
    name: 'point 3: the nearest tsconfig.json per file, its include deciding which files it owns',
    files: {
      'tsconfig.json': json({ compilerOptions: { ...BUNDLER, paths: { '@/*': ['./lib/*'] } } }),
      'lib/util.ts': 'export const util = "root";\n',
      'lib/x.ts': 'export const x = 1;\n',
      'web/tsconfig.json': json({ compilerOptions: { ...BUNDLER, paths: { '@/*': ['./src/*'] } }, include: ['src'] }),
      'web/src/app.ts': "import { util } from '@/util';\nexport const a = util;\n",
      'web/src/util.ts': 'export const util = "web";\n',
      'web/scripts/gen.ts': "import { x } from '@/x';\nexport const g = x;\n",
    },
  },
  {
    name: 'point 3: a solution-style root tsconfig whose references own the files (the Vite template)',
    files: {
      'tsconfig.json': json({
        files: [],
        references: [{ path: './tsconfig.app.json' }, { path: './tsconfig.node.json' }],
      }),
      'tsconfig.app.json': json({
        compilerOptions: { ...BUNDLER, composite: true, baseUrl: '.', paths: { '@/*': ['./src/*'] } },
        include: ['src'],
      }),
      'tsconfig.node.json': json({ compilerOptions: { ...BUNDLER, composite: true }, include: ['vite.config.ts'] }),
      'src/main.ts': "import { App } from '@/App';\nimport { h } from '@/lib/h';\nexport const m = [App, h];\n",
      'src/App.tsx': 'export const App = () => null;\n',
      'src/lib/h.ts': 'export const h = 1;\n',
      'vite.config.ts': "import { h } from './src/lib/h';\nexport default { h };\n",
    },
  },
  {
    name: 'point 4: tsconfig paths come before package.json imports for # specifiers (Nuxt)',
    files: {
      'package.json': json({ name: 'nuxtish', imports: { '#app': './internal/app.ts' } }),
      'tsconfig.json': json({
        compilerOptions: { ...BUNDLER, paths: { '#app': ['./generated/app.ts'], '#build/*': ['./generated/build/*'] } },
      }),
      'generated/app.ts': 'export const app = "generated";\n',
      'generated/build/routes.ts': 'export const routes = [];\n',
      'internal/app.ts': 'export const app = "internal";\n',
      'pages/index.ts':
        "import { app } from '#app';\nimport { routes } from '#build/routes';\nexport const p = [app, routes];\n",
    },
  },
  {
    name: 'point 5: a tsconfig.json that starts with a byte order mark',
    files: {
      'tsconfig.json':
        '\uFEFF' + json({ compilerOptions: { ...BUNDLER, baseUrl: '.', paths: { '@app/*': ['src/*'] } } }),
      'src/a.ts': "import { b } from '@app/b';\nexport const a = b;\n",
      'src/b.ts': 'export const b = 1;\n',
    },
  },
  {
    name: 'point 6: foo.ts beside foo.js, and foo.js beside foo.d.ts',
    files: {
      'tsconfig.json': json({ compilerOptions: { ...BUNDLER, allowJs: true } }),
      'src/foo.ts': 'export const foo = 1;\n',
      'src/foo.js': 'export const foo = 1;\n',
      'src/bar.js': 'export const bar = 2;\n',
      'src/bar.d.ts': 'export declare const bar: number;\n',
      'src/main.ts':
        "import { foo } from './foo.js';\nimport { bar } from './bar.js';\nexport const all = [foo, bar];\n",
      'src/other.ts': "import { foo } from './foo';\nimport { bar } from './bar';\nexport const all = [foo, bar];\n",
      'src/plain.js': "import { bar } from './bar.js';\nexport const p = bar;\n",
    },
    // tsc reads bar.d.ts, Node runs bar.js: a job depends on both. foo.js is
    // what Node would run if foo.ts were compiled beside it: allowed, not required.
    extras: { 'src/main.ts': ['src/bar.js'], 'src/other.ts': ['src/bar.js'], 'src/plain.js': ['src/bar.js'] },
    mayAlso: { 'src/main.ts': ['src/foo.js'], 'src/other.ts': ['src/foo.js'] },
  },
  {
    // chokidar 5 ships this: tsc reads index.d.ts beside the index.js that "exports" names.
    name: 'point 6: a package whose exports name index.js, with index.d.ts beside it',
    files: {
      'tsconfig.json': json({ compilerOptions: { ...BUNDLER, module: 'nodenext', moduleResolution: 'nodenext' } }),
      'package.json': json({ name: 'app', type: 'module' }),
      'src/watch.ts': "import watcher from 'watchlib';\nexport const w = watcher;\n",
      'node_modules/watchlib/package.json': json({
        name: 'watchlib',
        type: 'module',
        main: './index.js',
        exports: { '.': { default: './index.js' } },
      }),
      'node_modules/watchlib/index.js': 'export default 1;\n',
      'node_modules/watchlib/index.d.ts': 'declare const watcher: number;\nexport default watcher;\n',
    },
    extras: { 'src/watch.ts': ['node_modules/watchlib/index.js'] },
  },
  {
    name: 'point 7: a package importing itself by its own name through its exports',
    files: {
      'package.json': json({ name: 'selfpkg', exports: { '.': './src/index.ts', './util': './src/util.ts' } }),
      'tsconfig.json': json({ compilerOptions: BUNDLER }),
      'src/index.ts': "export * from './util.js';\n",
      'src/util.ts': 'export const u = 1;\n',
      'test/index.test.ts':
        "import { u } from 'selfpkg';\nimport { u as v } from 'selfpkg/util';\nexport const t = [u, v];\n",
    },
  },
  {
    name: 'point 8: an untracked file in the tree is followed into what it imports',
    files: {
      'tsconfig.json': json({ compilerOptions: BUNDLER }),
      'test/main.test.ts': "import { a } from '../src/a';\nexport const t = a;\n",
      'src/a.ts': "import { b } from './b';\nexport const a = b;\n",
      'src/b.ts': 'export const b = 1;\n',
    },
    untracked: ['src/**'],
  },
  {
    name: "point 9: declare module './x' (module augmentation) is an edge",
    files: {
      'tsconfig.json': json({ compilerOptions: BUNDLER }),
      'src/registry.ts': 'export interface Registry { a: string }\n',
      'src/plugin.ts': "export {};\ndeclare module './registry' {\n  interface Registry { b: string }\n}\n",
      'src/use.ts':
        "import type { Registry } from './registry';\nexport const r: Registry = { a: '', b: '' } as Registry;\n",
      'src/globals.d.ts': 'declare const VERSION: string;\n',
    },
  },
];

/** Writes the case into a fresh temp dir (a real path) with its runner config; returns the tree and a state dir beside it. */
function writeCase(c: OracleCase): { tree: string; stateDir: string; tracked: string[] } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runner-oracle-')));
  onTestFinished(() => fs.rmSync(root, { recursive: true, force: true }));
  const tree = path.join(root, 'tree');
  for (const [rel, text] of Object.entries(c.files)) {
    fs.mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
    fs.writeFileSync(path.join(tree, rel), text);
  }
  for (const [link, target] of Object.entries(c.links ?? {})) {
    fs.mkdirSync(path.dirname(path.join(tree, link)), { recursive: true });
    fs.symlinkSync(target, path.join(tree, link));
  }
  const exclude = ['**/node_modules/**', ...(c.untracked ?? [])];
  fs.writeFileSync(
    path.join(tree, '.runnerrc.json'),
    json({
      exclude,
      tools: [
        {
          name: 'check',
          command: ['node', '-e', '0', '{file}'],
          include: ['**/*.{js,mjs,cjs,ts,tsx,mts,cts,jsx}'],
          deps: 'javascript',
        },
      ],
    }),
  );
  const isUntracked = (rel: string): boolean => (c.untracked ?? []).some((g) => rel.startsWith(g.replace(/\*\*$/, '')));
  const tracked = Object.keys(c.files)
    .filter((rel) => JS_FILE.test(rel) && !rel.split('/').includes('node_modules') && !isUntracked(rel))
    .sort();
  return { tree, stateDir: path.join(root, 'state'), tracked };
}

async function expectAgreement(c: OracleCase): Promise<void> {
  const { tree, stateDir, tracked } = writeCase(c);
  const result = await compareWithTsc({ tree, files: tracked, stateDir, extras: c.extras, mayAlso: c.mayAlso });
  const diff = result.problems.join('\n');
  expect(diff, `runner's graph differs from tsc's:\n${diff}`).toBe('');
  // The comparison really ran: every tracked file was checked and tsc resolved something.
  expect(result.counts.files).toBe(tracked.length);
  expect(result.counts.resolvedByTsc).toBeGreaterThan(0);
}

describe('runner resolves javascript imports as tsc does, on single-package trees', () => {
  for (const c of SINGLE_PACKAGE) test(c.name, () => expectAgreement(c));
});

describe('issue 11: runner resolves javascript imports as tsc does, in monorepo layouts', () => {
  for (const c of MONOREPO) test(c.name, () => expectAgreement(c));
});
