// Finds import cycles among a folder's TypeScript files by reading their
// import and export-from statements (type-only ones too: a cycle of types is
// still a tangle to read); no bundler, no network.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Every relative module a file loads when it runs: `import … from`, `export
 * … from`, a bare `import '…'`, `import('…')`. Type-only imports are left
 * out (`import type`, `export type`, a list of `type` names only): the
 * compiler erases them, so they order no module's evaluation.
 */
export function importedSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of code.matchAll(/\b(import|export)\s+([^;'"]*?)\s*from\s+['"]([^'"]+)['"]/g)) {
    if (!isTypeOnly(m[2]!)) found.push(m[3]!);
  }
  for (const m of code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found.filter((s) => s.startsWith('.'));
}

/** Whether an import or export clause names types only: `type { … }`, or `{ type A, type B }`. */
function isTypeOnly(clause: string): boolean {
  if (/^type\b/.test(clause)) return true;
  const names = /^\{([\s\S]*)\}$/.exec(clause.trim());
  if (names === null) return false;
  const each = names[1]!.split(',').map((n) => n.trim()).filter((n) => n !== '');
  return each.length > 0 && each.every((n) => n.startsWith('type '));
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
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
