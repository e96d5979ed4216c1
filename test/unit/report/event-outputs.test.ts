// The text, JSON and JUnit outputs as consumers of the library's one event
// stream: each renders the events that are its own and ignores the rest, and
// a run's report is rendered once, when the run-finished event carries it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RunnerEvent } from '../../../src/api/events.js';
import type { JobReport, RunReport } from '../../../src/api/run-report.js';
import { ConfigError } from '../../../src/errors.js';
import { JsonOutput } from '../../../src/report/json-output.js';
import { jobJson, runJson } from '../../../src/report/json.js';
import { JunitOutput } from '../../../src/report/junit-output.js';
import { TextReporter } from '../../../src/report/text-reporter.js';
import { runReport } from '../../helpers/run-report.js';
import type { RelPath } from '../../../src/types.js';

const style = { color: false, cwd: '/src' };

function job(file: string, over: Partial<JobReport> = {}): JobReport {
  return {
    tool: 'lint',
    path: file as RelPath,
    status: 'passed',
    reasons: [{ kind: 'new' }],
    end: { kind: 'exit', code: 0 },
    durationMs: 1500,
    log: null,
    finishedAt: null,
    ...over,
  };
}

const report = runReport;

const cycleStart = {
  cycle: 2,
  request: null,
  changed: 1,
  added: 0,
  removed: 0,
  configReloaded: false,
  toolsChanged: false,
  recordedChanged: false,
  fullScan: false,
};

/** One event of every type the library emits, in an order a watch or a run could send them. */
function everyEvent(finished: RunReport): RunnerEvent[] {
  const error = new ConfigError({ file: '.runnerrc.json', key: 'jobs', value: 0, expected: 'a positive whole number' });
  return [
    { type: 'waiting-for-runner', pid: 42, stateDir: '/src/.runner' },
    { type: 'scan-progress', visited: 10, hashed: 2 },
    {
      type: 'scan-issue',
      issue: { path: 'x.py' as RelPath, entry: 'file', kind: 'unreadable', detail: 'permission denied' },
    },
    { type: 'warning', message: 'a warning' },
    {
      type: 'unresolved-imports',
      found: [{ specifier: 'leftpad', kind: 'package', first: 'a.js' as RelPath, files: 1 }],
    },
    { type: 'phase-started', phase: 'scan' },
    { type: 'phase-finished', phase: 'scan' },
    { type: 'planned', jobs: 3, stale: 2, cachedFailures: 0, fresh: 1 },
    { type: 'token-wait-started' },
    { type: 'token-wait-finished', got: true },
    { type: 'tokens-held', releaseAll: () => {} },
    { type: 'staged-tree-made', remove: () => {} },
    {
      type: 'chunk-started',
      tool: 'lint',
      chunk: { id: 'lint#1', files: 1, narrowing: null },
      paths: ['a.py' as RelPath],
    },
    { type: 'job-started', tool: 'lint', path: 'a.py' as RelPath, chunk: 'lint#1' },
    { type: 'job-finished', job: job('a.py') },
    {
      type: 'chunk-finished',
      tool: 'lint',
      chunk: { id: 'lint#1', files: 1, narrowing: null },
      end: { kind: 'exit', code: 0 },
      durationMs: 1500,
      narrowing: false,
    },
    { type: 'fresh-listed', jobs: [job('b.py', { reasons: [], cached: true, finishedAt: 1700000000000 })] },
    { type: 'cached-failure', job: job('c.py', { status: 'cached-failure', end: { kind: 'exit', code: 1 } }) },
    {
      type: 'job-unchecked',
      job: job('x.py', {
        status: 'unreadable',
        end: null,
        durationMs: null,
        reasons: [{ kind: 'unreadable', path: 'x.py', why: 'permission denied' }],
      }),
    },
    { type: 'cycle-started', cycle: cycleStart },
    { type: 'cycle-finished', cycle: { cycle: 2, report: finished, watching: 3 } },
    { type: 'config-rejected', error },
    { type: 'cycle-failed', error, cycle: 3 },
    { type: 'watcher-error', message: 'lost events' },
    { type: 'run-finished', report: finished },
  ];
}

function textOutput(json: boolean): { reporter: TextReporter; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const reporter = new TextReporter({
    ...style,
    out: { write: (s: string) => out.push(s) > 0 },
    err: { write: (s: string) => err.push(s) > 0 },
    progress: false,
    everyJob: true,
    quiet: false,
    verbose: false,
    json,
  });
  return { reporter, out, err };
}

