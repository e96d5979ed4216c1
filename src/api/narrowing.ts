// Narrows a failed chunk down to its failing files: which files the next
// process runs, and each file's verdict from the processes that ended. Pure
// (no process, no log): the recorder runs what it says and records what it
// decides. One narrowing per planned chunk that failed.
//
// Search: a set known (or suspected) to hold a failure is halved and only the
// first half runs. It fails: the search goes on in it, and the second half is
// put aside, unverified. It passes: the second half is suspected and searched
// without being run whole. A suspected file alone runs alone. When a search
// ends, everything put aside runs as one process; if that fails, it is
// searched the same way. One bad file among n costs about log2(n) + 2 processes.
//
// Verdict (whatever order the processes ended in): a failed process is
// explained when one of its files failed alone or was named by the tool's
// failure pattern, or when a smaller failed process lies within it (whose
// files then fail, explained or in doubt). A file fails when it failed alone
// or was named, or when it is in a failed process that stays unexplained (in
// doubt, a failure); else it passes, having passed in a process.
//
// Bound: a narrowing runs at most `budget` processes after the failed chunk
// (narrowingBudget: enough to find two bad files alone among 1,000). When the
// budget is spent, or the failure is dense (below), it stops: no more
// processes. Files already settled keep their verdicts; the others are
// unjudged: neither passed nor failed alone, so nothing may be cached of them
// (the recorder reports them failed and lets them run again next time).

/** How one process of a narrowing ended, as far as its files' verdicts go. */
export type ProcessVerdict<T> =
  | { kind: 'passed' }
  /**
   * Failed, and nothing names which file: an exit code the pattern did not explain, a signal, a timeout.
   * `sameOutput`: it printed something, and byte for byte what the failed chunk printed (the dense stop reads it).
   */
  | { kind: 'failed'; sameOutput?: boolean }
  /** Failed by exit code and the pattern named these of its files (at least one): they fail, the others pass. */
  | { kind: 'named'; files: ReadonlySet<T> };

/** Why a narrowing stopped before every file was judged, after how many processes (not counting the failed chunk). */
export interface NarrowingStop {
  /** budget: its processes were all spent; dense: the failure does not depend on which files run (see stopsDense). */
  kind: 'budget' | 'dense';
  processes: number;
}

/**
 * The default budget of a failed chunk of `files` files: narrowing processes
 * after the chunk. One bad file costs at most ceil(log2 n) + 2 of them, two
 * cost at most twice that (measured over every placement, n up to 1,000:
 * 12 and 24 for n = 1,000), so 2 (ceil(log2 n) + 2) finds one or two bad files
 * alone; a third one may stay unjudged and run again next time.
 */
export function narrowingBudget(files: number): number {
  return 2 * (Math.ceil(Math.log2(Math.max(files, 1))) + 2);
}

/** A file's verdict and the process (its number in run order, 0: the planned chunk) whose end and log it gets. */
export interface FileVerdict {
  status: 'passed' | 'failed';
  by: number;
}

/** The observation that settles one file on its own: it passed in a process, or failed alone or by name. */
type Seen = { status: 'passed' | 'failed'; by: number };

/** Why a process runs: what its end means for the search. */
type Role =
  /** A set known to hold a failure is being run (the planned chunk, or everything put aside). */
  | { kind: 'whole' }
  /** The first half of a set; `rest` is the second. */
  | { kind: 'half'; rest: number[] }
  /** A suspected file, alone. */
  | { kind: 'alone' };

/** A process to run and why; null: nothing more to run. */
type Step = { files: number[]; role: Role } | null;

export class Narrowing<T> {
  private readonly files: readonly T[];
  private readonly index: Map<T, number>;
  /** Every process run so far, in run order, as its files' indices (sorted). */
  private readonly processes: number[][] = [];
  /** The failed processes, by run number: nothing else can make a file fail in doubt. */
  private readonly failed: number[] = [];
  private readonly seen = new Map<number, Seen>();
  private unverified: number[][] = [];
  /** The process running now and why, or null when the narrowing is over. */
  private running: Step;
  private readonly budget: number;
  /** Why it stopped with files unjudged; null while it runs, or when it ended having judged every file. */
  private stop: NarrowingStop | null = null;
  /** The failed processes that printed what the failed chunk printed. */
  private readonly sameOutput = new Set<number>();

