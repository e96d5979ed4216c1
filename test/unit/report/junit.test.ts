import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { RunReport } from '../../../src/api.js';
import { type LogTail, readLogTail, renderJunit } from '../../../src/report/junit.js';
import { type JobReport, unchangedScan } from '../../../src/api/run-report.js';
import type { RelPath } from '../../../src/types.js';
import { validateJunit } from '../../helpers/junit.js';

const style = { color: false, cwd: '/src' };
const at = new Date('2026-11-21T10:00:00.000Z');

function job(tool: string, file: string, extra: Partial<JobReport>): JobReport {
  return {
    tool,
    path: file as RelPath,
    status: 'passed',
    reasons: [{ kind: 'new' }],
    end: { kind: 'exit', code: 0 },
    durationMs: 1500,
    log: null,
    finishedAt: null,
    ...extra,
  };
}

function report(jobs: JobReport[], extra: Partial<RunReport> = {}): RunReport {
  return {
    dryRun: false,
    scan: unchangedScan(9),
    counts: {
      jobs: jobs.length + 5,
      ran: 0,
      passed: 0,
      failed: 0,
      interrupted: 0,
      cachedFailures: 0,
      fresh: 5,
      notStarted: 0,
      unreadable: 0,
    },
    jobs,
    interrupted: null,
    mergedLog: null,
    durationMs: 4321,
    ...extra,
  };
}

const logs: Record<string, LogTail> = {
  '/src/.runner/logs/f.log': { text: '\x1b[31mError\x1b[0m: a < b && c > d\x00\n', omitted: 0 },
  '/src/.runner/logs/big.log': { text: 'the end\n', omitted: 70000 },
};
const readLog = (file: string): LogTail | null => logs[file] ?? null;

