// Spawns the real CLI (node bin/runner) as a child process with an explicit env;
// never inherits the test process's environment.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO, beforeSandboxRemoval } from './sandbox.js';

export const BIN = path.join(REPO, 'bin', 'runner');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from what the command (and all it starts) can ever hold. */
export const WITHOUT_DAC = ['setpriv', '--bounding-set=-dac_override,-dac_read_search'] as const;

export interface RunOptions {
  cwd: string;
  /** The child's whole environment; defaults to baseEnv(). */
  env?: Record<string, string>;
  input?: string;
  /**
   * Run without the capabilities that let root read and search anything
   * (setpriv, util-linux), when the tests run as root: root reads a chmod 000
   * file anyway. Still uid 0, so it reads a checkout in a private home
   * directory and writes the sandbox it owns; only permission bits stop it.
   */
  withoutDac?: boolean;
  /** A command runner runs under, as its argv before node's (strace, to slow a system call); the child is then that command. */
  under?: readonly string[];
  /** Options for node itself, before bin/runner (`--import` a module lister). */
  nodeArgs?: readonly string[];
  /** Another bin/runner than the repository's (a copy of the package). */
  bin?: string;
  /** Executes bin/runner itself, as a shell or make does (its first line says how), not `node bin/runner`. */
  direct?: boolean;
}

/** PATH and HOME from the caller, NO_COLOR=1, RUNNER_WATCHMAN=0, and whatever a test adds. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    NO_COLOR: '1',
    // A tree of 2,000 files would otherwise start a machine-wide watchman that outlives the test (README, "With watchman").
    RUNNER_WATCHMAN: '0',
    ...extra,
  };
}

export interface RunningRunner {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  result: Promise<RunResult>;
}

/** Starts the CLI and returns at once, so a test can signal it mid-run. */
export function startRunner(args: string[], opts: RunOptions): RunningRunner {
  const drop = opts.withoutDac === true && process.getuid?.() === 0 ? [...WITHOUT_DAC] : [];
  const node = opts.direct === true ? [] : [process.execPath, ...(opts.nodeArgs ?? [])];
  const argv = [...drop, ...(opts.under ?? []), ...node, opts.bin ?? BIN, ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    env: opts.env ?? baseEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.on('error', () => {});
  child.stdin!.end(opts.input ?? '');
  const result = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  beforeSandboxRemoval(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => stdout, stderr: () => stderr, result };
}

export function runRunner(args: string[], opts: RunOptions): Promise<RunResult> {
  return startRunner(args, opts).result;
}

/**
 * A run's JSON without the fresh jobs it lists as cached passes: what most tests
 * assert on (the jobs that were not fresh), as `jobs` held before issue 15.
 */
export function notFresh<T>(json: T): T {
  const o = json as { command?: unknown; jobs?: unknown };
  if (o.command !== 'run' || !Array.isArray(o.jobs)) return json;
  return { ...json, jobs: (o.jobs as JobJson[]).filter((j) => !(j.cached && j.status === 'passed')) };
}

/**
 * Runs with --json and parses stdout, which must hold exactly one JSON object:
 * `printed` as it was printed, `json` the same less the fresh jobs (notFresh).
 */
export async function runJson<T = RunJson>(
  args: string[],
  opts: RunOptions,
): Promise<{ res: RunResult; json: T; printed: T }> {
  const res = await runRunner([...args, '--json'], opts);
  let printed: T;
  try {
    printed = JSON.parse(res.stdout) as T;
  } catch (err) {
    throw new Error(
      `runner ${args.join(' ')} --json: stdout is not one JSON object (${(err as Error).message})\n` +
        `exit: ${res.code} ${res.signal ?? ''}\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`,
      { cause: err },
    );
  }
  return { res, json: notFresh(printed), printed };
}

// The --json shapes of the contract.
export interface JobJson {
  tool: string;
  file: string;
  status: 'passed' | 'failed' | 'cached-failure' | 'not-started' | 'would-run' | 'interrupted' | string;
  reasons: string[];
  exitCode: number | null;
  durationMs: number;
  /** null when the job wrote nothing (no log is kept). */
  log: string | null;
  reasonDetails: { kind: string; path?: string; why?: string; text: string }[];
  /** When it last ran, for a job not run now (a cached pass or failure). */
  finishedAt: number | null;
  /** Not run now: a fresh job listed as passed, or a cached failure. */
  cached: boolean;
}
export interface ScanJson {
  tracked: number;
  new: number;
  changed: number;
  removed: number;
  hashed: number;
  issues: { path: string; kind: string; detail: string; entry: 'file' | 'directory' }[];
  /** What could not be read: a directory counts once, never as the files below it. */
  unreadable: { files: number; directories: number };
}
export interface RunJson {
  command: 'run';
  /** The --json format's version (report/json.ts JSON_FORMAT_VERSION). */
  version: number;
  exitCode: number;
  durationMs: number;
  scan: ScanJson;
  counts: {
    jobs: number;
    ran: number;
    passed: number;
    failed: number;
    interrupted: number;
    cachedFailures: number;
    fresh: number;
    notStarted: number;
    /** Jobs not checked: their file, or a directory above it, could not be read. */
    unreadable: number;
  };
  jobs: JobJson[];
  error?: { kind: string; message: string };
}
export interface ScanCommandJson {
  command: 'scan';
  exitCode: number;
  scan: ScanJson;
  stale: Record<string, number>;
  staleJobs: { tool: string; file: string; reasons: string[] }[];
}
export interface ExplainReason {
  kind: string;
  name?: string;
  path?: string;
  from?: string;
  to?: string;
}
export interface ExplainJson {
  command: 'explain';
  file: string;
  tracked: boolean;
  tools: {
    tool: string;
    state: 'fresh' | 'stale' | 'cached-failure' | 'not-selected';
    reasons: ExplainReason[];
    last: { status: string; exitCode: number | null; finishedAt: number } | null;
  }[];
}

/** "tool file" for each job, sorted: compare job sets without caring about order. */
export function jobKeys(jobs: { tool: string; file: string }[]): string[] {
  return jobs.map((j) => `${j.tool} ${j.file}`).sort();
}

/** The log shown for a failure must be visible; keep a run's output in assertion messages. */
export function show(res: RunResult): string {
  return `exit ${res.code} ${res.signal ?? ''}\n--- stdout\n${res.stdout}--- stderr\n${res.stderr}`;
}

export interface BytesResult extends Omit<RunResult, 'stdout'> {
  stdout: Buffer;
}

/** Runs the CLI keeping stdout as bytes: `runner log` prints a log as the job wrote it, which need not be text. */
export function runRunnerBytes(args: string[], opts: Pick<RunOptions, 'cwd' | 'env'>): Promise<BytesResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? baseEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  beforeSandboxRemoval(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise<BytesResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr }));
  });
}
