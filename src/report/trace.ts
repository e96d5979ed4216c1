// The run as a Chrome trace (the Trace Event Format that Perfetto and
// chrome://tracing open), built from the run's events as they are heard: the
// time of each is read from the clock it is given, so nothing is timed when
// no trace is asked for. Holds spans and lanes only; writes nothing (trace-output.ts does).
import type { RunnerEvent, RunPhase } from '../api/events.js';
import type { JobReport } from '../api/run-report.js';
import type { JobEnd } from '../job-end.js';
import { assertNever } from '../types.js';

/**
 * One trace event: "X" a complete span (ts and dur in microseconds), "i" an
 * instant, "M" metadata naming the process and its lanes (threads). Trace Event
 * Format, https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
 */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  /** An instant's scope: 't', its lane only. */
  s?: 't';
  args?: Record<string, unknown>;
}

export interface TraceDocument {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
}

/** runner's own phases and what it is told before jobs run. */
const RUNNER_LANE = 1;
/** The build's waits for a token: one ask at a time, so one lane holds them all. */
const TOKEN_LANE = 2;
/** The first lane of processes: one per token held at once ("slot 1" is the implicit token's when it is free). */
const FIRST_SLOT_LANE = 3;

interface OpenSpan {
  name: string;
  cat: string;
  start: number;
  tid: number;
  args: Record<string, unknown>;
}

/** A batch process's files' verdicts, counted as their job-finished events come. */
interface OpenChunk extends OpenSpan {
  statuses: Record<string, number>;
}

export class RunTrace {
  private readonly done: TraceEvent[] = [];
  /** Phases never nest, but a stack keeps a stray one drawn rather than lost. */
  private readonly phases: { phase: RunPhase; start: number }[] = [];
  private waitStart: number | null = null;
  /** One-file jobs by tool and path, and batch processes by chunk id, while they run. */
  private readonly jobs = new Map<string, OpenSpan>();
  private readonly chunks = new Map<string, OpenChunk>();
  /** Which slot lanes a running process holds (index 0 is FIRST_SLOT_LANE). */
  private readonly busy: boolean[] = [];
  private interruptedAt: number | null = null;

  /** now: milliseconds on a clock that never goes back (performance.now(): since the process started). */
  constructor(
    private readonly now: () => number,
    private readonly pid: number,
    private readonly title: string,
  ) {}

  /** The run was interrupted: spans still open when the trace is taken end here. */
  interrupted(signal: string): void {
    if (this.interruptedAt !== null) return;
    this.interruptedAt = this.now();
    this.instant(`interrupted (${signal})`, RUNNER_LANE, this.interruptedAt, {});
  }

  hear(e: RunnerEvent): void {
    switch (e.type) {
      case 'phase-started':
        this.phases.push({ phase: e.phase, start: this.now() });
        return;
      case 'phase-finished': {
        const at = this.phases.findLastIndex((p) => p.phase === e.phase);
        if (at < 0) return;
        const [open] = this.phases.splice(at, 1);
        this.span(open!.phase, 'runner', RUNNER_LANE, open!.start, this.now(), {});
        return;
      }
      case 'token-wait-started':
        this.waitStart = this.now();
        return;
      case 'token-wait-finished':
        if (this.waitStart === null) return;
        this.span('waiting for a token', 'token', TOKEN_LANE, this.waitStart, this.now(), { got: e.got });
        this.waitStart = null;
        return;
      case 'job-started':
        // A batch file's process is its chunk's span.
        if (e.chunk !== undefined) return;
        this.jobs.set(jobKey(e.tool, e.path), {
          name: `${e.tool} ${e.path}`,
          cat: 'job',
          start: this.now(),
          tid: this.takeLane(),
          args: { tool: e.tool, file: e.path },
        });
        return;
      case 'chunk-started':
        this.chunks.set(e.chunk.id, {
          name: `${e.tool} ${e.chunk.id} (${e.chunk.files} ${e.chunk.files === 1 ? 'file' : 'files'})`,
          cat: e.chunk.narrowing === null ? 'chunk' : 'narrowing',
          start: this.now(),
          tid: this.takeLane(),
          args: { tool: e.tool, chunk: e.chunk.id, narrowing: e.chunk.narrowing, files: e.paths },
          statuses: {},
        });
        return;
      case 'job-finished':
        return this.jobFinished(e.job);
      case 'chunk-finished': {
        const open = this.chunks.get(e.chunk.id);
        if (open === undefined) return;
        this.chunks.delete(e.chunk.id);
        this.close(open, this.now(), {
          ...endArgs(e.end),
          durationMs: millis(e.durationMs),
          ...(Object.keys(open.statuses).length > 0 ? { results: open.statuses } : {}),
          ...(e.narrowing ? { narrowingGoesOn: true } : {}),
        });
        return;
      }
      case 'cached-failure':
        return this.instant(`cached failure: ${e.job.tool} ${e.job.path}`, RUNNER_LANE, this.now(), {
          cached: true,
        });
      case 'remote-hit':
        return this.instant(`remote cache: ${e.job.tool} ${e.job.path}`, RUNNER_LANE, this.now(), {
          cached: true,
          status: e.job.status,
        });
      case 'planned':
        return this.instant('planned', RUNNER_LANE, this.now(), {
          jobs: e.jobs,
          stale: e.stale,
          cachedFailures: e.cachedFailures,
          fresh: e.fresh,
        });
      case 'scan-path':
        return this.instant(
          e.how === 'watchman'
            ? 'scan asked watchman'
            : e.how === 'settled'
              ? 'scan found the tree as the last run left it'
              : e.how === 'stats'
                ? 'scan looked again at the files whose stats changed'
                : 'scan walked the tree',
          RUNNER_LANE,
          this.now(),
          {
            reason: e.reason,
          },
        );
      case 'narrowing-stopped':
        return this.instant(`narrowing stopped: ${e.tool} ${e.chunk}`, RUNNER_LANE, this.now(), {
          stop: e.stop.kind,
          processes: e.stop.processes,
          unjudged: e.unjudged,
        });
      case 'waiting-for-runner':
        return this.instant('waiting for another runner', RUNNER_LANE, this.now(), { pid: e.pid });
      case 'warning':
        return this.instant('warning', RUNNER_LANE, this.now(), { message: e.message });
      case 'run-finished':
        return this.instant('run finished', RUNNER_LANE, this.now(), { ...e.report.counts });
      // Counted or drawn elsewhere, or not part of a run's picture.
      case 'scan-progress':
      case 'scan-issue':
      case 'unresolved-imports':
      case 'job-unchecked':
      case 'fresh-listed':
      case 'tokens-held':
      case 'staged-tree-made':
      case 'staged-roots':
      case 'cycle-started':
      case 'cycle-finished':
      case 'config-rejected':
      case 'cycle-failed':
      case 'watcher-error':
        return;
      default:
        return assertNever(e);
    }
  }

