// Signals a job's whole process group: a job's children die with it. Also
// keeps the groups running now, for exit paths that cannot wait for them; it
// imports nothing, so the CLI's entry can hold it without loading the library.

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Process groups of the jobs running now (spawn.ts adds and removes them). */
export const runningGroups = new Set<number>();

/** Kills every running job's process group at once (an internal error is ending the process). */
export function killRunningJobs(): void {
  for (const pid of runningGroups) killGroup(pid, 'SIGKILL');
  runningGroups.clear();
}
