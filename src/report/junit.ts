// The --junit report: JUnit XML for CI systems, one <testsuite> per tool and
// one <testcase> per job the report lists (every job, fresh ones as cached
// passes, when the run listed them). Only what Jenkins' JUnit schema allows
// where it allows it (fixtures/junit-schema/junit.xsd): a job's details
// go in its <system-out>, as `key: value` lines. Renders from a RunReport and
// writes the file atomically; it decides nothing about what runs.
import fs from 'node:fs';
import path from 'node:path';
import type { RunReport } from '../api/run-report.js';
import { ReportFileError } from '../errors.js';
import { SPAWN_ERROR } from '../job-end.js';
import { makeDirs } from '../make-dirs.js';
import type { JobReport } from '../api/run-report.js';
import { assertNever } from '../types.js';
import { type LogTail, readLogTail as readTail } from './log-tail.js';
import { describeReason } from './reasons.js';
import { type Style, seconds, shown, shownFiles } from './style.js';
import { xmlAttr, xmlText } from './xml.js';

/** How much of a failing job's log goes into its <failure>: the end, where the error usually is. */
export const JUNIT_LOG_BYTES = 64 * 1024;

export type { LogTail } from './log-tail.js';

/** Reads at most the last `limit` bytes of a log (JUNIT_LOG_BYTES unless told). */
export function readLogTail(file: string, limit = JUNIT_LOG_BYTES): LogTail | null {
  return readTail(file, limit);
}

const secs = (ms: number | null): string => ((ms ?? 0) / 1000).toFixed(3);

/** How a job that ran ended badly, as the failure's message and type: the one place JUnit renders a JobEnd. */
function howItEnded(j: JobReport): { message: string; type: string } {
  // Every job that ran has an end; one without reads as a job that never started, as it always has.
  const end = j.end ?? SPAWN_ERROR;
  switch (end.kind) {
    case 'timeout':
      return { message: `timed out after ${seconds(j.durationMs)}`, type: 'timeout' };
    case 'exit':
      return { message: `exit ${end.code}`, type: 'exit' };
    case 'signal':
      return { message: `killed by ${end.signal}`, type: 'signal' };
    case 'spawn-error':
      return { message: 'could not start', type: 'start' };
    // Not a failure's end (an interrupted job gets an <error>), named for what it is all the same.
    case 'interrupted':
      return { message: `interrupted after ${seconds(j.durationMs)}`, type: 'interrupted' };
    default:
      return assertNever(end);
  }
}

function logBody(style: Style, j: JobReport, readLog: (file: string) => LogTail | null): string {
  if (j.log === null) return '(no output)';
  const tail = readLog(j.log);
  if (tail === null) return `(log missing: ${shown(style, j.log)})`;
  const head = tail.omitted > 0 ? `... (${tail.omitted} earlier bytes in ${shown(style, j.log)})\n` : '';
  return head + tail.text;
}

interface Case {
  xml: string;
  failure: boolean;
  error: boolean;
  skipped: boolean;
  ms: number;
}

/** When a job's result was produced: an earlier run's, for a cached one. */
const lastRan = (j: JobReport): string => (j.finishedAt === null ? 'unknown' : new Date(j.finishedAt).toISOString());

function renderCase(
  style: Style,
  r: RunReport,
  j: JobReport,
  readLog: (file: string) => LogTail | null,
  shownLog: (abs: string) => string,
): Case {
  // The job's details: <properties> inside a <testcase> is not JUnit (Jenkins' schema refuses it), <system-out> is.
  const props: [string, string][] = [];
  if (j.reasons.length > 0) props.push(['reasons', j.reasons.map(describeReason).join('; ')]);
  // Restored from the remote cache: another machine ran it on the same inputs.
  if (j.remote === true) props.push(['remote', 'true']);
  if (j.log !== null) props.push(['log', shownLog(j.log)]);
  // A batch tool's file: the process (chunk) that judged it, so a CI page can group files by process.
  if (j.chunk !== undefined) {
    props.push(['chunk', j.chunk.id], ['chunkFiles', String(j.chunk.files)]);
    if (j.chunk.narrowing !== null) props.push(['chunkNarrowing', j.chunk.narrowing]);
  }
  // Failed with its chunk, not judged alone: the narrowing stopped (budget or dense) after so many processes.
  if (j.unjudged !== undefined) props.push(['unjudged', `${j.unjudged.kind} after ${j.unjudged.processes}`]);
  let inner = '';
  let ms = j.durationMs ?? 0;
  const c = { failure: false, error: false, skipped: false };
  switch (j.status) {
    case 'passed':
      // A fresh job (listed on request): passed in an earlier run, as Bazel's "(cached) PASSED"; no time in this run.
      if (j.cached === true) {
        ms = 0;
        props.push(['cached', 'true'], ['lastRan', lastRan(j)], ['lastDuration', `${secs(j.durationMs)}s`]);
      }
      break;
    case 'failed': {
      const { message, type } = howItEnded(j);
      inner = `<failure message="${xmlAttr(message)}" type="${type}">${xmlText(logBody(style, j, readLog))}</failure>`;
      c.failure = true;
      break;
    }
    case 'cached-failure': {
      // It did not run now: no time in this run; the message says when it did.
      ms = 0;
      const when = lastRan(j);
      props.push(['cached', 'true'], ['lastRan', when], ['lastDuration', `${secs(j.durationMs)}s`]);
      const message = `cached failure (${howItEnded(j).message}, last ran ${when}); not rerun: its inputs did not change`;
      inner = `<failure message="${xmlAttr(message)}" type="cached-failure">${xmlText(logBody(style, j, readLog))}</failure>`;
      c.failure = true;
      break;
    }
    case 'interrupted': {
      // It started and was stopped: no verdict, but not a pass either.
      const by = r.interrupted === null ? '' : ` (run stopped by ${r.interrupted})`;
      inner = `<error message="${xmlAttr(`interrupted after ${seconds(j.durationMs)}${by}`)}" type="interrupted">${xmlText(logBody(style, j, readLog))}</error>`;
      c.error = true;
      break;
    }
    case 'not-started': {
      const why =
        r.interrupted !== null
          ? `the run was stopped by ${r.interrupted}`
          : 'the run stopped after a failure (--fail-fast)';
      inner = `<skipped message="${xmlAttr(`not started: ${why}`)}"/>`;
      c.skipped = true;
      break;
    }
    case 'unreadable': {
      // Not a pass and not the tool's failure: runner could not read the file, so the job was never checked.
      const why = j.reasons.map(describeReason).join('; ');
      inner = `<error message="${xmlAttr(why)}" type="unreadable"/>`;
      c.error = true;
      break;
    }
    case 'would-run':
      inner = '<skipped message="dry run"/>';
      c.skipped = true;
      break;
    default:
      assertNever(j.status);
  }
  // After the outcome: the schema's order is skipped, error, failure, then system-out.
  const out =
    props.length === 0 ? '' : `<system-out>${xmlText(props.map(([k, v]) => `${k}: ${v}\n`).join(''))}</system-out>`;
  // The file is the name (the classname the tool): a `file` attribute is not in the schema.
  const open = `<testcase name="${xmlAttr(j.path)}" classname="${xmlAttr(j.tool)}" time="${secs(ms)}"`;
  const body = inner + out;
  return { ...c, ms, xml: body === '' ? `    ${open}/>` : `    ${open}>${body}</testcase>` };
}

