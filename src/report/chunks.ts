// The words for a batch tool's chunk (one process, many files) wherever a
// report names one: the progress bar, -v lines, a failure judged with other
// files, and a dry run's list of the chunks it would start. Decides nothing.
import type { ChunkReport, JobReport } from '../api/run-report.js';

function files(n: number): string {
  return `${n} ${n === 1 ? 'file' : 'files'}`;
}

/** As the progress bar lists a process in flight: "compile (4 files)", "compile (2 files, narrowing)". */
export function chunkLabel(tool: string, c: ChunkReport): string {
  return `${tool} (${files(c.files)}${c.narrowing === null ? '' : ', narrowing'})`;
}

/** "compile#2 (4 files)", "compile#2.1 (2 files, narrowing compile#2)". */
export function describeChunk(c: ChunkReport): string {
  return `${c.id} (${files(c.files)}${c.narrowing === null ? '' : `, narrowing ${c.narrowing}`})`;
}

/**
 * For a file judged together with others (a chunk that passed, or one whose
 * failure its narrowing could not pin on any file alone): its log is that whole process's output; for a file
 * the failure pattern named: its log is the lines naming it; for a file
 * left unjudged (the narrowing stopped), that it runs again. Null when the file was judged alone or by a
 * one-file tool's job.
 */
export function sharedJudgement(j: JobReport): string | null {
  const c = j.chunk;
  if (c === undefined) return null;
  if (j.unjudged !== undefined) {
    const n = j.unjudged.processes;
    const why = j.unjudged.kind === 'budget' ? 'its budget' : 'a dense failure';
    return `failed with chunk ${c.id} (${files(c.files)}), not judged alone: the narrowing stopped after ${n} ${n === 1 ? 'process' : 'processes'} (${why}); it runs again next time`;
  }
  if (c.files < 2) return null;
  if (j.named !== undefined)
    return `named by the failure pattern in the output of chunk ${c.id} (${files(c.files)}): its log is the lines naming it`;
  const others = c.files - 1;
  return `judged in chunk ${c.id} with ${others} other ${others === 1 ? 'file' : 'files'}: its log is that process's whole output`;
}

/** A tool's chunks in a dry run, in the order the run would start them; each with its files' reports. */
export interface ToolChunks {
  tool: string;
  chunks: { chunk: ChunkReport; jobs: JobReport[] }[];
}

/**
 * The batch tools' would-run jobs grouped by chunk, one entry per tool where
 * its first job stands in `jobs` (as the run plans them); jobs without a chunk
 * (one-file tools) left out.
 */
export function chunksOfRun(jobs: readonly JobReport[]): ToolChunks[] {
  const byTool = new Map<string, Map<string, { chunk: ChunkReport; jobs: JobReport[] }>>();
  for (const j of jobs) {
    if (j.chunk === undefined) continue;
    let chunks = byTool.get(j.tool);
    if (chunks === undefined) byTool.set(j.tool, (chunks = new Map()));
    const entry = chunks.get(j.chunk.id);
    if (entry === undefined) chunks.set(j.chunk.id, { chunk: j.chunk, jobs: [j] });
    else entry.jobs.push(j);
  }
  // In the order the run starts them: by their numbers (`TOOL#N`), not by where their files stand in the plan.
  const order = (c: ChunkReport): number => Number(c.id.slice(c.id.lastIndexOf('#') + 1));
  return [...byTool].map(([tool, chunks]) => ({
    tool,
    chunks: [...chunks.values()].sort((a, b) => order(a.chunk) - order(b.chunk)),
  }));
}
