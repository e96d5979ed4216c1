// Asks watchman (https://facebook.github.io/watchman/) what changed in the
// source tree since a stored clock, through its CLI (`watchman -j`, one JSON
// command on stdin), synchronously and under a deadline; never throws: every
// failure is a decision to walk. The decisions themselves are watchman-answer.ts's.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  type WatchDecision,
  type WatchState,
  decideFromQuery,
  readClock,
  readWatchProject,
  staleWatchState,
} from './watchman-answer.js';

/**
 * The CLI rather than the socket: a `watchman -j` query costs about 6 ms here
 * against 3 to 7 ms for JSON over its unix socket, and it stays synchronous
 * (the walk it replaces is); fb-watchman asks the CLI for the socket's name
 * (`get-sockname`, one more process) unless WATCHMAN_SOCK is set (README,
 * "With watchman").
 */
const PROGRAM = 'watchman';
/** A query of a watched tree: watchman answers once it has seen its own cookie file (the sync). */
const QUERY_DEADLINE_MS = 3000;
/** The first contact may start the server and crawl the tree; past this the run walks, and the next asks again. */
const SETUP_DEADLINE_MS = 10_000;

/** The watchman program on PATH, or null: one access() per PATH entry, no process. */
export function findWatchman(env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const file = path.join(dir, PROGRAM);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** Why a command has no answer (none in time, no server, no program). */
class NoAnswer {
  constructor(readonly message: string) {}
}

/** One command's JSON answer, or why there is none. */
function ask(program: string, env: NodeJS.ProcessEnv, command: unknown[], deadlineMs: number): unknown {
  // Watchman 4.9's CLI does not read WATCHMAN_SOCK (fb-watchman and later CLIs do): it is passed on. A server named
  // so is someone else's to start (a second one started here would share the default state file): never spawned,
  // and --no-local, or the CLI would crawl the tree itself to answer (watchman --help).
  const sock = env.WATCHMAN_SOCK;
  const where = sock === undefined || sock === '' ? [] : [`--sockname=${sock}`, '--no-spawn', '--no-local'];
  const r = spawnSync(program, [...where, '-j', '--no-pretty'], {
    input: JSON.stringify(command),
    env,
    timeout: deadlineMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return new NoAnswer(
      code === 'ETIMEDOUT' ? `no answer within ${deadlineMs} ms` : `cannot run ${program} (${code ?? r.error.message})`,
    );
  }
  const out = r.stdout.toString('utf8');
  try {
    return JSON.parse(out) as unknown;
  } catch {
    const why = r.stderr.toString('utf8').trim().split('\n')[0] ?? '';
    const hint = why !== '' ? why : where.length > 0 ? `no server at WATCHMAN_SOCK=${sock}?` : '';
    return new NoAnswer(
      `${program} exited ${r.status ?? r.signal} without an answer${hint === '' ? '' : ` (${hint})`}`,
    );
  }
}

/** Names never worth reporting: git's own directory and the state directory (written by every run). */
function leftOut(stateRel: string | null): unknown[] {
  const terms: unknown[] = [
    ['name', '.git', 'wholename'],
    ['dirname', '.git'],
  ];
  if (stateRel !== null && stateRel !== '') terms.push(['name', stateRel, 'wholename'], ['dirname', stateRel]);
  return ['not', ['anyof', ...terms]];
}

export interface WatchAsk {
  program: string;
  env: NodeJS.ProcessEnv;
  /** Absolute. */
  sourceTree: string;
  /** The state directory relative to the source tree, or null when it is outside. */
  stateRel: string | null;
  /** The walk's key now. */
  spec: string;
  stored: WatchState | null;
}

/** What to do, and the state to keep with the scan's result (null: keep none). */
export interface WatchOutcome {
  decision: WatchDecision;
  /** When the question was asked: before anything the answer leads to is stat'ed (updatePaths' sinceClock). */
  askedMs: number;
  state: WatchState | null;
}

/**
 * The changes since the stored clock; or, when the stored clock cannot
 * answer, a new clock taken before the walk (so a change made while the tree
 * is walked is reported next time), and why the tree must be walked.
 */
export function askWatchman(a: WatchAsk): WatchOutcome {
  const askedMs = Date.now();
  const walk = (reason: string): WatchOutcome => ({
    decision: { kind: 'walk', reason, clock: null },
    askedMs,
    state: null,
  });
  const stale = staleWatchState(a.stored, a.sourceTree, a.spec);
  let why = stale;
  if (stale === null) {
    const s = a.stored!;
    const answer = ask(
      a.program,
      a.env,
      [
        'query',
        s.root,
        {
          since: s.clock,
          fields: ['name'],
          expression: leftOut(a.stateRel),
          empty_on_fresh_instance: true,
          sync_timeout: QUERY_DEADLINE_MS - 500,
          ...(s.rel === '' ? {} : { relative_root: s.rel }),
        },
      ],
      QUERY_DEADLINE_MS,
    );
    // No answer at all (none in time, no server, no program): asking it to watch the tree would fail alike.
    if (answer instanceof NoAnswer) return walk(`watchman: ${answer.message}`);
    const decision = decideFromQuery(answer);
    if (decision.kind === 'changes') return { decision, askedMs, state: { ...s, clock: decision.clock, spec: a.spec } };
    if (decision.clock !== null) return { decision, askedMs, state: { ...s, clock: decision.clock, spec: a.spec } };
    why = decision.reason;
  }
  // No usable clock: watch the tree (again) and take one before the walk.
  const started = Date.now();
  const left = (): number => Math.max(1, SETUP_DEADLINE_MS - (Date.now() - started));
  const watched = ask(a.program, a.env, ['watch-project', a.sourceTree], SETUP_DEADLINE_MS);
  const w = watched instanceof NoAnswer ? watched.message : readWatchProject(watched);
  if (typeof w === 'string') return walk(`${why}; watchman: ${w}`);
  const clocked = ask(a.program, a.env, ['clock', w.root, { sync_timeout: left() }], left());
  const c = clocked instanceof NoAnswer ? clocked.message : readClock(clocked);
  if (typeof c === 'string') return walk(`${why}; watchman: ${c}`);
  return {
    decision: { kind: 'walk', reason: why!, clock: c.clock },
    askedMs,
    state: { tree: a.sourceTree, root: w.root, rel: w.rel, clock: c.clock, spec: a.spec },
  };
}
