// runner watch's reporter: one per cycle, made when the cycle starts, and one
// exit handler however many cycles run.
import { describe, expect, test } from 'vitest';
import { pendingCleanups, runCleanups } from '../../../src/cli/cleanup.js';
import { CycleReporter } from '../../../src/cli/cycle-reporter.js';
import type { Io } from '../../../src/cli/io.js';
import type { JobReport } from '../../../src/api/run-report.js';
import type { RelPath } from '../../../src/types.js';

function textIo(): { io: Io; out: string[] } {
  const out: string[] = [];
  const stream = { write: (s: string) => out.push(s) > 0 };
  return { io: { out: stream, err: stream, env: {}, globals: {}, color: false, cwd: '/' }, out };
}

const passed = (path: string): JobReport => ({
  tool: 'probe',
  path: path as RelPath,
  status: 'passed',
  reasons: [],
  end: { kind: 'exit', code: 0 },
  durationMs: 10,
  log: null,
  finishedAt: null,
});

describe('the reporter of runner watch', () => {
  test('a hundred cycles add one exit handler, not one per cycle', () => {
    runCleanups();
    const { io, out } = textIo();
    const reporter = new CycleReporter(io);
    expect(pendingCleanups()).toBe(1);
    for (let i = 0; i < 100; i++) {
      reporter.begin();
      reporter.emit({ type: 'planned', jobs: 1, stale: 1, cachedFailures: 0, fresh: 0 });
      reporter.emit({ type: 'job-started', tool: 'probe', path: `f${i}.py` as RelPath });
      reporter.emit({ type: 'job-finished', job: passed(`f${i}.py`) });
      reporter.close();
    }
    expect(pendingCleanups()).toBe(1);
    // Not a terminal: one plain line per finished job, from each cycle's reporter.
    expect(out).toHaveLength(100);
    expect(out[99]).toBe('PASS probe f99.py (0.01s)\n');
    runCleanups();
    expect(pendingCleanups()).toBe(0);
  });

  test('what is reported between cycles still reaches the terminal', () => {
    const { io, out } = textIo();
    const reporter = new CycleReporter(io);
    reporter.emit({ type: 'warning', message: 'before any cycle' });
    reporter.begin();
    reporter.emit({ type: 'warning', message: 'in a cycle' });
    reporter.close();
    reporter.emit({ type: 'warning', message: 'after it' });
    expect(out).toEqual([
      'runner: warning: before any cycle\n',
      'runner: warning: in a cycle\n',
      'runner: warning: after it\n',
    ]);
    runCleanups();
  });
});
