// followUntracked (javascript-follow.ts): which untracked files the javascript graph follows, and when it reads them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UNREADABLE_IMPORTS, type DirectDeps } from '../../../src/deps/direct-deps.js';
import {
  type FollowedJsFile,
  type GraphRow,
  followUntracked,
  isFollowedJs,
} from '../../../src/deps/javascript-follow.js';
import type { JsFileImports } from '../../../src/deps/javascript.js';
import type { RelPath } from '../../../src/types.js';

describe('issue 11: followUntracked', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-follow-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (rel: string, text: string): string => {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    return abs;
  };
  /** Relative specifiers only, each to the file with that name (plus .ts when it has none). */
  const resolve = (abs: string, _digest: string, found: JsFileImports): DirectDeps => {
    const external = found.imports
      .map((i) => path.resolve(path.dirname(abs), i.specifier))
      .map((x) => (path.extname(x) === '' ? `${x}.ts` : x));
    return { files: [], external, unresolved: [] };
  };
  /** A clock well after the files were written: their stats are not racy. */
  const later = (): number => Date.now() + 10_000;

  function tracked(external: string[]): Map<RelPath, GraphRow> {
    return new Map([['test/a.test.ts' as RelPath, { digest: 'd', deps: { files: [], external, unresolved: [] } }]]);
  }

  it('follows two steps and turns each followed file into a node, leaving other outside files as leaves', async () => {
    const a = write('gen/a.ts', "import '../vendor/b';\nimport data from './data.json';\nimport './gone';\n");
    const b = write('vendor/b.ts', "import '../gen/c.js';\n");
    const c = write('gen/c.js', 'export {};\n');
    const json = write('gen/data.json', '{}');
    const rows = tracked([a]);
    const r = await followUntracked({ rows, cached: new Map(), startedMs: later(), resolve });
    expect(r.read).toBe(3);
    expect([...r.followed.keys()].sort()).toEqual([a, b, c].sort());
    expect(rows.get('test/a.test.ts' as RelPath)!.deps).toEqual({ files: [a], external: [], unresolved: [] });
    expect(rows.get(a as RelPath)!.deps).toEqual({
      files: [b],
      external: [json, path.join(dir, 'gen/gone.ts')],
      unresolved: [],
    });
    expect(rows.get(b as RelPath)!.deps).toEqual({ files: [c], external: [], unresolved: [] });
    expect([...r.stats.values()].every((s) => s.startsWith('f:'))).toBe(true);
  });

  it('reads a followed file again only when its stat changed, and never after a racy stat', async () => {
    const a = write('gen/a.ts', "import './b';\n");
    const b = write('gen/b.ts', 'export {};\n');
    const first = await followUntracked({ rows: tracked([a]), cached: new Map(), startedMs: later(), resolve });
    expect(first.read).toBe(2);
    const again = await followUntracked({ rows: tracked([a]), cached: first.followed, startedMs: later(), resolve });
    expect(again.read).toBe(0);
    fs.writeFileSync(b, 'export const x = 1;\n');
    const edited = await followUntracked({ rows: tracked([a]), cached: again.followed, startedMs: later(), resolve });
    expect(edited.read).toBe(1);
    expect(edited.followed.get(b)!.digest).not.toBe(again.followed.get(b)!.digest);
    // Now: both were written within 2 s, so their stats prove nothing and are not kept.
    const racy = await followUntracked({ rows: tracked([a]), cached: new Map(), startedMs: Date.now(), resolve });
    expect([...racy.followed.values()].map((f: FollowedJsFile) => f.stat)).toEqual(['', '']);
    expect([...racy.stats.values()]).toEqual(['', '']);
  });

  it('marks a followed file that cannot be lexed as unreadable, so what reaches it is never fresh', async () => {
    const a = write('gen/a.ts', 'import { from "./b";\n');
    const rows = tracked([a]);
    const r = await followUntracked({ rows, cached: new Map(), startedMs: later(), resolve });
    expect(r.followed.get(a)!.digest).toBeNull();
    expect(rows.get(a as RelPath)!.deps.unresolved).toContain(UNREADABLE_IMPORTS);
  });

  it('follows JavaScript and TypeScript sources and declarations only', () => {
    expect(
      ['/x/a.ts', '/x/a.d.ts', '/x/a.mjs', '/x/a.cjs', '/x/a.tsx', '/x/a.d.mts', '/x/a.jsx'].every(isFollowedJs),
    ).toBe(true);
    expect(['/x/a.json', '/x/a.node', '/x/a.css', '/x/a.wasm'].some(isFollowedJs)).toBe(false);
  });
});