describe('the text reporter', () => {
  test('issue 13: a job that ran, a cached failure and a job not checked each get their line; the summary comes with run-finished', () => {
    const { reporter, out, err } = textOutput(false);
    const finished = report([job('a.py')]);
    for (const e of everyEvent(finished)) reporter.emit(e);
    expect(out.join('').split('\n')[0]).toBe('PASS lint a.py (1.50s)');
    expect(out.join('')).toContain(
      'FAIL lint c.py (cached failure, exit 1; --rerun-failed runs it again)\n  (no output)\n',
    );
    expect(out.join('')).toContain('UNREADABLE lint x.py (');
    // A watch's own events are cli/cycle-reporter.ts's: none of them reaches this reporter's output.
    expect(out.at(-1)).toBe('runner: 3 jobs: 2 ran (1 passed, 1 failed), 0 cached failures, 1 fresh in 2.00s\n');
    expect(err.join('')).toContain('runner: waiting for another runner (pid 42) using /src/.runner\n');
    expect(err.join('')).toContain('runner: warning: a warning\n');
    expect(err.join('')).not.toContain('lost events');
  });

  test('with --json, stdout gets nothing from it; warnings still go to stderr', () => {
    const { reporter, out, err } = textOutput(true);
    for (const e of everyEvent(report([job('a.py')]))) reporter.emit(e);
    expect(out).toEqual([]);
    expect(err.join('')).toContain('runner: warning: a warning\n');
  });
});

describe('the JSON output', () => {
  test('issue 13: one object when the run finishes and one per watch cycle, nothing for any other event', () => {
    const out: string[] = [];
    const json = new JsonOutput({
      style,
      out: { write: (s: string) => out.push(s) > 0 },
      exitCode: (r) => (r.counts.failed > 0 ? 1 : 0),
    });
    for (const e of everyEvent(report([job('a.py')]))) json.emit(e);
    const objects = out.map(
      (line) => JSON.parse(line) as { command: string; cycle?: number; exitCode: number; error?: unknown },
    );
    expect(objects.map((o) => [o.command, o.cycle ?? null, o.exitCode])).toEqual([
      ['watch', 2, 1],
      ['watch', 3, 2],
      ['run', null, 1],
    ]);
  });

  test('issue 14: the fresh jobs listed while the run goes on are rendered then, and their text is the one the object carries', () => {
    const out: string[] = [];
    const json = new JsonOutput({ style, out: { write: (s: string) => out.push(s) > 0 }, exitCode: () => 0 });
    const fresh = [1, 2, 3].map((i) =>
      job(`f${i}.py`, { reasons: [], cached: true, finishedAt: 1700000000000 + i, log: `/src/.runner/logs/${i}.log` }),
    );
    const ran = job('a.py');
    const finished = report([fresh[0]!, ran, fresh[1]!, fresh[2]!]);
    const whole = runJson(style, finished, 0);
    json.emit({ type: 'fresh-listed', jobs: fresh });
    // Rendered when listed: what the object holds of f2.py is what it was then.
    const listedAs = JSON.stringify(jobJson(style, fresh[1]!));
    fresh[1]!.durationMs = 99999;
    json.emit({ type: 'run-finished', report: finished });
    const obj = JSON.parse(out[0]!) as { jobs: { file: string; durationMs: number }[] };
    expect(obj.jobs.map((j) => j.file)).toEqual(['f1.py', 'a.py', 'f2.py', 'f3.py']);
    expect(JSON.stringify(obj.jobs[2])).toBe(listedAs);
    fresh[1]!.durationMs = 1500;
    expect(out[0]).toBe(whole);
    // A later run's object renders its own jobs: nothing listed before is kept.
    json.emit({ type: 'run-finished', report: finished });
    expect(out[1]).toBe(whole);
  });

  test('a JUnit file that could not be written leaves the run without its object (the error is the output)', () => {
    const out: string[] = [];
    const junit = { written: null, error: new Error('disk full') };
    const json = new JsonOutput({ style, out: { write: (s: string) => out.push(s) > 0 }, exitCode: () => 0, junit });
    json.emit({ type: 'run-finished', report: report([]) });
    expect(out).toEqual([]);
  });
});

describe('the JUnit output', () => {
  test('issue 13: writes its file when the run finishes, and none for a dry run or any other event', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-junit-out-'));
    try {
      const file = path.join(dir, 'junit.xml');
      const junit = new JunitOutput({ color: false, cwd: dir }, file, () => new Date('2026-12-05T00:00:00Z'));
      for (const e of everyEvent(report([job('a.py')], { dryRun: true }))) junit.emit(e);
      expect(fs.existsSync(file)).toBe(false);
      expect(junit.written).toBeNull();
      junit.emit({ type: 'run-finished', report: report([job('a.py')]) });
      expect(junit.written).toBe(file);
      expect(fs.readFileSync(file, 'utf8')).toContain('<testcase name="a.py"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that cannot be written is kept as the error, not thrown at the event', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-junit-out-'));
    try {
      fs.writeFileSync(path.join(dir, 'blocker'), '');
      const junit = new JunitOutput({ color: false, cwd: dir }, path.join(dir, 'blocker', 'junit.xml'));
      junit.emit({ type: 'run-finished', report: report([]) });
      expect(junit.written).toBeNull();
      expect(junit.error).not.toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
