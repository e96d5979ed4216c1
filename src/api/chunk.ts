// The unit of work a run hands the build loop: a chunk of jobs run as one
// process. A tool that takes one file ({file}) has chunks of one job; a batch
// tool ({files}) has its stale jobs cut into chunks (build/chunks.ts), and a
// failed chunk is narrowed: split into halves that run next under its token,
// until each failing file is known. The split keeps what deciding a file's
// result needs: a half that passes while its sibling has not ended is held,
// because if the sibling passes too the parent's failure is explained by
// neither, and then (in doubt) every file of the parent fails with it.
import { type JobLimit, chunksOf } from '../build/index.js';
import { batchArgBudget, mostAtOnce } from '../config/index.js';
import { type JobOutcome, isBatchCommand } from '../exec/index.js';
import type { PlannedJob } from '../plan/index.js';

export interface Chunk {
  /**
   * The process's name within the run, for reports: `TOOL#N` for the tool's
   * Nth chunk in plan order (the same stale files give the same ids), and
   * `.1` / `.2` added for each narrowing half (parentChunkId reads it back).
   */
  id: string;
  /** Its files' jobs, in path order; all of one tool. */
  jobs: PlannedJob[];
  /** Whether the tool takes many files ({files}); false: exactly one job. */
  batch: boolean;
  /** The split of a failed chunk this is a half of; null for a chunk the run planned. */
  split: Split | null;
}

/** A failed chunk's narrowing: its two halves, and what is known of them so far. */
export interface Split {
  /** The failed chunk's own outcome and log: what its files get when neither half explains the failure. */
  outcome: JobOutcome;
  log: string;
  halves: [Chunk, Chunk];
  /** A half that passed before its sibling ended, not yet recorded (with its outcome and log). */
  held: { chunk: Chunk; outcome: JobOutcome; log: string } | null;
  /** Halves that have ended, passed or not. */
  ended: Set<Chunk>;
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
      out.push({ id: nextId(tool.config.name), jobs: [p], batch: false, split: null });
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
    for (const c of chunks) out.push({ id: nextId(tool.config.name), jobs: c, batch: true, split: null });
  }
  return out;
}

/** The limit the chunk's tool sets on its processes at once (`serial`, `jobs`); null: none but the tokens. */
export function limitOfChunk(c: Chunk): JobLimit | null {
  const tool = c.jobs[0]!.job.tool.config;
  const most = mostAtOnce(tool);
  return most === null ? null : { group: tool.name, most };
}

/** A failed chunk's halves (the first the larger), linked to the split that narrows it. */
export function splitChunk(c: Chunk, outcome: JobOutcome, log: string): [Chunk, Chunk] {
  const mid = Math.ceil(c.jobs.length / 2);
  const split: Split = { outcome, log, halves: [] as unknown as [Chunk, Chunk], held: null, ended: new Set() };
  split.halves = [
    { id: `${c.id}.1`, jobs: c.jobs.slice(0, mid), batch: true, split },
    { id: `${c.id}.2`, jobs: c.jobs.slice(mid), batch: true, split },
  ];
  return split.halves;
}

/** The id of the chunk a half was split from; null for a chunk the run planned. */
export function parentChunkId(id: string): string | null {
  const mark = id.lastIndexOf('#'); // a tool's name may hold '.' or '#', its numbers never do
  const dot = id.lastIndexOf('.');
  return dot > mark ? id.slice(0, dot) : null;
}
