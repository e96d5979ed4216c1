// bench/gen-batch-tree.mjs - a generated tree of valid Python and TypeScript
// for the batch bench (bench/batch.mjs): every file compiles with py_compile,
// passes pyflakes, and type-checks with `tsc --noEmit` given on its own or
// with any others. (gen-tree.mjs's files are not meant for a type checker: its
// TypeScript imports names the other file never exports.) Deterministic: the
// same options give the same paths and bytes. Writes only under `out`.
//
// Layout: py/dNN/mNNNN.py and ts/dNN/mNNNN.ts, 20 files a directory. A file
// imports 0 to 2 earlier files of its language (mostly recent ones, so the
// graph is a DAG with short chains) and uses what it imports.

import fs from 'node:fs';
import path from 'node:path';
import { rng } from './rng.mjs';

const PER_DIR = 20;

const pad = (n, w) => String(n).padStart(w, '0');
const relOf = (lang, i) => `${lang}/d${pad(Math.floor(i / PER_DIR), 2)}/m${pad(i, 4)}.${lang}`;

/** 0 to 2 distinct earlier files, mostly among the 40 before this one. */
function importsOf(r, i) {
  if (i === 0) return [];
  const x = r();
  const k = x < 0.45 ? 0 : x < 0.85 ? 1 : 2;
  const out = new Set();
  for (let j = 0; j < k; j++) out.add(r() < 0.8 ? i - 1 - Math.floor(r() * Math.min(i, 40)) : Math.floor(r() * i));
  return [...out].sort((a, b) => a - b);
}

/** Bytes drawn log-uniformly from 300 to 6,000, as real modules vary. */
const sizeOf = (r) => Math.round(Math.exp(Math.log(300) + r() * (Math.log(6000) - Math.log(300))));

function pyFile(r, i, imports) {
  const out = [`"""Module ${relOf('py', i)}: generated for the batch bench."""`];
  for (const j of imports) out.push(`from py.d${pad(Math.floor(j / PER_DIR), 2)} import m${pad(j, 4)}`);
  const calls = imports.map((j) => ` + m${pad(j, 4)}.value_${j}(n - 1)`).join('');
  out.push(
    '',
    '',
    `def value_${i}(n):`,
    '    """A small series, plus what the imported modules give."""',
    '    total = 0',
    '    for k in range(n):',
    `        total += (k * ${i}) % 7`,
    `    return total${calls}`,
  );
  const target = sizeOf(r);
  for (let h = 0; out.join('\n').length < target; h++) {
    const scale = r.int(2, 97);
    out.push(
      '',
      '',
      `class Table${i}x${h}(object):`,
      `    """Rows kept in order; helper ${h} of module ${i}."""`,
      '',
      '    def __init__(self, rows=None):',
      '        self.rows = list(rows or [])',
      '',
      '    def add(self, row):',
      '        self.rows.append(row)',
      '        return len(self.rows)',
      '',
      '    def total(self):',
      `        return sum(r * ${scale} for r in self.rows if r is not None)`,
      '',
      '',
      `def helper_${i}_${h}(items, limit=${r.int(10, 999)}):`,
      '    """Scaled items under the limit, in order."""',
      `    return [x * ${scale} for x in items if x is not None and x < limit]`,
    );
  }
  return out.join('\n') + '\n';
}

function tsFile(r, i, imports) {
  const out = [`// Module ${relOf('ts', i)}: generated for the batch bench.`];
  for (const j of imports) {
    let spec = path.posix.relative(path.posix.dirname(relOf('ts', i)), relOf('ts', j)).replace(/\.ts$/, '');
    if (!spec.startsWith('.')) spec = `./${spec}`;
    out.push(`import { value${j} } from '${spec}';`);
  }
  const calls = imports.map((j) => ` + value${j}(n - 1)`).join('');
  out.push(
    '',
    `export interface Row${i} {`,
    '  id: number;',
    '  label: string;',
    '}',
    '',
    `export function value${i}(n: number): number {`,
    '  let total = 0;',
    `  for (let k = 0; k < n; k++) total += (k * ${i}) % 7;`,
    `  return total${calls};`,
    '}',
  );
  const target = sizeOf(r);
  for (let h = 0; out.join('\n').length < target; h++) {
    const scale = r.int(2, 97);
    out.push(
      '',
      `/** Rows kept in order; helper ${h} of module ${i}. */`,
      `export class Table${i}x${h} {`,
      `  private rows: Row${i}[] = [];`,
      `  add(row: Row${i}): number {`,
      '    this.rows.push(row);',
      '    return this.rows.length;',
      '  }',
      '  total(): number {',
      `    return this.rows.reduce((sum, row) => sum + row.id * ${scale}, 0);`,
      '  }',
      '}',
      '',
      `export function helper${i}x${h}(items: number[], limit: number = ${r.int(10, 999)}): number[] {`,
      `  return items.filter((x) => x < limit).map((x) => x * ${scale});`,
      '}',
    );
  }
  return out.join('\n') + '\n';
}

/** Writes the tree; returns the files of each language (relative, sorted) and the bytes written. */
export function generateBatchTree({ out, pyFiles, tsFiles, seed = 14 }) {
  const r = rng(seed);
  let bytes = 0;
  const files = { py: [], ts: [] };
  for (const [lang, count, render] of [
    ['py', pyFiles, pyFile],
    ['ts', tsFiles, tsFile],
  ]) {
    for (let i = 0; i < count; i++) {
      const rel = relOf(lang, i);
      const text = render(r, i, importsOf(r, i));
      fs.mkdirSync(path.join(out, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(out, rel), text);
      bytes += Buffer.byteLength(text);
      files[lang].push(rel);
    }
  }
  return { files, bytes };
}
