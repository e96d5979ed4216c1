// Finds import cycles among a folder's TypeScript files by reading their
// import and export-from statements, type-only ones too (as madge does: a
// cycle of types is still a tangle to read); no bundler, no network.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Every relative module a file names: `import … from`, `export … from`, a
 * bare `import '…'`, `import('…')` (a call, or a `typeof import('…')` type).
 * Type-only ones count (`import type`, `export type`, `{ type A }`): the
 * compiler erases them, but a reader still has to follow them.
 */
export function importedSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of code.matchAll(/\b(?:import|export)\s+[^;'"]*?\s*from\s+['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found.filter((s) => s.startsWith('.'));
}

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The file a relative specifier names (`./x.js` is `./x.ts`; a folder is its index.ts); null outside the set. */
function resolveSpecifier(from: string, spec: string, files: ReadonlySet<string>): string | null {
  const base = path.resolve(path.dirname(from), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')];
  return candidates.find((c) => files.has(c)) ?? null;
}

/** The import graph of every .ts file under dir: file → the files it imports. */
export function importGraph(dir: string): Map<string, string[]> {
  const files = new Set(tsFiles(dir));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const targets = importedSpecifiers(fs.readFileSync(f, 'utf8')).flatMap((s) => resolveSpecifier(f, s, files) ?? []);
    graph.set(f, [...new Set(targets)]);
  }
  return graph;
}

/** Each group of files that import each other, directly or around a loop (Tarjan's strongly connected components). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(group.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/**
 * Every elementary cycle of the graph (each file at most once), as madge
 * lists them: the files in import order, starting from the least by name, so
 * that one cycle always reads the same. Two cycles through the same files in
 * another order are two entries; a new import that closes a loop among
 * files already in a cycle is a new entry too.
 */
export function elementaryCycles(graph: ReadonlyMap<string, readonly string[]>, limit = 10_000): string[][] {
  const found: string[][] = [];
  for (const group of importCycles(graph)) {
    const members = new Set(group);
    for (const start of group) {
      // Only cycles whose least file is start: each cycle is found once, from its least file.
      const path = [start];
      const onPath = new Set(path);
      const extend = (at: string): void => {
        for (const next of graph.get(at) ?? []) {
          if (next === start) {
            found.push([...path]);
            if (found.length > limit) throw new Error(`more than ${limit} import cycles`);
          } else if (members.has(next) && next > start && !onPath.has(next)) {
            path.push(next);
            onPath.add(next);
            extend(next);
            path.pop();
            onPath.delete(next);
          }
        }
      };
      extend(start);
    }
  }
  return found;
}