describe('the JUnit report', () => {
  let dir = '';
  afterEach(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  test('one testsuite per tool in plan order, counts and times on suites and the root', () => {
    const xml = renderJunit(
      style,
      report([
        job('lint', 'a.py', {}),
        job('test', 't.py', {
          status: 'failed',
          end: { kind: 'exit', code: 1 },
          log: '/src/.runner/logs/f.log',
          durationMs: 250,
        }),
        job('lint', 'b.py', { status: 'failed', end: { kind: 'exit', code: 2 }, log: null, durationMs: 500 }),
      ]),
      at,
      readLog,
    );
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="runner" tests="3" failures="2" errors="0" time="4.321">\n',
      ),
    ).toBe(true);
    expect(xml).toContain('<!-- 5 fresh jobs (unchanged since they last passed) are not listed -->');
    const suites = [
      ...xml.matchAll(
        /<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)" time="([^"]+)"/g,
      ),
    ].map((m) => m.slice(1));
    expect(suites).toEqual([
      ['lint', '2', '1', '0', '0', '2.000'],
      ['test', '1', '1', '0', '0', '0.250'],
    ]);
    expect(xml).toContain(
      '<testcase name="a.py" classname="lint" time="1.500"><system-out>reasons: new file\n</system-out></testcase>',
    );
    expect(xml).toContain('<failure message="exit 2" type="exit">(no output)</failure>');
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
  });

  test('issue 10: a job whose file cannot be read is an error naming the path and why, never a pass or a skip', () => {
    const reasons = [{ kind: 'unreadable', path: 'pkg', why: 'directory cannot be read (EACCES)' } as const];
    const xml = renderJunit(
      style,
      report([job('lint', 'pkg/a.py', { status: 'unreadable', reasons, end: null, durationMs: null })]),
      at,
      readLog,
    );
    expect(xml).toContain('<error message="not checked: pkg: directory cannot be read (EACCES)" type="unreadable"/>');
    expect(xml).toContain('tests="1" failures="0" errors="1" skipped="0"');
  });

  test('a failure carries its log, escaped and without terminal escapes or illegal characters', () => {
    const xml = renderJunit(
      style,
      report([
        job('test', 't.py', { status: 'failed', end: { kind: 'exit', code: 1 }, log: '/src/.runner/logs/f.log' }),
      ]),
      at,
      readLog,
    );
    expect(xml).toContain(
      '<failure message="exit 1" type="exit">Error: a &lt; b &amp;&amp; c &gt; d\n</failure><system-out>reasons: new file\nlog: .runner/logs/f.log\n</system-out>',
    );
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
  });

  test('a long log is cut to its end, saying how much was left out and where the whole is', () => {
    const xml = renderJunit(
      style,
      report([
        job('test', 't.py', { status: 'failed', end: { kind: 'exit', code: 1 }, log: '/src/.runner/logs/big.log' }),
      ]),
      at,
      readLog,
    );
    expect(xml).toContain(
      '<failure message="exit 1" type="exit">... (70000 earlier bytes in .runner/logs/big.log)\nthe end\n</failure>',
    );
  });

  test('timeouts, signals and a log gone missing are described', () => {
    const xml = renderJunit(
      style,
      report([
        job('test', 'slow.py', {
          status: 'failed',
          end: { kind: 'timeout', stopped: { kind: 'signal', signal: 'SIGKILL' } },
          durationMs: 60000,
        }),
        job('test', 'killed.py', {
          status: 'failed',
          end: { kind: 'signal', signal: 'SIGSEGV' },
          log: '/src/.runner/logs/gone.log',
        }),
      ]),
      at,
      readLog,
    );
    expect(xml).toContain('<failure message="timed out after 60.00s" type="timeout">');
    expect(xml).toContain(
      '<failure message="killed by SIGSEGV" type="signal">(log missing: .runner/logs/gone.log)</failure>',
    );
  });

  test('a cached failure is a failure marked as cached, with when it last ran, and takes no time in this run', () => {
    const xml = renderJunit(
      style,
      report([
        job('test', 't.py', {
          status: 'cached-failure',
          reasons: [],
          end: { kind: 'exit', code: 1 },
          log: '/src/.runner/logs/f.log',
          finishedAt: Date.parse('2026-11-20T09:30:00.000Z'),
        }),
      ]),
      at,
      readLog,
    );
    expect(xml).toContain(
      '<testcase name="t.py" classname="test" time="0.000">' +
        '<failure message="cached failure (exit 1, last ran 2026-11-20T09:30:00.000Z); not rerun: its inputs did not change" type="cached-failure">Error: a &lt; b &amp;&amp; c &gt; d\n</failure>' +
        '<system-out>log: .runner/logs/f.log\ncached: true\nlastRan: 2026-11-20T09:30:00.000Z\nlastDuration: 1.500s\n</system-out></testcase>',
    );
  });

  test('an interrupted run: the stopped job is an error, the ones never started are skipped', () => {
    const xml = renderJunit(
      style,
      report(
        [
          job('test', 'a.py', {
            status: 'interrupted',
            end: { kind: 'interrupted', stopped: { kind: 'signal', signal: 'SIGTERM' } },
            durationMs: 2000,
          }),
          job('test', 'b.py', { status: 'not-started', end: null, durationMs: null }),
        ],
        { interrupted: 'SIGINT' },
      ),
      at,
      readLog,
    );
    expect(xml).toContain('tests="2" failures="0" errors="1" skipped="1"');
    expect(xml).toContain(
      '<error message="interrupted after 2.00s (run stopped by SIGINT)" type="interrupted">(no output)</error>',
    );
    expect(xml).toContain(
      '<testcase name="b.py" classname="test" time="0.000"><skipped message="not started: the run was stopped by SIGINT"/><system-out>reasons: new file\n</system-out></testcase>',
    );
    const failFast = renderJunit(
      style,
      report([job('test', 'b.py', { status: 'not-started', end: null })]),
      at,
      readLog,
    );
    expect(failFast).toContain('<skipped message="not started: the run stopped after a failure (--fail-fast)"/>');
  });

  test('issue 15: a fresh job listed by the run is a pass marked cached, with when it last ran, taking no time in this run', () => {
    const xml = renderJunit(
      style,
      report([
        job('lint', 'a.py', {
          reasons: [],
          cached: true,
          log: '/src/.runner/logs/a.log',
          finishedAt: Date.parse('2026-11-20T09:30:00.000Z'),
        }),
      ]),
      at,
      readLog,
    );
    expect(xml).toContain(
      '<testcase name="a.py" classname="lint" time="0.000"><system-out>log: .runner/logs/a.log\ncached: true\n' +
        'lastRan: 2026-11-20T09:30:00.000Z\nlastDuration: 1.500s\n</system-out></testcase>',
    );
    expect(xml).toContain('tests="1" failures="0" errors="0" skipped="0" time="0.000"');
    // 5 fresh counted, 1 listed: the comment says what is left out.
    expect(xml).toContain('<!-- 4 fresh jobs (unchanged since they last passed) are not listed -->');
  });

  test("issue 15: a report with every kind of job validates against Jenkins' JUnit schema (xmllint)", () => {
    const ended = { end: { kind: 'exit', code: 1 }, log: '/src/.runner/logs/f.log' } as const;
    const xml = renderJunit(
      style,
      report(
        [
          job('lint', 'a.py', {}),
          job('lint', 'fresh.py', { reasons: [], cached: true, finishedAt: 0 }),
          job('lint', 'b.py', { status: 'failed', ...ended }),
          job('lint', 'c.py', { status: 'cached-failure', reasons: [], ...ended, finishedAt: 0 }),
          job('test', 'd.py', { status: 'interrupted', end: { kind: 'interrupted', stopped: null }, log: null }),
          job('test', 'e.py', { status: 'not-started', end: null, chunk: { id: 'test#1', files: 2, narrowing: null } }),
          job('test', 'f.py', {
            status: 'passed',
            chunk: { id: 'test#1.1', files: 1, narrowing: 'test#1' },
          }),
          job('test', 'g.py', {
            status: 'unreadable',
            reasons: [{ kind: 'unreadable', path: 'g.py', why: 'EACCES' }],
            end: null,
          }),
        ],
        { interrupted: 'SIGINT' },
      ),
      at,
      readLog,
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-unit-'));
    const file = path.join(dir, 'junit.xml');
    fs.writeFileSync(file, xml);
    expect(() => validateJunit(file)).not.toThrow();
    // What the schema has no place for inside a testcase is in its system-out.
    expect(xml).toContain(
      '<system-out>reasons: new file\nchunk: test#1.1\nchunkFiles: 1\nchunkNarrowing: test#1\n</system-out>',
    );
  });

  test('names with markup characters are escaped in attributes', () => {
    const xml = renderJunit(
      style,
      report([job('t&"<x>', "it's <a>.py", {})], { counts: { ...report([]).counts, fresh: 0 } }),
      at,
      readLog,
    );
    expect(xml).toContain('<testsuite name="t&amp;&quot;&lt;x&gt;"');
    expect(xml).toContain('<testcase name="it&apos;s &lt;a&gt;.py" classname="t&amp;&quot;&lt;x&gt;"');
    expect(xml).not.toContain('<!--');
  });
});

describe('reading the end of a log', () => {
  let dir = '';
  afterEach(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  test('keeps the last bytes, starting on a whole UTF-8 character', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-unit-'));
    const file = path.join(dir, 'x.log');
    fs.writeFileSync(file, 'ab' + 'é'.repeat(10)); // 2 + 20 bytes
    expect(readLogTail(file, 100)).toEqual({ text: 'ab' + 'é'.repeat(10), omitted: 0 });
    expect(readLogTail(file, 5)).toEqual({ text: 'éé', omitted: 18 }); // the cut fell inside an é: it starts at the next
    expect(readLogTail(path.join(dir, 'missing.log'))).toBeNull();
  });
});
