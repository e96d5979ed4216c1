// bench/gen-workspace.mjs - a generated TypeScript monorepo for the workspace
// bench (bench/workspace.mjs): npm workspaces linked through node_modules
// symlinks, a tsconfig per package extending a base that holds `paths`.
// Deterministic: the same options give the same paths and bytes. Writes only
// under `out`; imports nothing but node:.
//
// Layout (P packages, F files each, P * F about `files`):
//   package.json                 workspaces: packages/*
//   tsconfig.base.json           bundler resolution; paths @ws/pkgN and @ws/pkgN/* (Nx style: no root tsconfig.json)
//   node_modules/@ws/pkgN ->     ../../packages/pkgN (what `npm install` links)
//   packages/pkgN/package.json   exports "." -> ./src/index.ts, "./*" -> ./src/*.ts
//   packages/pkgN/tsconfig.json  extends ../../tsconfig.base.json
//   packages/pkgN/src/dK/mM.ts   imports earlier modules of its package (./x.js,
//                                ../dJ/x.js) and of earlier packages (@ws/pkgJ,
//                                @ws/pkgJ/dK/mM), plus a node: builtin
//   packages/pkgN/src/index.ts   re-exports a few modules
//   packages/pkgN/test/*.test.ts import their package by its own name and by path

import fs from 'node:fs';
import path from 'node:path';
import { rng } from './rng.mjs';

const BUILTINS = ['node:path', 'node:fs', 'node:url', 'node:util', 'node:events'];
const PER_DIR = 20;
const TESTS_PER_PACKAGE = 0.1;

function write(out, rel, text) {
  const file = path.join(out, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function relImport(fromDir, toModule) {
  let rel = path.posix.relative(fromDir, toModule);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return `${rel}.js`;
}

/**
 * Writes the tree; returns { files, packages, imports, changeTarget }, where
 * changeTarget is a module of the first package (many files reach it).
 */
export function generateWorkspace({ out, files = 3000, packages = 12, seed = 11 }) {
  const r = rng(seed);
  const perPackage = Math.max(4, Math.floor(files / packages));
  const tests = Math.max(1, Math.floor(perPackage * TESTS_PER_PACKAGE));
  const modulesPer = perPackage - tests - 1; // minus index.ts
  const names = Array.from({ length: packages }, (_, i) => `pkg${i}`);
  const paths = {};
  for (const n of names) {
    paths[`@ws/${n}`] = [`packages/${n}/src/index.ts`];
    paths[`@ws/${n}/*`] = [`packages/${n}/src/*`];
  }
  write(
    out,
    'package.json',
    JSON.stringify({ name: 'ws-root', private: true, workspaces: ['packages/*'] }, null, 2) + '\n',
  );
  write(
    out,
    'tsconfig.base.json',
    JSON.stringify(
      {
        compilerOptions: {
          target: 'es2022',
          module: 'esnext',
          moduleResolution: 'bundler',
          strict: true,
          noEmit: true,
          baseUrl: '.',
          paths,
        },
      },
      null,
      2,
    ) + '\n',
  );
  let count = 0;
  let imports = 0;
  const modulesOf = []; // per package: module paths relative to src, without extension
  for (const [p, name] of names.entries()) {
    const base = `packages/${name}`;
    write(
      out,
      `${base}/package.json`,
      JSON.stringify(
        {
          name: `@ws/${name}`,
          version: '0.0.0',
          type: 'module',
          exports: { '.': './src/index.ts', './*': './src/*.ts' },
          dependencies: Object.fromEntries(names.slice(0, p).map((d) => [`@ws/${d}`, '*'])),
        },
        null,
        2,
      ) + '\n',
    );
    write(
      out,
      `${base}/tsconfig.json`,
      JSON.stringify(
        {
          extends: '../../tsconfig.base.json',
          include: ['src', 'test'],
        },
        null,
        2,
      ) + '\n',
    );
    const modules = [];
    for (let m = 0; m < modulesPer; m++) {
      const mod = `d${Math.floor(m / PER_DIR)}/m${m % PER_DIR}`;
      const lines = [];
      if (r() < 0.3) lines.push(`import * as builtin from '${r.pick(BUILTINS)}';`);
      const local = new Set();
      for (let k = r.int(0, 4); k > 0 && modules.length > 0; k--) local.add(r.pick(modules.slice(-60)));
      let i = 0;
      for (const to of local) lines.push(`import { v as l${i++} } from '${relImport(path.posix.dirname(mod), to)}';`);
      if (p > 0) {
        for (let k = r.int(0, 2); k > 0; k--) {
          const dep = r.int(0, p - 1);
          if (r() < 0.5) lines.push(`import { v as w${i++} } from '@ws/${names[dep]}';`);
          else lines.push(`import { v as w${i++} } from '@ws/${names[dep]}/${r.pick(modulesOf[dep])}';`);
        }
      }
      imports += lines.length;
      const uses = lines.map((l) => / as (\w+) /.exec(l)?.[1]).filter(Boolean);
      lines.push(
        '',
        `export const v: number = ${r.int(0, 1000)}${uses
          .filter((u) => u !== 'builtin')
          .map((u) => ` + ${u}`)
          .join('')};`,
      );
      lines.push(
        `export function ${name}_${mod.replace('/', '_')}(x: number): number {`,
        `  return x * v + ${r.int(1, 99)};`,
        '}',
        '',
      );
      write(out, `${base}/src/${mod}.ts`, lines.join('\n'));
      modules.push(mod);
      count++;
    }
    const exported = [...new Set(Array.from({ length: 4 }, () => r.pick(modules)))];
    write(
      out,
      `${base}/src/index.ts`,
      [
        ...exported.map((m, j) => `export { v as v${j} } from './${m}.js';`),
        `export { v } from './${exported[0]}.js';`,
        '',
      ].join('\n'),
    );
    imports += exported.length + 1;
    count++;
    for (let t = 0; t < tests; t++) {
      const target = r.pick(modules);
      write(
        out,
        `${base}/test/t${t}.test.ts`,
        [
          `import { v } from '@ws/${name}';`,
          `import { v as w } from '../src/${target}.js';`,
          '',
          'export const ok = v + w > -1;',
          '',
        ].join('\n'),
      );
      imports += 2;
      count++;
    }
    modulesOf.push(modules);
    // What `npm install` makes for a workspace package.
    const link = path.join(out, 'node_modules', '@ws', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(`../../packages/${name}`, link);
  }
  return { files: count, packages, imports, changeTarget: `packages/${names[0]}/src/${modulesOf[0][0]}.ts` };
}
