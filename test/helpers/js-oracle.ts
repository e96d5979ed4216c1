// Compares runner's javascript import graph with TypeScript's own resolution
// (tsc-resolution.ts) over one source tree, file by file, and words every
// difference. Runner's side goes through the library's deps() (what
// `runner deps FILE` prints), so it follows whatever graph building does.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { deps } from '../../src/api.js';
import { noEvents } from '../../src/api/events.js';
import { TscResolution } from './tsc-resolution.js';

export interface OracleInput {
  /** The source tree, a real path (no symlink above it). */
  tree: string;
  /** Tracked files to check, relative to the tree. */
  files: readonly string[];
  /** runner's state directory, outside the tree. */
  stateDir: string;
  /** A config file outside the tree; default: the tree's own. */
  configFile?: string;
  /**
   * Per importing file, files runner must hold beyond tsc's (the code Node
   * runs beside the types tsc reads, e.g. foo.js beside foo.d.ts).
   */
  extras?: Readonly<Record<string, readonly string[]>>;
  /** Per importing file, files runner may hold beyond tsc's, or not. */
  mayAlso?: Readonly<Record<string, readonly string[]>>;
  /**
   * For a real tree, where no one lists them: runner may also hold x.js
   * (.mjs, .cjs) wherever tsc resolved x.d.ts (.d.mts, .d.cts), the code Node
   * runs beside the types tsc reads.
   */
  runtimeBesideTypes?: boolean;
}

const DECLARATION = /\.d\.([mc]?)ts$/;

/**
 * Node's own modules ('fs', 'node:fs'): runner counts them as part of Node,
 * which a job's program identity covers, while tsc answers with
 * @types/node's declarations where those are installed. Not compared.
 */
const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec);

export interface OracleResult {
  /** One block per file that differs; empty when runner agrees with tsc. */
  problems: string[];
  counts: { files: number; imports: number; resolvedByTsc: number; agreeing: number };
}

/**
 * For each file: every file tsc resolves one of its imports to (self
 * excluded), plus its `extras`, must be among runner's direct dependencies,
 * and runner's may hold nothing else but `mayAlso`; and every file tsc reaches
 * transitively must be among runner's transitive dependencies. tsc's closure
 * follows the files it resolves to inside the tree (tracked or not) outside
 * node_modules; a file in node_modules or outside the tree is a leaf. Node
 * builtins are left out (isBuiltin).
 */
export async function compareWithTsc(input: OracleInput): Promise<OracleResult> {
  const { tree } = input;
  const tsc = new TscResolution();
  const show = (abs: string): string => {
    const rel = path.relative(tree, abs);
    return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
  };
  // Followed files (untracked, node_modules) are graph nodes by absolute path.
  const abs = (rel: string): string => (path.isAbsolute(rel) ? rel : path.join(tree, rel));
  const closureOf = (start: string): Set<string> => {
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      for (const imp of tsc.importsOf(file)) {
        if (isBuiltin(imp.specifier)) continue;
        const to = imp.resolved;
        if (to === null || to === start || seen.has(to)) continue;
        seen.add(to);
        const rel = path.relative(tree, to);
        const followed =
          !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.split(path.sep).includes('node_modules');
        if (followed && fs.existsSync(to)) queue.push(to);
      }
    }
    return seen;
  };
  const problems: string[] = [];
  const counts = { files: 0, imports: 0, resolvedByTsc: 0, agreeing: 0 };
  for (const rel of input.files) {
    const file = abs(rel);
    counts.files += 1;
    const imports = tsc.importsOf(file);
    counts.imports += imports.length;
    const wanted = new Map<string, string>(); // file -> why
    for (const imp of imports) {
      if (imp.resolved === null || imp.resolved === file || isBuiltin(imp.specifier)) continue;
      counts.resolvedByTsc += 1;
      if (!wanted.has(imp.resolved)) wanted.set(imp.resolved, `'${imp.specifier}' (line ${imp.line})`);
    }
    for (const extra of input.extras?.[rel] ?? []) wanted.set(abs(extra), 'expected beside what tsc reads');
    const allowed = new Set((input.mayAlso?.[rel] ?? []).map(abs));
    if (input.runtimeBesideTypes === true) {
      for (const to of wanted.keys()) {
        if (DECLARATION.test(to)) allowed.add(to.replace(DECLARATION, '.$1js'));
      }
    }
    const report = await deps({
      cwd: tree,
      sourceTree: tree,
      env: { PATH: process.env.PATH },
      events: noEvents,
      file: rel,
      stateDir: input.stateDir,
      ...(input.configFile === undefined ? {} : { configFile: input.configFile }),
    });
    const tracked = new Set((report.direct?.files ?? []).map(abs));
    const direct = new Set([...tracked, ...(report.direct?.external ?? [])]);
    const unresolved = report.direct?.unresolved ?? [];
    const transitive = new Set(
      report.transitive.filter((t) => !t.startsWith('?')).map((t) => (path.isAbsolute(t) ? t : abs(t))),
    );
    const lines: string[] = [];
    for (const [want, why] of wanted) {
      if (!direct.has(want)) lines.push(`  missing  ${show(want)}  <- ${why}`);
    }
    for (const got of direct) {
      if (!wanted.has(got) && !allowed.has(got))
        lines.push(`  extra    ${show(got)}${tracked.has(got) ? '' : '  (runner: not a tracked file)'}`);
    }
    for (const reached of closureOf(file)) {
      if (!transitive.has(reached) && !wanted.has(reached)) lines.push(`  missing transitively  ${show(reached)}`);
    }
    if (lines.length === 0) {
      counts.agreeing += 1;
      continue;
    }
    const tscSide = imports
      .map((i) => `'${i.specifier}' -> ${i.resolved === null ? '(unresolved)' : show(i.resolved)}`)
      .join(', ');
    lines.push(`  tsc:    ${tscSide === '' ? '(no imports)' : tscSide}`);
    lines.push(
      `  runner: ${[...direct].map(show).join(', ') || '(no files)'}${unresolved.length > 0 ? `; unresolved ${unresolved.map((u) => `?${u}`).join(', ')}` : ''}`,
    );
    problems.push(`${rel}\n${lines.join('\n')}`);
  }
  return { problems, counts };
}