  /**
   * `files`: the planned chunk's files, in its order; it has run as process 0
   * and failed. `budget`: the most processes to run after it (0: none; every
   * file of a failed chunk is then unjudged, unless the failure pattern named some).
   */
  constructor(files: readonly T[], budget = Number.POSITIVE_INFINITY) {
    this.files = files;
    this.budget = budget;
    this.index = new Map(files.map((f, i) => [f, i]));
    this.running = { files: files.map((_, i) => i), role: { kind: 'whole' } };
  }

  /** Whether every process the narrowing needs has ended (or it stopped). */
  get isOver(): boolean {
    return this.running === null;
  }

  /** Why the narrowing stopped with files unjudged; null while it runs or when it judged every file. */
  get stopped(): NarrowingStop | null {
    return this.stop;
  }

  /**
   * The process running now ended with `verdict`: its files' observations
   * are taken, and the files of the next process to run are returned (null:
   * the narrowing is over). The first call is the planned chunk's end.
   */
  ended(verdict: ProcessVerdict<T>): T[] | null {
    const now = this.running;
    if (now === null) throw new Error('narrowing: a process ended after the narrowing was over');
    const by = this.processes.length;
    this.processes.push(now.files);
    const files = now.files;
    switch (verdict.kind) {
      case 'passed':
        for (const f of files) this.seen.set(f, { status: 'passed', by });
        break;
      case 'failed':
        this.failed.push(by);
        if (verdict.sameOutput === true) this.sameOutput.add(by);
        if (files.length === 1) this.seen.set(files[0]!, { status: 'failed', by });
        break;
      case 'named': {
        this.failed.push(by);
        const named = new Set([...verdict.files].map((f) => this.index.get(f)));
        for (const f of files) this.seen.set(f, { status: named.has(f) ? 'failed' : 'passed', by });
        break;
      }
    }
    let next = this.step(now, verdict.kind);
    const spent = this.processes.length - 1; // process 0 is the failed chunk, not the narrowing's
    if (next !== null && (spent >= this.budget || this.stopsDense(now))) {
      this.stop = { kind: spent >= this.budget ? 'budget' : 'dense', processes: spent };
      next = null;
    }
    this.running = next;
    return next === null ? null : next.files.map((i) => this.files[i]!);
  }

  /**
   * Whether the failure is dense, so that more narrowing is unlikely to pay:
   * the chunk's first file failed alone, then every other file, as one
   * process, failed printing exactly what the whole chunk printed (and not
   * nothing). Taking the first file out changed nothing the tool said: its
   * own failure was not in the chunk's output, so something shared hid it
   * (pytest's exit 4 when conftest.py cannot import, "ImportError while
   * loading conftest", whatever tests it is given). Two bad files that each
   * show in the output never look so: the chunk's output holds the first
   * one's failure and the others' does not; nor does a tool that stops at
   * its first bad file (py_compile). A tool that says the same whatever
   * fails ("FAILED", however many) can be taken for dense with two bad
   * files, one of them first; the first file's output is not compared, since
   * the shared cause may fail it otherwise alone (pip's vendored tests,
   * alone, fail on the options pyproject.toml gives pytest). Sound whatever
   * it answers: stopping gives no file a pass; the unjudged files run again
   * next time, so a wrong guess costs a run of them, never a wrong verdict.
   */
  private stopsDense(now: NonNullable<Step>): boolean {
    const by = this.processes.length - 1;
    return (
      now.role.kind === 'whole' &&
      now.files.length === this.files.length - 1 &&
      now.files[0] === 1 &&
      this.sameOutput.has(by) &&
      this.seen.get(0)?.status === 'failed'
    );
  }

