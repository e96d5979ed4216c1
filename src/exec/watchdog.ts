// Makes jobs die with runner, even when runner is killed outright (SIGKILL,
// the OOM killer): one small shell per run holds a pipe from runner, learns
// each job's process group as it starts and ends, and kills the groups still
// listed when the pipe reaches end of file, which happens only when runner
// has exited (the kernel closes runner's end; the jobs never inherit it, as
// the addon and libuv make it close-on-exec). While runner lives it signals
// nothing: stopping jobs is spawn.ts's.
//
// A job's group is known only once spawn() has returned, and the job may run
// long before that on a busy machine. So each job is announced before it is
// started, with a mark that goes into its environment: a mark announced but
// never followed by its group is looked for in /proc at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { nativeAddon } from '../native-addon.js';
import type { JobStart } from './native-spawn.js';

/**
 * The variable in each job's environment naming it to the watchdog. Only a
 * job started in the instant before runner died is ever looked for by it.
 */
export const JOB_MARK = 'RUNNER_JOB_MARK';

/**
 * The watchdog: `? MARK` announces a job about to start, `+ PGID MARK` says it
 * started as group PGID, `x MARK` that it never started, `- PGID` that its
 * group ended. At end of input it sends SIGKILL to every group left, and to
 * every process whose environment holds a mark still only announced (with its
 * group: the job leads one). A shell rather than a second Node: it starts in
 * about a millisecond and holds no more than a megabyte. A pid stays listed
 * only while its job runs, so a group id reused later by an unrelated process
 * is never signalled; a mark is one job's, so only that job and what it
 * started are found by it.
 */
const SCRIPT = `
groups=' ' marks=' '
while read -r op a b; do
  case $op in
    '?') marks="$marks$a " ;;
    +) groups="$groups$a "
       case $marks in *" $b "*) marks="\${marks%%" $b "*} \${marks#*" $b "}" ;; esac ;;
    x) case $marks in *" $a "*) marks="\${marks%%" $a "*} \${marks#*" $a "}" ;; esac ;;
    -) case $groups in *" $a "*) groups="\${groups%%" $a "*} \${groups#*" $a "}" ;; esac ;;
  esac
done
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
set --
for m in $marks; do set -- "$@" -e "${JOB_MARK}=$m"; done
[ $# -gt 0 ] || exit 0
for f in $(grep -lsxzF "$@" /proc/[0-9]*/environ); do
  p=\${f#/proc/}; p=\${p%/environ}
  kill -s KILL -- "-$p" 2>/dev/null || kill -s KILL "$p" 2>/dev/null
done
`;

/** Its $0, so that `ps` (and a test) can tell it apart; its one argument is runner's pid. */
const WATCHDOG_NAME = 'runner-watchdog';

/** The watchdog's stdin, as runner writes to it. */
export interface WatchdogInput {
  /** Writes at once what the socket has room for; the rest follows, in order. */
  write(text: string): void;
  /** Closes runner's end once all is written: end of file, and the watchdog exits. */
  end(): void;
  /** Closes runner's end now. */
  destroy(): void;
}

/** The watchdog's input: closing it (or runner's exit) ends the watchdog. */
let watchdog: WatchdogInput | null = null;
/** A start through the addon still under way on its thread: joined before the first job starts. */
let joinStart: (() => boolean) | null = null;
/** The groups it watches now. */
const watched = new Set<number>();
/** Marks are this runner's prefix and a count: unique among the processes alive. */
const markPrefix = `${process.pid}.${randomBytes(4).toString('hex')}.`;
let marks = 0;

function commandLine(): { argv: string[]; env: NodeJS.ProcessEnv } {
  // A job running runner passes its own mark on; the watchdog must not carry it, or the outer watchdog would find it.
  const env = { ...process.env };
  delete env[JOB_MARK];
  return { argv: ['/bin/sh', '-c', SCRIPT, WATCHDOG_NAME, String(process.pid)], env };
}

function start(how: JobStart): WatchdogInput | null {
  return (how === 'native' ? startNatively() : null) ?? startForked();
}

/**
 * Through runner's addon (native/spawn.c): the same process, session, stdin
 * (a socketpair) and /dev/null as below, but started by posix_spawn on a
 * thread of the addon's, so that runner's main thread never waits for a fork
 * of runner to exec (2 to 5 ms of a run's first job on a busy machine; issue
 * 14, point 7), and goes on preparing the run while it starts (see
 * prepareWatchdog). Null when the addon is absent or could not begin.
 */
function startNatively(): WatchdogInput | null {
  const addon = nativeAddon();
  // An addon built before watchdogStart (native/ not built again since): as without one.
  if (addon === null || typeof addon.watchdogStart !== 'function') return null;
  const { argv, env } = commandLine();
  const envp: string[] = [];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) envp.push(`${name}=${value}`);
  const started = addon.watchdogStart(argv, envp);
  if (typeof started === 'number') return null;
  const [handle, fd] = started;
  joinStart = () => addon.watchdogJoin(handle) > 0;
  return socketInput(fd);
}

