import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEnd, logExcerpt } from '../../../src/report/lines.js';
import type { JobReport } from '../../../src/api/run-report.js';
import type { RelPath } from '../../../src/types.js';

function job(over: Partial<JobReport>): JobReport {
  return {
    tool: 'test',
    path: 'a.py' as RelPath,
    status: 'failed',
    reasons: [],
    end: null,
    durationMs: 1010,
    log: null,
    finishedAt: null,
    ...over,
  };
}

describe('describeEnd', () => {
  it.each([
    ['a pass', job({ status: 'passed', end: { kind: 'exit', code: 0 } }), '1.01s'],
    ['a failure', job({ end: { kind: 'exit', code: 3 } }), 'exit 3, 1.01s'],
    ['a kill', job({ end: { kind: 'signal', signal: 'SIGSEGV' } }), 'killed by SIGSEGV, 1.01s'],
    [
      'a timeout',
      job({ end: { kind: 'timeout', stopped: { kind: 'signal', signal: 'SIGTERM' } } }),
      'timed out after 1.01s',
    ],
    [
      'an interrupted job',
      job({ status: 'interrupted', end: { kind: 'interrupted', stopped: { kind: 'signal', signal: 'SIGTERM' } } }),
      'interrupted after 1.01s',
    ],
    [
      'a cached failure',
      job({ status: 'cached-failure', end: { kind: 'exit', code: 1 } }),
      'cached failure, exit 1; --rerun-failed runs it again',
    ],
    // A cached timeout is a cached failure first: it did not run now.
    [
      'a cached timeout',
      job({ status: 'cached-failure', end: { kind: 'timeout', stopped: { kind: 'signal', signal: 'SIGTERM' } } }),
      'cached failure, timed out after 1.01s; --rerun-failed runs it again',
    ],
  ])('%s', (_what, j, text) => {
    expect(describeEnd(j)).toBe(text);
  });
});

describe('logExcerpt', () => {
  it('shows a log without terminal escapes or control characters when there is no colour, as is on a terminal', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-excerpt-'));
    try {
      const log = path.join(dir, 'job.log');
      fs.writeFileSync(log, '\x1b[31mred\x1b[0m\rover\x07\tend\n\x1b]0;title\x07next\n');
      expect(logExcerpt({ color: false, cwd: dir }, log)).toBe('  | redover\tend\n  | next\n  log: job.log\n');
      expect(logExcerpt({ color: true, cwd: dir }, log)).toBe(
        '  | \x1b[31mred\x1b[0m\rover\x07\tend\n  | \x1b]0;title\x07next\n  log: job.log\n',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
