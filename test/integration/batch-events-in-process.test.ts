// What the library says while a batch tool (issue 14) runs, heard in this
// process with the fake command runner: an event for every process that
// really starts and ends (a chunk, or a process narrowing a failed one), and
// still one job-started and one job-finished per file.
import { expect, test } from 'vitest';
import type { RunnerEvent } from '../../src/api.js';
import { FakeCommandRunner } from '../helpers/fake-command-runner.js';
import { jobsTree, runInProcess } from '../helpers/in-process.js';

const batch = { tools: [{ name: 'check', command: ['cat', '{files}'] }] };
const short = (p: string): string => p.replace(/^jobs\/a(\d+)\.txt$/, '$1');

/** Each event as a short line: chunk and job events only. */
function said(events: readonly RunnerEvent[]): string[] {
  return events.flatMap((e) => {
    switch (e.type) {
      case 'chunk-started':
        return [`start ${e.chunk.id} [${e.paths.map(short).join(' ')}] narrowing ${e.chunk.narrowing}`];
      case 'chunk-finished':
        return [`end ${e.chunk.id}${e.narrowing ? ' narrowing' : ''}`];
      case 'job-started':
        return [`started ${short(e.path)} in ${e.chunk}`];
      case 'job-finished':
        return [`${e.job.status} ${short(e.job.path)} by ${e.job.chunk?.id}`];
      default:
        return [];
    }
  });
}

test('issue 14: every process a batch tool runs, narrowing ones included, has its chunk-started and chunk-finished; each file is started and finished once', async () => {
  const sb = jobsTree(4, { ...batch, jobs: 1 });
  const runner = new FakeCommandRunner((j) =>
    j.command.args.includes('jobs/a2.txt') ? { status: 'failed' } : { status: 'passed' },
  );
  const { reporter, result } = runInProcess(sb, runner);
  await result;
  const lines = said(reporter.events);
  // One start and one end per process that ran.
  const starts = lines.filter((l) => l.startsWith('start ')).sort();
  expect(starts).toEqual([
    'start check#1 [1 2 3 4] narrowing null',
    'start check#1.1 [1 2] narrowing check#1',
    'start check#1.2 [1] narrowing check#1',
    'start check#1.3 [2] narrowing check#1',
    'start check#1.4 [3 4] narrowing check#1',
  ]);
  expect(runner.started).toHaveLength(starts.length);
  expect(lines.filter((l) => l.startsWith('end ')).sort()).toEqual([
    'end check#1 narrowing',
    'end check#1.1 narrowing',
    'end check#1.2 narrowing',
    'end check#1.3 narrowing',
    'end check#1.4',
  ]);
  for (const id of ['check#1', 'check#1.1', 'check#1.2', 'check#1.3', 'check#1.4'])
    expect(lines.findIndex((l) => l.startsWith(`start ${id} `))).toBeLessThan(
      lines.findIndex((l) => l === `end ${id}` || l === `end ${id} narrowing`),
    );
  // Each file started once, as its planned chunk started (narrowing processes start no file again), and finished once.
  expect(lines.slice(1, 5)).toEqual([
    'started 1 in check#1',
    'started 2 in check#1',
    'started 3 in check#1',
    'started 4 in check#1',
  ]);
  expect(lines.filter((l) => l.startsWith('started '))).toHaveLength(4);
  expect(lines.filter((l) => / by /.test(l)).sort()).toEqual([
    'failed 2 by check#1.3',
    'passed 1 by check#1.2',
    'passed 3 by check#1.4',
    'passed 4 by check#1.4',
  ]);
});
