// Splits a batch tool's stale files into chunks, each one process: as many
// chunks as tokens when the files are few, none over `maxFiles`, none whose
// arguments pass the budget (as xargs does). Pure. Stable: the same files give
// the same chunks, whatever order they come in, so results and logs line up
// from run to run.

export interface ChunkLimits {
  /** Tokens the run can hold at once: the chunks to aim for when the files are few. */
  tokens: number;
  /** The most files in one chunk; null: no limit. */
  maxFiles: number | null;
  /** Bytes the files' arguments may take in one process; null: no limit known. */
  budget: number | null;
  /** What one file costs of the budget. */
  cost: (path: string) => number;
}

/**
 * `items` cut into chunks by `pathOf`, in path order: first into
 * max(tokens, ⌈n / maxFiles⌉) chunks whose sizes differ by one at most, then
 * any chunk over the budget cut again, greedily, where it overflows. A file
 * over the budget on its own is a chunk alone (its spawn then fails, and says so).
 */
export function chunksOf<T>(items: readonly T[], pathOf: (item: T) => string, limits: ChunkLimits): T[][] {
  const sorted = [...items].sort((a, b) => compare(pathOf(a), pathOf(b)));
  const n = sorted.length;
  if (n === 0) return [];
  const count = Math.min(n, Math.max(1, limits.tokens, limits.maxFiles === null ? 1 : Math.ceil(n / limits.maxFiles)));
  const even: T[][] = [];
  for (let i = 0, start = 0; i < count; i++) {
    const size = Math.floor(n / count) + (i < n % count ? 1 : 0);
    even.push(sorted.slice(start, start + size));
    start += size;
  }
  const budget = limits.budget;
  if (budget === null) return even;
  return even.flatMap((chunk) => {
    const out: T[][] = [];
    let current: T[] = [];
    let used = 0;
    for (const item of chunk) {
      const c = limits.cost(pathOf(item));
      if (current.length > 0 && used + c > budget) {
        out.push(current);
        current = [];
        used = 0;
      }
      current.push(item);
      used += c;
    }
    if (current.length > 0) out.push(current);
    return out;
  });
}

/** By code unit, not locale: the same order on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