  /** What runs after a process of `role` ended so. */
  private step(now: NonNullable<Step>, how: ProcessVerdict<T>['kind']): Step {
    const { files, role } = now;
    if (how === 'named') {
      if (role.kind === 'half') this.unverified.push(role.rest);
      return this.searchEnded();
    }
    switch (role.kind) {
      case 'whole':
        return how === 'passed' ? this.searchEnded() : this.search(files, true);
      case 'half':
        if (how === 'passed') return this.search(role.rest, false);
        this.unverified.push(role.rest);
        return this.search(files, true);
      case 'alone':
        return this.searchEnded();
    }
  }

  /** Searches `set`, which `hasFailed` as one process, or is only suspected of holding a failure. */
  private search(set: number[], hasFailed: boolean): Step {
    if (set.length === 1) return hasFailed ? this.searchEnded() : { files: set, role: { kind: 'alone' } };
    const mid = Math.ceil(set.length / 2);
    return { files: set.slice(0, mid), role: { kind: 'half', rest: set.slice(mid) } };
  }

  /** A search ended: what was put aside runs as one process, or the narrowing is over. */
  private searchEnded(): Step {
    if (this.unverified.length === 0) return null;
    const files = this.unverified.flat().sort((a, b) => a - b);
    this.unverified = [];
    return { files, role: { kind: 'whole' } };
  }

  /**
   * Each file's verdict, for the files whose verdict nothing still to run can
   * change: all of them once the narrowing is over; when it stopped or was
   * interrupted, the files that failed alone or by name, those in a failed
   * process that stays unexplained whatever runs next, and those that passed
   * in a process with every failed process around them explained. The others
   * are missing (unjudged() gives them).
   */
  verdicts(): Map<T, FileVerdict> {
    const explained = new Set<number>();
    const settled = new Set<number>();
    // Each failed process's files as a set, once: this runs after every process of a narrowing.
    const sets = new Map(this.failed.map((p) => [p, new Set(this.processes[p])]));
    for (const p of this.failed) {
      const files = this.processes[p]!;
      const own = sets.get(p)!;
      const within = (q: number): boolean =>
        q !== p && this.processes[q]!.length < files.length && this.processes[q]!.every((f) => own.has(f));
      if (files.some((f) => this.seen.get(f)?.status === 'failed') || this.failed.some(within)) explained.add(p);
      // A failed process none of whose files will run again: whether it is explained is final.
      if (files.every((f) => this.seen.has(f))) settled.add(p);
    }
    const out = new Map<T, FileVerdict>();
    this.files.forEach((file, f) => {
      const seen = this.seen.get(f);
      if (seen?.status === 'failed') return void out.set(file, seen);
      // Processes holding a file nest: the last unexplained one is the smallest, its log the nearest to the failure.
      const around = this.failed.filter((p) => sets.get(p)!.has(f));
      const doubt = around.filter((p) => !explained.has(p));
      const finalDoubt = doubt.filter((p) => settled.has(p));
      if (finalDoubt.length > 0) return void out.set(file, { status: 'failed', by: finalDoubt.at(-1)! });
      if (seen?.status === 'passed' && doubt.length === 0) out.set(file, seen);
    });
    return out;
  }

  /**
   * The files without a verdict (verdicts() leaves them out), each with the
   * smallest failed process that holds it: its log is the nearest to the
   * failure the file shares. Every such file is in the failed chunk, so it has one.
   */
  unjudged(): Map<T, number> {
    const judged = this.verdicts();
    // Each file's smallest failed process: the failed ones from largest to smallest, a smaller one overwriting.
    const owner = new Map<number, number>();
    const bySize = [...this.failed].sort((a, b) => this.processes[b]!.length - this.processes[a]!.length);
    for (const p of bySize) for (const f of this.processes[p]!) owner.set(f, p);
    const out = new Map<T, number>();
    this.files.forEach((file, f) => {
      if (!judged.has(file)) out.set(file, owner.get(f) ?? 0);
    });
    return out;
  }

  /** The files of every process run so far, by run number. */
  processFiles(by: number): T[] {
    return (this.processes[by] ?? []).map((i) => this.files[i]!);
  }
}
