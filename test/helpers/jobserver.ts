// Helpers for the jobserver integration tests: span logs written by span-probe.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { REPO, type Sandbox, beforeSandboxRemoval, useFixture, writeConfig, writeText } from './sandbox.js';
import type { RunResult } from './cli.js';

export const SPAN_PROBE = path.join(REPO, 'test', 'helpers', 'span-probe.mjs');
export const EMULATED_JOBSERVER = path.join(REPO, 'test', 'helpers', 'emulated-jobserver.py');

/**
 * A source tree of nJobs files under jobs/, whose tools (default: the span
 * probe, logging to `log`) see SPAN_LOG and the given env.
 */
export function spanTree(
  nJobs: number,
  opts: { env?: Record<string, string>; tools?: unknown[] } = {},
): { sb: Sandbox; log: string } {
  const sb = useFixture('js-demo');
  const log = path.join(sb.scratch, 'spans.log');
  fs.rmSync(path.join(sb.tree, 'src'), { recursive: true, force: true });
  fs.rmSync(path.join(sb.tree, 'test'), { recursive: true, force: true });
  for (let i = 1; i <= nJobs; i++) writeText(sb, `jobs/a${i}.txt`, `job ${i}\n`);
  writeConfig(sb, {
    include: ['jobs/**'],
    env: { SPAN_LOG: log, ...opts.env },
    tools: opts.tools ?? [{ name: 'span', command: [process.execPath, SPAN_PROBE, '{file}'] }],
  });
  return { sb, log };
}

export interface Span {
  label: string;
  pid: number;
  start: bigint;
  end: bigint | null;
}

/** Parses a span log into one span per pid+label (end null when the job never logged its end). */
export function readSpans(logPath: string): Span[] {
  let text: string;
  try {
    text = fs.readFileSync(logPath, 'utf8');
  } catch {
    return [];
  }
  const open = new Map<string, Span>();
  const spans: Span[] = [];
  for (const line of text.split('\n')) {
    const m = /^(start|end) (\d+) (\d+) (.*)$/.exec(line);
    if (!m) continue;
    const key = `${m[3]} ${m[4]}`;
    if (m[1] === 'start') {
      const span: Span = { label: m[4]!, pid: Number(m[3]), start: BigInt(m[2]!), end: null };
      open.set(key, span);
      spans.push(span);
    } else {
      const span = open.get(key);
      if (span) span.end = BigInt(m[2]!);
    }
  }
  return spans;
}

/** Maximum number of spans open at once (an end at the same instant as a start closes first). */
export function peakOverlap(spans: Span[], filter?: (label: string) => boolean): number {
  const events: [bigint, number][] = [];
  for (const s of spans) {
    if (filter && !filter(s.label)) continue;
    events.push([s.start, 1]);
    events.push([s.end ?? BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n, -1]);
  }
  events.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  let cur = 0;
  let peak = 0;
  for (const [, d] of events) {
    cur += d;
    peak = Math.max(peak, cur);
  }
  return peak;
}

export function peakFromLog(logPath: string, filter?: (label: string) => boolean): number {
  return peakOverlap(readSpans(logPath), filter);
}

export const INTERNAL_LINE = /INTERNAL: Exiting with/;

/**
 * Spawns a command in its own process group and collects its output; the group is
 * SIGKILLed before the sandbox goes away if it is still running.
 */
export function spawnCollect(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<RunResult> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let done = false;
  beforeSandboxRemoval(() => {
    if (done || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  });
  return new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface EmulatedResult {
  res: RunResult;
  exit: number;
  tokensBefore: string;
  tokensAfter: string;
  /** Whether the shared read end was left O_NONBLOCK after the run. */
  sharedNonblock: boolean;
}

/** Runs argv under emulated-jobserver.py and parses its JSON line (the last stdout line). */
export async function runEmulated(
  pyArgs: string[],
  argv: string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<EmulatedResult> {
  const res = await spawnCollect('python3', [EMULATED_JOBSERVER, ...pyArgs, '--', ...argv], opts);
  const last = res.stdout.trim().split('\n').pop() ?? '';
  let parsed: { exit: number; tokens_before: string; tokens_after: string; shared_nonblock: boolean };
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new Error(
      `emulated jobserver printed no JSON\nexit ${res.code}\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`,
    );
  }
  return {
    res,
    exit: parsed.exit,
    tokensBefore: parsed.tokens_before,
    tokensAfter: parsed.tokens_after,
    sharedNonblock: parsed.shared_nonblock,
  };
}

export function sortedChars(s: string): string {
  return [...s].sort().join('');
}