/**
 * Writes to runner's end of the socketpair (non-blocking) with plain write
 * calls: a stream over it cost a run's first job about 1 ms of first calls
 * (issue 14, point 7). What the socket has no room for (a watchdog stopped
 * by hand) is tried again every 10 ms, in order, on an unreferenced timer:
 * runner's exit is exactly what the watchdog waits for.
 */
export function socketInput(fd: number): WatchdogInput {
  let queued = ''; // ASCII (numbers and marks): a count of bytes written is one of characters
  let retry: NodeJS.Timeout | null = null;
  let ending = false;
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    queued = '';
    if (retry !== null) clearTimeout(retry);
    fs.closeSync(fd);
  };
  const push = (): void => {
    retry = null;
    while (queued !== '' && open) {
      try {
        queued = queued.slice(fs.writeSync(fd, queued));
      } catch (err) {
        // EPIPE: the watchdog is gone (killed by hand); runner carries on without it.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') queued = '';
        else {
          retry = setTimeout(push, 10);
          retry.unref();
          return;
        }
      }
    }
    if (ending) close();
  };
  return {
    write: (text) => {
      queued += text;
      if (retry === null) push();
    },
    end: () => {
      ending = true;
      if (retry === null) push();
    },
    destroy: close,
  };
}

function startForked(): WatchdogInput | null {
  const { argv, env } = commandLine();
  let child;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      env,
      stdio: ['pipe', 'ignore', 'ignore'],
      // Its own process group: a Ctrl-C meant for runner does not stop it before runner has stopped the jobs.
      detached: true,
    });
  } catch {
    return null; // no watchdog: jobs still stop with runner on every exit path runner itself takes
  }
  child.on('error', () => {});
  child.stdin!.on('error', () => {}); // EPIPE: the watchdog is gone (killed by hand); runner carries on without it
  // Neither keeps runner alive: its exit is exactly what the watchdog waits for.
  child.unref();
  const stdin = child.stdin!;
  (stdin as unknown as { unref?: () => void }).unref?.();
  return { write: (text) => stdin.write(text), end: () => stdin.end(), destroy: () => stdin.destroy() };
}

/**
 * Waits for a start through the addon to be done, so that the watchdog is
 * there before a job starts; when it failed, `fallBack` starts it through
 * child_process instead.
 */
function joinWatchdog(fallBack: boolean): void {
  if (joinStart === null) return;
  const started = joinStart();
  joinStart = null;
  if (started) return;
  watchdog?.destroy();
  watchdog = fallBack ? startForked() : null;
}

/**
 * A build is about to start jobs: the watchdog starts now (through the addon,
 * on a thread, while runner opens the run's tokens and the rest), and the
 * first announceJob waits only for what is left of its start.
 */
export function prepareWatchdog(how: JobStart = 'native'): void {
  watchdog ??= start(how);
}

/** Lines not yet written: a job's start and end lines wait for the next announcement, or the loop's next turn. */
let pending = '';
let flushScheduled = false;

/**
 * Each write to the watchdog wakes it, which on a busy machine cost about
 * 0.2 ms of runner's main thread a line (issue 17, point 4): a job's lines go
 * out together with the next job's announcement, in one write. Only an
 * announcement must be in the kernel before its job starts; a start line or an
 * end line held back for a moment loses nothing: a job whose `+` line never
 * reaches the watchdog is found by its mark, and a group whose `-` line is
 * late is one runner reaped an instant before, whose id the kernel does not
 * hand out again that soon (it hands out pids in turn).
 */
function tell(line: string, now = false): void {
  if (watchdog === null) return;
  pending += line;
  if (now) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  flushScheduled = false;
  if (pending === '') return;
  // Written at once when the socket has room (as libuv writes child_process's pipe): in the kernel before the job starts.
  watchdog?.write(pending);
  pending = '';
}

/**
 * A job is about to start: returns the mark its environment is to carry under
 * JOB_MARK. Starts the watchdog on the first job (through the addon unless
 * `how` is 'child-process'); pass the mark to watchGroup, or to jobNotStarted
 * when the start failed.
 */
export function announceJob(how: JobStart = 'native'): string {
  watchdog ??= start(how);
  joinWatchdog(true);
  const mark = markPrefix + String(++marks);
  tell(`? ${mark}\n`, true);
  return mark;
}

/** The job announced with `mark` started as process group `pgid`: it is to die with runner. */
export function watchGroup(pgid: number, mark: string): void {
  watched.add(pgid);
  tell(`+ ${pgid} ${mark}\n`);
}

/** The job announced with `mark` never started. */
export function jobNotStarted(mark: string): void {
  tell(`x ${mark}\n`);
}

/** A job's process group was reaped by runner: the watchdog forgets it. */
export function unwatchGroup(pgid: number): void {
  if (!watched.delete(pgid)) return;
  tell(`- ${pgid}\n`);
}

/**
 * Ends the watchdog once no job runs (the end of a run): closing its input
 * makes it exit. The next run's first job starts another, so a library
 * caller that runs again keeps no idle process between runs.
 */
export function releaseWatchdog(): void {
  if (watchdog === null || watched.size > 0) return;
  joinWatchdog(false); // started ahead for jobs that never came: joined, so that it is reaped once it ends
  flush();
  watchdog?.end();
  watchdog = null;
}
