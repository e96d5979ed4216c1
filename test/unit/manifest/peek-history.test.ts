// Manifest.peekHistory: one job's results read before the rest are decoded
// (a plan narrowed to the files that changed asks it, so their jobs start
// before every result is built). For every job it must give what history()
// gives once everything is decoded: the folded snapshot's rows (a history of
// several among them) and the journal replayed after them, a fingerprint run
// again replacing its old result, the oldest pushed out past the bound, and
// another tool's results on the same path kept apart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type JobResult, Manifest } from '../../../src/manifest/index.js';
import { saveFiles } from '../../helpers/stored-files.js';
import { RESULT_HISTORY } from '../../../src/store/schema.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../../../src/types.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-peek-history-'));
  file = path.join(dir, 'manifest.db');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const LATCH = 'a'.repeat(32) as LatchId;
const hex = (n: number): string => n.toString(16).padStart(32, '0');
const pathOf = (i: number): RelPath => `src/f${i}.py` as RelPath;
/** Past the 1,024 journalled results that make flush() fold them into the snapshot. */
const FILES = 1100;

function result(tool: string, i: number, fingerprint: number, finishedAt: number, failed = false): JobResult {
  return {
    tool,
    path: pathOf(i),
    fingerprint: hex(fingerprint) as Fingerprint,
    latchId: LATCH,
    digest: hex(i) as Digest,
    status: failed ? 'failed' : 'passed',
    end: { kind: 'exit', code: failed ? 1 : 0 },
    durationMs: finishedAt,
    hasLog: false,
    finishedAt,
    usedAt: finishedAt,
    logBytes: 0,
    depsDigest: '',
    deps: '',
  };
}

function writeStore(): void {
  const m = Manifest.open(file);
  try {
    const paths = Array.from({ length: FILES }, (_, i) => pathOf(i));
    saveFiles(m, paths, (i) => hex(i) as Digest);
    m.together(() => {
      for (let i = 0; i < FILES; i++) m.recordResult(result('compile', i, 1000 + i, 10));
      // Folded with a history of three: files 3 and 4.
      for (const i of [3, 4]) for (const k of [1, 2]) m.recordResult(result('compile', i, 5000 + 10 * i + k, 10 + k));
      m.recordResult(result('lint', 3, 7000, 10));
    });
    expect(m.flush()).toBe(true);
    // Journalled after the fold: file 3 fails under a new fingerprint; file 4 runs again under its oldest one
    // (it replaces that result); file 5 gets past the bound; file 6 of another tool; file 7 twice.
    m.recordResult(result('compile', 3, 6003, 30, true));
    m.recordResult(result('compile', 4, 1004, 31));
    for (let k = 0; k < RESULT_HISTORY + 1; k++) m.recordResult(result('compile', 5, 6100 + k, 40 + k));
    m.recordResult(result('lint', 6, 7006, 50));
    m.recordResult(result('compile', 7, 6207, 60));
    m.recordResult(result('compile', 7, 6208, 61));
  } finally {
    m.close();
  }
}

const ASKED: [string, number][] = [
  ['compile', 0],
  ['compile', 3],
  ['compile', 4],
  ['compile', 5],
  ['compile', 7],
  ['compile', FILES - 1],
  ['lint', 3],
  ['lint', 6],
  ['lint', 0],
  ['compile', FILES + 5],
];

test('issue 14: peekHistory gives each job the results history() gives once all are decoded, and the same objects again', () => {
  writeStore();
  const decoded = Manifest.open(file);
  const peeking = Manifest.open(file);
  try {
    const want = ASKED.map(([tool, i]) => decoded.history(tool, pathOf(i)));
    // The cases are what they claim: a history of several, a replaced result, one at the bound, none.
    expect(want.map((h) => h.length)).toEqual([1, 4, 3, RESULT_HISTORY, 3, 1, 1, 1, 0, 0]);
    expect(want[1]![0]!.status).toBe('failed');
    expect(want[2]!.map((r) => r.fingerprint)).toEqual([hex(1004), hex(5042), hex(5041)]);

    const peeked = ASKED.map(([tool, i]) => peeking.peekHistory(tool, pathOf(i)));
    expect(peeked).toEqual(want);
    expect(peeking.peekHistory('compile', pathOf(3))).toBe(peeked[1]);
    // Decoding after the peeks reads every result as a manifest that never peeked does.
    expect(ASKED.map(([tool, i]) => peeking.history(tool, pathOf(i)))).toEqual(want);
    expect(peeking.results.get('compile')?.size).toBe(decoded.results.get('compile')?.size);
    expect(peeking.save(() => true)).toEqual(decoded.save(() => true));
  } finally {
    decoded.close();
    peeking.close();
  }
});

test('issue 14: a store with no results snapshot peeks at the journal alone', () => {
  const m = Manifest.open(file);
  try {
    m.recordResult(result('compile', 1, 1, 10));
    m.recordResult(result('compile', 1, 2, 11));
  } finally {
    m.close();
  }
  const peeking = Manifest.open(file);
  try {
    expect(peeking.peekHistory('compile', pathOf(1)).map((r) => r.fingerprint)).toEqual([hex(2), hex(1)]);
    expect(peeking.history('compile', pathOf(1)).map((r) => r.fingerprint)).toEqual([hex(2), hex(1)]);
  } finally {
    peeking.close();
  }
});
