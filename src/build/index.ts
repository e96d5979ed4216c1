// Public surface of build/: the loop that runs a plan's stale jobs under
// tokens, with the way to start a job and the recorder of results injected.
export { build, type BuildOptions, type BuildSummary } from './build.js';
export type { CommandRunner } from './command-runner.js';
export type { JobRecorder } from './job-recorder.js';
export { spawnRunner, spawnRunnerWith } from './spawn-runner.js';
export { chunksOf, type ChunkLimits } from './chunks.js';
export type { JobLimit } from './limit-queue.js';
