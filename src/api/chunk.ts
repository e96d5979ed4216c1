// The unit of work a run hands the build loop: a chunk of jobs run as one
// process. A tool that takes one file ({file}) has chunks of one job; a batch
// tool ({files}) has its stale jobs cut into chunks (build/chunks.ts), and a
// failed chunk is narrowed (narrowing.ts): the processes that find its failing
// files run next under its token, each a chunk of the same narrowing.
import { chunksOf } from '../build/index.js';
import { batchArgBudget } from '../config/index.js';
import { type JobOutcome, isBatchCommand } from '../exec/index.js';
import type { PlannedJob } from '../plan/index.js';
import type { NamingLines } from './failure-pattern.js';
import type { Narrowing } from './narrowing.js';

export interface Chunk {
  /** Its files' jobs, in path order; all of one tool. */
  jobs: PlannedJob[];
  /** Whether the tool takes many files ({files}); false: exactly one job. */
  batch: boolean;
  /** The narrowing of a failed chunk this process is a step of; null for a chunk the run planned. */
  narrowing: ChunkNarrowing | null;
}

/** A failed chunk's narrowing: the search, and each ended process's outcome and log, by run number. */
export interface ChunkNarrowing {
  search: Narrowing<PlannedJob>;
  ended: EndedProcess[];
}

/** A process of a narrowing that ended: what its files' results get from it. */
export interface EndedProcess {
  outcome: JobOutcome;
  /** Its log, in the running logs until the narrowing's results are recorded. */
  log: string;
  /** The files the tool's failure pattern named in it, with the lines naming each; empty without a pattern. */
  named: Map<PlannedJob, NamingLines>;
}

/**
 * The run's stale jobs as chunks: one per job of a one-file tool, in plan
 * order; a batch tool's jobs cut into chunks where its first stale job stands.
 * `tokens`: how many processes can run at once; `extraEnv`: what every process gets beyond its tool's environment (MAKEFLAGS).
 */
export function planChunks(stale: readonly PlannedJob[], tokens: number, extraEnv: Record<string, string>): Chunk[] {
  const byTool = new Map<string, PlannedJob[]>();
  for (const p of stale) {
    if (!isBatchCommand(p.job.tool.config.command)) continue;
    const name = p.job.tool.config.name;
    const jobs = byTool.get(name);
    if (jobs === undefined) byTool.set(name, [p]);
    else jobs.push(p);
  }
  const out: Chunk[] = [];
  const done = new Set<string>();
  for (const p of stale) {
    const tool = p.job.tool;
    const jobs = byTool.get(tool.config.name);
    if (jobs === undefined) {
      out.push({ jobs: [p], batch: false, narrowing: null });
      continue;
    }
    if (done.has(tool.config.name)) continue;
    done.add(tool.config.name);
    const { budget, cost } = batchArgBudget(tool.config.command, { ...tool.env, ...extraEnv });
    const chunks = chunksOf(jobs, (j) => j.job.path, { tokens, maxFiles: tool.config.maxFiles, budget, cost });
    for (const c of chunks) out.push({ jobs: c, batch: true, narrowing: null });
  }
  return out;
}

/** The next process of a narrowing, as a chunk of its own. */
export function narrowingStep(jobs: PlannedJob[], narrowing: ChunkNarrowing): Chunk {
  return { jobs, batch: true, narrowing };
}
