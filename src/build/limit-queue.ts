// The build's waiting jobs, grouped by the limit their tool sets (`serial`,
// `jobs`): which job may start next (the first in the given order whose group
// has room), the room a started job takes, and its return. Bookkeeping only:
// knows no token and no process.

/** A limit on jobs at once that some jobs share: a tool's `serial` or `jobs`. */
export interface JobLimit {
  /** Jobs of one group share one limit: the tool's name. */
  group: string;
  /** The most of the group's jobs at once, 1 or more. */
  most: number;
}

interface Group<J> {
  most: number;
  running: number;
  /** Its jobs with their place in the whole order, in that order; those before `head` have started. */
  jobs: { job: J; index: number }[];
  head: number;
}

export class LimitQueue<J> {
  private readonly groups: Group<J>[] = [];
  private left: number;

  constructor(jobs: readonly J[], limitOf: (job: J) => JobLimit | null) {
    // Jobs without a limit share one group without one: picking among groups costs one look per limited tool.
    const free: Group<J> = { most: Infinity, running: 0, jobs: [], head: 0 };
    const byName = new Map<string, Group<J>>();
    this.groups.push(free);
    jobs.forEach((job, index) => {
      const limit = limitOf(job);
      let group = free;
      if (limit !== null) {
        let named = byName.get(limit.group);
        if (named === undefined) {
          named = { most: Math.max(1, limit.most), running: 0, jobs: [], head: 0 };
          byName.set(limit.group, named);
          this.groups.push(named);
        }
        group = named;
      }
      group.jobs.push({ job, index });
    });
    this.left = jobs.length;
  }

  isEmpty(): boolean {
    return this.left === 0;
  }

  /** Whether some waiting job's group has room now. */
  hasStartable(): boolean {
    return this.nextGroup() !== null;
  }

  /**
   * The first waiting job, in the given order, whose group has room; it takes
   * that room until `done()` (harmless twice). Throws when none may start.
   */
  take(): { job: J; done: () => void } {
    const group = this.nextGroup();
    if (group === null) throw new Error('LimitQueue.take: no job may start');
    const { job } = group.jobs[group.head++]!;
    group.running++;
    this.left--;
    let back = false;
    return {
      job,
      done: () => {
        if (back) return;
        back = true;
        group.running--;
      },
    };
  }

  /** The jobs not taken, in the given order. */
  rest(): J[] {
    return this.groups
      .flatMap((g) => g.jobs.slice(g.head))
      .sort((a, b) => a.index - b.index)
      .map((x) => x.job);
  }

  private nextGroup(): Group<J> | null {
    let best: Group<J> | null = null;
    for (const g of this.groups) {
      if (g.head >= g.jobs.length || g.running >= g.most) continue;
      if (best === null || g.jobs[g.head]!.index < best.jobs[best.head]!.index) best = g;
    }
    return best;
  }
}
