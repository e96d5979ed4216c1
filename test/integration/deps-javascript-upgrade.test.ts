// The javascript kind's import cache (each file's imports as read, by its
// digest) names the runner build that read it. A cache another build wrote,
// as after an upgrade, may hold fewer imports than this build reads from the
// same bytes: it is read again in full, never trusted, so no dependency is
// left out. A cache of the same build is reused (only changed files read).
// The stored cache is rewritten in the real sqlite file between runs, and
// the probe counts the jobs that really ran.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { readProbeLog, resetProbeLog } from '../helpers/probe.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { ABC, jsDepsTree } from '../helpers/js-deps-tree.js';

type Cache = { code?: string; files: [string, { digest: string; found: { imports: unknown[]; error: null } }][] };

async function firstRun(): Promise<Sandbox> {
  const sb = jsDepsTree(ABC);
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(0);
  expect(readProbeLog(sb).started.sort()).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts']);
  return sb;
}

/** Rewrites the stored import cache: src/a.ts read as importing nothing, under the given build's name. */
function rewriteCache(sb: Sandbox, code: (stored: string | undefined) => string): void {
  const db = new Database(path.join(sb.tree, '.runner', 'manifest.db'), { fileMustExist: true });
  try {
    const data = db.prepare("SELECT data FROM snapshot WHERE name = 'imports.javascript'").pluck().get() as Buffer;
    expect(data, 'no stored javascript import cache').toBeDefined();
    const json = data[0] === 0x7b ? data.toString('utf8') : zlib.inflateSync(data).toString('utf8');
    const cache = JSON.parse(json) as Cache;
    const a = cache.files.find(([p]) => p === 'src/a.ts');
    expect(a?.[1].found.imports.length).toBe(1);
    a![1].found.imports = [];
    cache.code = code(cache.code);
    db.prepare("UPDATE snapshot SET data = ? WHERE name = 'imports.javascript'").run(
      zlib.deflateSync(Buffer.from(JSON.stringify(cache), 'utf8')),
    );
  } finally {
    db.close();
  }
}

/** Edits a file, runs, and returns the files whose jobs ran and how many files' imports were read. */
async function editAndRun(sb: Sandbox, rel: string): Promise<{ ran: string[]; scanned: number | undefined }> {
  fs.appendFileSync(path.join(sb.tree, rel), '// edited\n');
  resetProbeLog(sb);
  const { res, json } = await runJson<{ deps: Record<string, { scanned?: number }> }>(['run'], {
    cwd: sb.tree,
    env: baseEnv(),
  });
  expect(res.code, show(res)).toBe(0);
  return { ran: readProbeLog(sb).started.sort(), scanned: json.deps.javascript?.scanned };
}

describe('the javascript import cache after an upgrade', () => {
  test('issue 10: a cache another runner build wrote is read again in full, so its missing import still re-runs the importer', async () => {
    const sb = await firstRun();
    rewriteCache(sb, () => 'another runner build');
    // c.ts changes: the kept graph no longer holds, so the import cache is consulted for a.ts too.
    const afterC = await editAndRun(sb, 'src/c.ts');
    expect(afterC.ran).toEqual(['src/c.ts']);
    expect(afterC.scanned, 'every file read again').toBe(3);
    // a.ts does import b.ts: changing b.ts re-runs it.
    const afterB = await editAndRun(sb, 'src/b.ts');
    expect(afterB.ran).toEqual(['src/a.ts', 'src/b.ts']);
  });

  test('issue 10: the same build reuses its cache: only the changed file is read', async () => {
    const sb = await firstRun();
    const afterC = await editAndRun(sb, 'src/c.ts');
    expect(afterC.ran).toEqual(['src/c.ts']);
    expect(afterC.scanned).toBe(1);
    // The rewrite keeps the build's own name: the rewritten entry is taken as read (what the test above relies on).
    rewriteCache(sb, (stored) => stored ?? '');
    const afterAgain = await editAndRun(sb, 'src/c.ts');
    expect(afterAgain.scanned).toBe(1);
  });
});
