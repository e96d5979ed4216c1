// Manifest.together: the results one process judged are journalled in one
// transaction as it returns, and on disk even when recording them throws.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type JobResult, Manifest } from '../../../src/manifest/index.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../../../src/types.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-together-'));
  file = path.join(dir, 'manifest.db');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function result(p: string): JobResult {
  return {
    tool: 'compile',
    path: p as RelPath,
    fingerprint: '0123456789abcdef0123456789abcdef' as Fingerprint,
    latchId: 'latch' as LatchId,
    digest: 'fedcba9876543210fedcba9876543210' as Digest,
    status: 'passed',
    end: { kind: 'exit', code: 0 },
    durationMs: 5,
    hasLog: false,
    finishedAt: 1,
    usedAt: 1,
    logBytes: 0,
    depsDigest: '',
    deps: '',
  };
}

/** Journal rows as another connection sees them: what a runner killed now would leave. */
function journalled(): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM result_journal').pluck().get() as number;
  } finally {
    db.close();
  }
}

test('issue 14: results recorded together are journalled when together() returns, not one by one', () => {
  const m = Manifest.open(file);
  try {
    m.together(() => {
      for (const p of ['a.py', 'b.py', 'c.py']) m.recordResult(result(p));
      expect(journalled()).toBe(0);
    });
    expect(journalled()).toBe(3);
    // Outside together(), a result is journalled at once, as before.
    m.recordResult(result('d.py'));
    expect(journalled()).toBe(4);
  } finally {
    m.close();
  }
});

test('issue 14: what was recorded before a throw inside together() is journalled, and the throw goes on', () => {
  const m = Manifest.open(file);
  try {
    expect(() =>
      m.together(() => {
        m.recordResult(result('a.py'));
        throw new Error('log link failed');
      }),
    ).toThrow('log link failed');
    expect(journalled()).toBe(1);
    expect(m.latest('compile', 'a.py' as RelPath)?.status).toBe('passed');
  } finally {
    m.close();
  }
});
