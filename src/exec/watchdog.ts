// Makes jobs die with runner, even when runner is killed outright (SIGKILL,
// the OOM killer): one small shell per run holds a pipe from runner, learns
// each job's process group as it starts and ends, and kills the groups still
// listed when the pipe reaches end of file, which happens only when runner
// has exited (the kernel closes runner's end; the jobs never inherit it, as
// libuv makes its pipes close-on-exec). While runner lives it signals
// nothing: stopping jobs is spawn.ts's.
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The watchdog: `+ PGID` adds a group, `- PGID` removes it; at end of input it
 * sends SIGKILL to every group left. A shell rather than a second Node: it
 * starts in about a millisecond and holds no more than a megabyte. A pid
 * stays listed only while its job runs, so a group id reused later by an
 * unrelated process is never signalled.
 */
const SCRIPT = `
groups=' '
while read -r op pid; do
  case $op in
    +) groups="$groups$pid " ;;
    -) case $groups in *" $pid "*) groups="\${groups%%" $pid "*} \${groups#*" $pid "}" ;; esac ;;
  esac
done
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

/** Its $0, so that `ps` (and a test) can tell it apart; its one argument is runner's pid. */
const WATCHDOG_NAME = 'runner-watchdog';

let watchdog: ChildProcess | null = null;
/** The groups it watches now. */
const watched = new Set<number>();

function start(): ChildProcess | null {
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', SCRIPT, WATCHDOG_NAME, String(process.pid)], {
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
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return child;
}

function tell(line: string): void {
  // libuv writes to a pipe at once when it has room, so the line is in the kernel before the job can outlive runner.
  watchdog?.stdin?.write(line);
}

/** A job's process group started: it is to die with runner. Starts the watchdog on the first job. */
export function watchGroup(pgid: number): void {
  watchdog ??= start();
  watched.add(pgid);
  tell(`+ ${pgid}\n`);
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
  watchdog.stdin?.end();
  watchdog = null;
}
