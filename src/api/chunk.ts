// The unit of work a run hands the build loop: a chunk of jobs run as one
// process. A tool that takes one file ({file}) has chunks of one job; a batch
// tool ({files}) has its stale jobs cut into chunks (build/chunks.ts), and a
// failed chunk is narrowed (narrowing.ts): the processes that find its failing
// files run next under its token, each a chunk of the same narrowing.
import { type JobLimit, chunksOf } from '../build/index.js';
import { batchArgBudget, mostAtOnce } from '../config/index.js';
import { type JobOutcome, isBatchCommand } from '../exec/index.js';
import type { PlannedJob } from '../plan/index.js';
import type { NamingLines } from './failure-pattern.js';
import type { Narrowing } from './narrowing.js';

export interface Chunk {
  /**
   * The process's name within the run, for reports: `TOOL#N` for the tool's
   * Nth chunk in plan order (the same stale files give the same ids), and
   * `TOOL#N.K` for the Kth process narrowing it (narrowedChunkId reads N back).
   */
  id: string;
  /** Its files' jobs, in path order; all of one tool. */
  jobs: PlannedJob[];
  /** Whether the tool takes many files ({files}); false: exactly one job. */
  batch: boolean;
  /** The narrowing of a failed chunk this process is a step of; null for a chunk the run planned. */
  narrowing: ChunkNarrowing | null;
}

/** A failed chunk's narrowing: the search, and each ended process's outcome and log, by run number. */
export interface ChunkNarrowing {
  /** The failed chunk's id; its narrowing processes are named after it. */
  id: string;
  search: Narrowing<PlannedJob>;
  ended: EndedProcess[];
  /** How many processes of it were started after the failed chunk: the next one's number. */
  steps: number;
  /** Its files recorded (or reported unrecorded) so far: each as soon as its verdict is certain. */
  recorded: Set<PlannedJob>;
}

/** A process of a narrowing that ended: what its files' results get from it. */
export interface EndedProcess {
  /** Its chunk's id and size, for reports on the files it judged. */
  id: string;
  files: number;
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
  const counts = new Map<string, number>();
  const nextId = (tool: string): string => {
    const n = (counts.get(tool) ?? 0) + 1;
    counts.set(tool, n);
    return `${tool}#${n}`;
  };
  for (const p of stale) {
    const tool = p.job.tool;
    const jobs = byTool.get(tool.config.name);
    if (jobs === undefined) {
      out.push({ id: nextId(tool.config.name), jobs: [p], batch: false, narrowing: null });
      continue;
    }
    if (done.has(tool.config.name)) continue;
    done.add(tool.config.name);
    const { budget, cost } = batchArgBudget(tool.config.command, { ...tool.env, ...extraEnv });
    // A tool that runs fewer processes at once than there are tokens gets as many chunks as it runs at once.
    const most = mostAtOnce(tool.config) ?? tokens;
    const chunks = chunksOf(jobs, (j) => j.job.path, {
      tokens: Math.min(tokens, most),
      maxFiles: tool.config.maxFiles,
      budget,
      cost,
    });
    for (const c of chunks) out.push({ id: nextId(tool.config.name), jobs: c, batch: true, narrowing: null });
  }
  return out;
}

/** The next process of a narrowing, as a chunk of its own. */
export function narrowingStep(jobs: PlannedJob[], narrowing: ChunkNarrowing): Chunk {
  return { id: `${narrowing.id}.${++narrowing.steps}`, jobs, batch: true, narrowing };
}

/** The limit the chunk's tool sets on its processes at once (`serial`, `jobs`); null: none but the tokens. */
export function limitOfChunk(c: Chunk): JobLimit | null {
  const tool = c.jobs[0]!.job.tool.config;
  const most = mostAtOnce(tool);
  return most === null ? null : { group: tool.name, most };
}

/** The id of the chunk a narrowing process narrows; null for a chunk the run planned. */
export function narrowedChunkId(id: string): string | null {
  const mark = id.lastIndexOf('#'); // a tool's name may hold '.' or '#', its numbers never do
  const dot = id.lastIndexOf('.');
  return dot > mark ? id.slice(0, dot) : null;
}