  /**
   * The trace as it stands: spans still open (an interrupted run, an error)
   * end at the interrupt, else now, marked unfinished. Changes nothing: it
   * can be taken again later.
   */
  document(): TraceDocument {
    const end = this.interruptedAt ?? this.now();
    const unfinished: TraceEvent[] = [];
    const cut = (name: string, cat: string, tid: number, start: number): void => {
      unfinished.push(this.event(name, cat, tid, start, Math.max(start, end), { unfinished: true }));
    };
    for (const p of this.phases) cut(p.phase, 'runner', RUNNER_LANE, p.start);
    if (this.waitStart !== null) cut('waiting for a token', 'token', TOKEN_LANE, this.waitStart);
    for (const s of [...this.jobs.values(), ...this.chunks.values()]) {
      unfinished.push(
        this.event(s.name, s.cat, s.tid, s.start, Math.max(s.start, end), { ...s.args, unfinished: true }),
      );
    }
    const lanes = Math.max(this.busy.length, 1);
    const names: [number, string][] = [
      [RUNNER_LANE, 'runner'],
      [TOKEN_LANE, 'token waits'],
      ...Array.from({ length: lanes }, (_, i): [number, string] => [FIRST_SLOT_LANE + i, `slot ${i + 1}`]),
    ];
    const meta: TraceEvent[] = [
      { name: 'process_name', ph: 'M', pid: this.pid, tid: 0, args: { name: this.title } },
      ...names.flatMap(([tid, name]): TraceEvent[] => [
        { name: 'thread_name', ph: 'M', pid: this.pid, tid, args: { name } },
        { name: 'thread_sort_index', ph: 'M', pid: this.pid, tid, args: { sort_index: tid } },
      ]),
    ];
    return { traceEvents: [...meta, ...this.done, ...unfinished], displayTimeUnit: 'ms' };
  }

  private jobFinished(job: JobReport): void {
    if (job.chunk !== undefined) {
      const open = this.chunks.get(job.chunk.id);
      if (open !== undefined) open.statuses[job.status] = (open.statuses[job.status] ?? 0) + 1;
      return;
    }
    const key = jobKey(job.tool, job.path);
    const open = this.jobs.get(key);
    if (open === undefined) return;
    this.jobs.delete(key);
    this.close(open, this.now(), {
      status: job.status,
      ...(job.end === null ? {} : endArgs(job.end)),
      ...(job.durationMs === null ? {} : { durationMs: millis(job.durationMs) }),
      ran: true,
    });
  }

  /** The lowest slot lane no running process holds. */
  private takeLane(): number {
    let i = this.busy.indexOf(false);
    if (i < 0) i = this.busy.push(true) - 1;
    else this.busy[i] = true;
    return FIRST_SLOT_LANE + i;
  }

  private close(open: OpenSpan, end: number, args: Record<string, unknown>): void {
    this.busy[open.tid - FIRST_SLOT_LANE] = false;
    this.done.push(this.event(open.name, open.cat, open.tid, open.start, end, { ...open.args, ...args }));
  }

  private span(name: string, cat: string, tid: number, start: number, end: number, args: Record<string, unknown>) {
    this.done.push(this.event(name, cat, tid, start, end, args));
  }

  private instant(name: string, tid: number, at: number, args: Record<string, unknown>): void {
    this.done.push({ name, ph: 'i', s: 't', pid: this.pid, tid, ts: micros(at), args });
  }

  /** Start and end rounded each on its own: spans that follow one another on a lane never overlap by rounding. */
  private event(
    name: string,
    cat: string,
    tid: number,
    start: number,
    end: number,
    args: Record<string, unknown>,
  ): TraceEvent {
    const ts = micros(start);
    return { name, cat, ph: 'X', pid: this.pid, tid, ts, dur: micros(end) - ts, args };
  }
}

function micros(ms: number): number {
  return Math.round(ms * 1000);
}

/** A process's own duration to the microsecond, as the spans' times are. */
function millis(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function jobKey(tool: string, path: string): string {
  return `${tool}\0${path}`;
}

/** How a process ended, as a trace's args say it: its exit code when it has one. */
function endArgs(end: JobEnd): Record<string, unknown> {
  switch (end.kind) {
    case 'exit':
      return { exit: end.code };
    case 'signal':
      return { signal: end.signal };
    case 'timeout':
      return { timeout: true, ...endArgs(end.stopped) };
    case 'spawn-error':
      return { spawnError: true };
    case 'interrupted':
      return { interrupted: true, ...(end.stopped === null ? {} : endArgs(end.stopped)) };
    default:
      return assertNever(end);
  }
}
