// RunTrace (report/trace.ts): the run's events, heard on a manual clock, as
// trace spans on lanes; what is still open when the trace is taken.
import { describe, expect, test } from 'vitest';
import type { JobReport } from '../../../src/api/run-report.js';
import { RunTrace, type TraceEvent } from '../../../src/report/trace.js';
import type { RelPath } from '../../../src/types.js';

function clock(): { now: () => number; at: (ms: number) => void } {
  let t = 0;
  return { now: () => t, at: (ms) => (t = ms) };
}

function finished(path: string, over: Partial<JobReport> = {}): JobReport {
  return {
    tool: 'lint',
    path: path as RelPath,
    status: 'passed',
    reasons: [],
    end: { kind: 'exit', code: 0 },
    durationMs: 1,
    log: null,
    finishedAt: null,
    ...over,
  };
}

const spans = (events: TraceEvent[]) =>
  events.filter((e) => e.ph === 'X').map((e) => [e.name, e.tid, e.ts, e.dur, e.args?.unfinished === true]);

describe('RunTrace', () => {
  test('issue 17: a job takes the lowest free slot lane, phases and token waits have lanes of their own, times in microseconds', () => {
    const c = clock();
    const t = new RunTrace(c.now, 7, 'runner run');
    t.hear({ type: 'phase-started', phase: 'scan' });
    c.at(2);
    t.hear({ type: 'phase-finished', phase: 'scan' });
    t.hear({ type: 'token-wait-started' });
    c.at(2.5);
    t.hear({ type: 'token-wait-finished', got: true });
    t.hear({ type: 'job-started', tool: 'lint', path: 'a.py' as RelPath });
    c.at(3);
    t.hear({ type: 'job-started', tool: 'lint', path: 'b.py' as RelPath });
    c.at(4);
    t.hear({ type: 'job-finished', job: finished('a.py') });
    t.hear({ type: 'job-started', tool: 'lint', path: 'c.py' as RelPath });
    c.at(5);
    t.hear({ type: 'job-finished', job: finished('b.py', { status: 'failed', end: { kind: 'exit', code: 2 } }) });
    t.hear({ type: 'job-finished', job: finished('c.py') });
    const doc = t.document();
    expect(spans(doc.traceEvents)).toEqual([
      ['scan', 1, 0, 2000, false],
      ['waiting for a token', 2, 2000, 500, false],
      ['lint a.py', 3, 2500, 1500, false],
      ['lint b.py', 4, 3000, 2000, false],
      ['lint c.py', 3, 4000, 1000, false],
    ]);
    expect(doc.traceEvents.find((e) => e.name === 'lint b.py')?.args).toMatchObject({ status: 'failed', exit: 2 });
    const names = doc.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args?.name]);
    expect(names).toEqual([
      [1, 'runner'],
      [2, 'token waits'],
      [3, 'slot 1'],
      [4, 'slot 2'],
    ]);
    expect(doc.traceEvents[0]).toEqual({ name: 'process_name', ph: 'M', pid: 7, tid: 0, args: { name: 'runner run' } });
  });

  test('issue 17: spans still open when the trace is taken end at the interrupt, marked unfinished', () => {
    const c = clock();
    const t = new RunTrace(c.now, 7, 'runner run');
    c.at(1);
    t.hear({ type: 'job-started', tool: 'lint', path: 'a.py' as RelPath });
    t.hear({ type: 'token-wait-started' });
    c.at(3);
    t.interrupted('SIGINT');
    c.at(9);
    const doc = t.document();
    expect(spans(doc.traceEvents)).toEqual([
      ['waiting for a token', 2, 1000, 2000, true],
      ['lint a.py', 3, 1000, 2000, true],
    ]);
    expect(doc.traceEvents.filter((e) => e.ph === 'i').map((e) => [e.name, e.ts])).toEqual([
      ['interrupted (SIGINT)', 3000],
    ]);
    // Taking it changed nothing: the job's end, heard later, still closes its span.
    t.hear({ type: 'job-finished', job: finished('a.py', { status: 'interrupted' }) });
    expect(spans(t.document().traceEvents)).toContainEqual(['lint a.py', 3, 1000, 8000, false]);
  });

  test("issue 17: a batch process is one span with its files, counting its files' verdicts", () => {
    const c = clock();
    const t = new RunTrace(c.now, 7, 'runner run');
    const chunk = { id: 'lint#1', files: 2, narrowing: null };
    const paths = ['a.py', 'b.py'] as RelPath[];
    t.hear({ type: 'chunk-started', tool: 'lint', chunk, paths });
    for (const p of paths) t.hear({ type: 'job-started', tool: 'lint', path: p, chunk: chunk.id });
    c.at(2);
    for (const p of paths) t.hear({ type: 'job-finished', job: finished(p, { chunk }) });
    t.hear({
      type: 'chunk-finished',
      tool: 'lint',
      chunk,
      end: { kind: 'exit', code: 0 },
      durationMs: 2,
      narrowing: false,
    });
    const [span] = t.document().traceEvents.filter((e) => e.ph === 'X');
    expect(span).toMatchObject({
      name: 'lint lint#1 (2 files)',
      cat: 'chunk',
      tid: 3,
      ts: 0,
      dur: 2000,
      args: { chunk: 'lint#1', files: ['a.py', 'b.py'], exit: 0, results: { passed: 2 } },
    });
  });
});