/**
 * The report of one run: every job the report lists. The fresh jobs are
 * listed (as cached passes) only when the run was asked to list them (the
 * CLI does for --junit): otherwise the planner only counts them, and a
 * comment says how many are left out.
 */
export function renderJunit(
  style: Style,
  r: RunReport,
  at: Date,
  readLog: (file: string) => LogTail | null = readLogTail,
): string {
  const byTool = new Map<string, Case[]>();
  const logs = shownFiles(style);
  // --shard I/N: each shard's report says which it is (the file name is the user's), in the root's name
  // and as a property of each suite, where CI pages that merge shards' reports look.
  const shard = r.shard === undefined ? null : `${r.shard.index}/${r.shard.count}`;
  const shardProperty =
    r.shard === undefined
      ? ''
      : `    <properties><property name="shard" value="${xmlAttr(shard ?? '')}"/><property name="shardAssignment" value="${xmlAttr(r.shard.assignment)}"/></properties>\n`;
  for (const j of r.jobs) {
    const cases = byTool.get(j.tool) ?? [];
    cases.push(renderCase(style, r, j, readLog, logs));
    byTool.set(j.tool, cases);
  }
  const total = { tests: 0, failures: 0, errors: 0 };
  const suites: string[] = [];
  for (const [tool, cases] of byTool) {
    const n = {
      tests: cases.length,
      failures: cases.filter((c) => c.failure).length,
      errors: cases.filter((c) => c.error).length,
      skipped: cases.filter((c) => c.skipped).length,
    };
    total.tests += n.tests;
    total.failures += n.failures;
    total.errors += n.errors;
    const time = secs(cases.reduce((sum, c) => sum + c.ms, 0));
    suites.push(
      `  <testsuite name="${xmlAttr(tool)}" tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="${n.skipped}" time="${time}" timestamp="${at.toISOString()}">\n` +
        shardProperty +
        cases.map((c) => c.xml + '\n').join('') +
        '  </testsuite>\n',
    );
  }
  const unlisted = r.counts.fresh - r.jobs.filter((j) => j.cached === true).length;
  const fresh =
    unlisted <= 0 ? '' : `  <!-- ${unlisted} fresh jobs (unchanged since they last passed) are not listed -->\n`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    // No skipped or timestamp here: the schema has them on each <testsuite> only.
    `<testsuites name="${shard === null ? 'runner' : `runner shard ${shard}`}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" time="${secs(r.durationMs)}">\n` +
    fresh +
    suites.join('') +
    '</testsuites>\n'
  );
}

/** The first existing directory at or above dir. */
function existingAncestor(dir: string): string {
  let d = dir;
  while (!fs.existsSync(d)) {
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}

/**
 * Checks, before anything runs, that the report can be written: the file is
 * not a directory and its directory exists or can be created. Creates nothing
 * (a dry run, e.g. under `make -n`, must leave no trace).
 */
export function checkReportFile(option: string, file: string): void {
  const problem = (text: string, cause?: unknown): ReportFileError =>
    new ReportFileError({ option, path: file, problem: text }, cause === undefined ? undefined : { cause });
  const isDirectory = (p: string): boolean => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  if (isDirectory(file)) throw problem('is a directory');
  const dir = existingAncestor(path.dirname(file));
  if (!isDirectory(dir)) throw problem(`${dir} is not a directory`);
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw problem(`cannot write in ${dir}`, err);
  }
}

/** Writes the report through a temp file and a rename, so a reader never sees half of it. */
export function writeReportFile(option: string, file: string, text: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    makeDirs(path.dirname(file));
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (err) {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // there was no temp file: its directory is the problem
    }
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ReportFileError({ option, path: file, problem: `cannot be written (${code})` }, { cause: err });
  }
}
