// Checks, before any state is opened, that a tool's environment and command
// fit what Linux passes to a program, so a config that cannot start any job
// stops with a message naming the variables instead of failing every spawn
// with E2BIG; and tells a batch tool's chunks how many bytes of file
// arguments one process can take. Reads /proc/self/limits once; elsewhere
// checks nothing.
import fs from 'node:fs';
import { FILES_MARK, fileArgument, shellQuote } from '../exec/index.js';
import { SpawnLimitError } from '../errors.js';
import type { ToolConfig } from './schema.js';

/** _STK_LIM / 4 * 3: the cap on arguments and environment even with an unlimited stack (fs/exec.c). */
const HARD_CAP = 6 * 1024 * 1024;
/** ARG_MAX's floor: 32 pages of 4 KiB, whatever the stack limit. */
const FLOOR = 128 * 1024;
/** Room for what is added per job: the file's path (PATH_MAX), MAKEFLAGS, the watchdog's mark, strace's arguments. */
const PER_JOB_ROOM = 8 * 1024;

let cached: number | null | undefined;

/**
 * The bytes of argument and environment strings (and their pointers) Linux
 * takes at exec: a quarter of the stack's soft limit (what getconf ARG_MAX
 * says), capped and floored as fs/exec.c does. Null where /proc cannot tell.
 */
export function argMaxBytes(): number | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max stack size'));
    const soft = line?.slice('Max stack size'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') cached = HARD_CAP;
    else if (soft !== undefined && /^\d+$/.test(soft))
      cached = Math.max(FLOOR, Math.min(HARD_CAP, Math.floor(Number(soft) / 4)));
  } catch {
    // not Linux: the spawn error, if any, is named when it comes
  }
  return cached;
}

/** What one string costs at exec: its bytes, its NUL, its pointer. */
const cost = (s: string): number => Buffer.byteLength(s) + 1 + 8;

export function checkSpawnLimits(opts: {
  file: string;
  tools: readonly ToolConfig[];
  env: Record<string, string>;
  limit?: number | null;
}): void {
  const limit = opts.limit === undefined ? argMaxBytes() : opts.limit;
  if (limit === null) return;
  const vars = Object.entries(opts.env).map(([name, value]): [string, number] => [name, cost(`${name}=${value}`)]);
  const envBytes = vars.reduce((sum, [, b]) => sum + b, 0);
  for (const tool of opts.tools) {
    const words = typeof tool.command === 'string' ? ['/bin/sh', '-c', tool.command] : tool.command;
    const bytes = envBytes + words.reduce((sum, w) => sum + cost(w), 0) + PER_JOB_ROOM;
    if (bytes <= limit) continue;
    const largest = [...vars].sort((a, b) => b[1] - a[1]).slice(0, 3);
    throw new SpawnLimitError({ file: opts.file, tool: tool.name, bytes, limit, largest });
  }
}

/** MAX_ARG_STRLEN: the most bytes (with its NUL) of one argument string, whatever ARG_MAX is (32 pages). */
export const MAX_ARG_STRLEN = 32 * 4096;

/** What a batch tool's chunk may spend on its files' arguments, and what each file costs of it. */
export interface ArgBudget {
  /** null: no limit is known here (not Linux). */
  budget: number | null;
  cost: (path: string) => number;
}

/**
 * The bytes left for a batch tool's files once its command's other words and
 * its environment are counted, with the per-job room checkSpawnLimits keeps.
 * An argv word that is exactly `{files}` gives each file a string of its own;
 * in the shell form (or inside a longer word) the files share one string, which
 * also stays under MAX_ARG_STRLEN.
 */
export function batchArgBudget(
  command: string | string[],
  env: Record<string, string>,
  limit: number | null = argMaxBytes(),
): ArgBudget {
  const own = Array.isArray(command) && command.includes(FILES_MARK);
  const words = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
  const quote = typeof command === 'string' ? shellQuote : (w: string): string => w;
  const fileCost = own
    ? (path: string): number => Buffer.byteLength(fileArgument(path)) + 1 + 8
    : (path: string): number => Buffer.byteLength(quote(fileArgument(path))) + 1; // and the space before it
  if (limit === null) return { budget: null, cost: fileCost };
  const envBytes = Object.entries(env).reduce((sum, [name, value]) => sum + cost(`${name}=${value}`), 0);
  const fixed = words.filter((w) => w !== FILES_MARK).reduce((sum, w) => sum + cost(w), 0);
  let budget = limit - envBytes - fixed - PER_JOB_ROOM;
  if (!own) {
    const shared = words.find((w) => w.includes(FILES_MARK)) ?? '';
    budget = Math.min(budget, MAX_ARG_STRLEN - 1 - Buffer.byteLength(shared));
  }
  return { budget: Math.max(0, budget), cost: fileCost };
}
