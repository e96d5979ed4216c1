// A manifest keeps its files and results snapshots as read until first used
// (issue 17 point 1: the walk decodes them while a worker thread stats), so
// whichever question comes first, or decodeAhead(), the answers are the same:
// the folded results, the journal replayed after them, the files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type JobResult, Manifest } from '../../../src/manifest/index.js';
import { saveFiles } from '../../helpers/stored-files.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../../../src/types.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-decode-ahead-'));
  file = path.join(dir, 'manifest.db');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const LATCH = 'a'.repeat(32) as LatchId;
const digestOf = (i: number): Digest => i.toString(16).padStart(32, '0') as Digest;
const pathOf = (i: number): RelPath => `src/f${i}.py` as RelPath;

function result(i: number, fingerprint: string, finishedAt: number): JobResult {
  return {
    tool: 'compile',
    path: pathOf(i),
    fingerprint: fingerprint as Fingerprint,
    latchId: LATCH,
    digest: digestOf(i),
    status: 'passed',
    end: { kind: 'exit', code: 0 },
    durationMs: 5,
    hasLog: false,
    finishedAt,
    usedAt: finishedAt,
    logBytes: 0,
    depsDigest: '',
    deps: '',
  };
}

const FILES = 1100; // past the 1024 journalled results that make flush() fold them into the snapshot

/** A store with FILES files and results folded into its snapshots, then two results journalled after them. */
function writeStore(): void {
  const m = Manifest.open(file);
  try {
    const paths = Array.from({ length: FILES }, (_, i) => pathOf(i));
    saveFiles(m, paths, digestOf);
    // Out of the files' order in places (5 after 6, 9 first), and one result of a file that is gone.
    const order = Array.from({ length: FILES }, (_, i) => i).filter((i) => i !== 5 && i !== 9);
    order.splice(6, 0, 5);
    order.unshift(9);
    m.together(() => {
      for (const i of order) m.recordResult(result(i, 'f'.repeat(31) + (i % 10), 10));
      m.recordResult({ ...result(FILES, 'c'.repeat(32), 10), path: 'gone.py' as RelPath });
    });
    expect(m.flush()).toBe(true);
    // Journalled only: file 0 runs again under another fingerprint (a history of two), file 1 fails.
    m.recordResult(result(0, 'e'.repeat(32), 20));
    m.recordResult({ ...result(1, 'd'.repeat(32), 20), status: 'failed', end: { kind: 'exit', code: 1 } });
  } finally {
    m.close();
  }
}

/** What a plan and a report ask of a manifest, in the order given. */
function answers(m: Manifest): unknown[] {
  const holds = (i: number): boolean =>
    m.latestHolds('compile', pathOf(i), { latchId: LATCH, digest: digestOf(i), depsDigest: '' }, () => true);
  return [
    holds(0),
    holds(1),
    holds(2),
    holds(FILES - 1),
    holds(5),
    holds(6),
    holds(9),
    holds(10),
    m.history('compile', 'gone.py' as RelPath).map((r) => r.fingerprint),
    m.history('compile', pathOf(0)).map((r) => r.fingerprint),
    m.latest('compile', pathOf(1))?.status,
    m.files.size,
    m.files.digestOf(pathOf(7)),
    m.results.get('compile')?.size,
  ];
}

test('issue 17: a reopened manifest gives the same files and results whether decoded ahead or at the first question', () => {
  writeStore();
  const want = [
    ...[true, false, true, true, true, true, true, true],
    ['c'.repeat(32)],
    ['e'.repeat(32), 'f'.repeat(31) + '0'],
    'failed',
    FILES,
    digestOf(7),
    FILES + 1,
  ];
  const ahead = Manifest.open(file);
  try {
    ahead.decodeAhead();
    expect(answers(ahead)).toEqual(want);
  } finally {
    ahead.close();
  }
  const lazy = Manifest.open(file);
  try {
    expect(answers(lazy)).toEqual(want);
    // A no-op's save writes nothing and keeps every result: the journal replayed lazily dropped none.
    expect(lazy.save(() => true)).toEqual([]);
    expect(lazy.history('compile', pathOf(0))).toHaveLength(2);
  } finally {
    lazy.close();
  }
});
