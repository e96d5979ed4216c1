// The merged log's header names how each failure ended, one case per end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeMergedLogFile } from '../../../src/api/merged-log.js';
import type { JobEnd } from '../../../src/job-end.js';
import type { JobReport } from '../../../src/api/run-report.js';
import type { RelPath } from '../../../src/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function failure(file: string, end: JobEnd, status: JobReport['status'] = 'failed'): JobReport {
  return {
    tool: 'check',
    path: file as RelPath,
    status,
    reasons: [],
    end,
    durationMs: 10,
    log: null,
    finishedAt: null,
  };
}

describe('merged log headers', () => {
  it('issue 13: name each way a failure ended, and a job that could not start as such', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-merged-'));
    dirs.push(dir);
    const file = path.join(dir, 'merged.log');
    writeMergedLogFile('--merged-log', file, [
      failure('a', { kind: 'exit', code: 2 }),
      failure('b', { kind: 'signal', signal: 'SIGSEGV' }),
      failure('c', { kind: 'timeout', stopped: { kind: 'signal', signal: 'SIGTERM' } }),
      // Before the union its null code and signal read "signal ?".
      failure('d', { kind: 'spawn-error' }),
      failure('e', { kind: 'exit', code: 1 }, 'cached-failure'),
      failure('f', { kind: 'exit', code: 0 }, 'passed'),
    ]);
    expect(
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('==>')),
    ).toEqual([
      '==> check a (exit 2) <==',
      '==> check b (signal SIGSEGV) <==',
      '==> check c (timed out) <==',
      '==> check d (could not start) <==',
      '==> check e (cached failure, exit 1) <==',
    ]);
  });
});
