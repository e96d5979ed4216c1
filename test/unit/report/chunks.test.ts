// The words and grouping for a batch tool's chunks (issue 14): a narrowing
// process's id names the chunk it narrows, whatever the tool's name holds, and a dry run
// lists a tool's chunks in the order the run starts them.
import { describe, expect, test } from 'vitest';
import { narrowedChunkId } from '../../../src/api/chunk.js';
import type { ChunkReport, JobReport } from '../../../src/api/run-report.js';
import { chunkLabel, chunksOfRun, describeChunk, sharedJudgement } from '../../../src/report/chunks.js';
import type { RelPath } from '../../../src/types.js';

describe('narrowedChunkId', () => {
  test.each([
    ['compile#1', null],
    ['compile#1.2', 'compile#1'],
    ['compile#12.10', 'compile#12'],
    ['py.compile#3', null],
    ['py.compile#3.1', 'py.compile#3'],
    ['a#b#2', null],
    ['a#b.c#2.2', 'a#b.c#2'],
  ])('issue 14: %s narrows %s', (id, parent) => {
    expect(narrowedChunkId(id)).toBe(parent);
  });
});

function job(path: string, chunk?: ChunkReport): JobReport {
  return {
    tool: 'compile',
    path: path as RelPath,
    status: 'would-run',
    reasons: [],
    end: null,
    durationMs: null,
    log: null,
    finishedAt: null,
    ...(chunk === undefined ? {} : { chunk }),
  };
}

test("issue 14: a dry run groups a tool's files by chunk, chunks by their numbers (#10 after #9), one-file jobs left out", () => {
  const c = (n: number): ChunkReport => ({ id: `compile#${n}`, files: 1, narrowing: null });
  const jobs = [job('z.py', c(10)), job('a.py', c(9)), job('b.py', c(9)), job('one.py')];
  expect(chunksOfRun(jobs).map((t) => [t.tool, t.chunks.map((x) => [x.chunk.id, x.jobs.map((j) => j.path)])])).toEqual([
    [
      'compile',
      [
        ['compile#9', ['a.py', 'b.py']],
        ['compile#10', ['z.py']],
      ],
    ],
  ]);
});

test('issue 14: a chunk in words: on the bar, in -v lines, and for a file judged with others', () => {
  const step: ChunkReport = { id: 'compile#2.1', files: 1, narrowing: 'compile#2' };
  const whole: ChunkReport = { id: 'compile#2', files: 4, narrowing: null };
  expect(chunkLabel('compile', whole)).toBe('compile (4 files)');
  expect(chunkLabel('compile', step)).toBe('compile (1 file, narrowing)');
  expect(describeChunk(step)).toBe('compile#2.1 (1 file, narrowing compile#2)');
  expect(sharedJudgement(job('a.py', step))).toBeNull();
  expect(sharedJudgement(job('a.py'))).toBeNull();
  expect(sharedJudgement(job('a.py', whole))).toBe(
    "judged in chunk compile#2 with 3 other files: its log is that process's whole output",
  );
  // A file the failure pattern named has the lines naming it as its log, not the whole output.
  expect(sharedJudgement({ ...job('a.py', whole), status: 'failed', named: 2 })).toBe(
    'named by the failure pattern in the output of chunk compile#2 (4 files): its log is the lines naming it',
  );
});
