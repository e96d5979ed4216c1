// GitHub Actions workflow commands: a failure's annotation and its log's group,
// escaped as GitHub documents ("Workflow commands for GitHub Actions").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { JobReport } from '../../../src/api/run-report.js';
import { escapeData, escapeProperty, githubFailure } from '../../../src/report/github.js';
import type { RelPath } from '../../../src/types.js';

let dir = '';
afterEach(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function failed(file: string, log: string | null): JobReport {
  return {
    tool: 'lint:strict, v2',
    path: file as RelPath,
    status: 'failed',
    reasons: [],
    end: { kind: 'exit', code: 3 },
    durationMs: 100,
    log,
    finishedAt: null,
  };
}

describe('GitHub Actions workflow commands', () => {
  test.each([
    ['plain', 'plain', 'plain'],
    ['100% done', '100%25 done', '100%25 done'],
    ['a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'],
    ['%0A stays itself', '%250A stays itself', '%250A stays itself'],
    ['a,b:c', 'a,b:c', 'a%2Cb%3Ac'],
  ])('issue 15: %j escapes as %j in a message and %j in a property', (text, data, property) => {
    expect(escapeData(text)).toBe(data);
    expect(escapeProperty(text)).toBe(property);
  });

  test('issue 15: a failure is an ::error annotation quoting its log end, then its log in a group', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-unit-'));
    const log = path.join(dir, 'f.log');
    fs.writeFileSync(log, '\x1b[31mbad\x1b[0m: 50%\nline 2\n');
    expect(githubFailure(failed('src/a,b.py', log), 'FAIL lint src/a,b.py (exit 3, 0.10s)', '  | body\n')).toBe(
      '::error file=src/a%2Cb.py,title=lint%3Astrict%2C v2::exit 3%0Abad: 50%25%0Aline 2\n' +
        '::group::FAIL lint src/a,b.py (exit 3, 0.10s)\n' +
        '  | body\n' +
        '::endgroup::\n',
    );
    expect(githubFailure(failed('a.py', null), 'FAIL x', '  (no output)\n').split('\n')[0]).toBe(
      '::error file=a.py,title=lint%3Astrict%2C v2::exit 3',
    );
  });
});
