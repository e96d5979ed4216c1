// Refuses a config nested deeper than runner reads, or holding itself, before
// anything walks it: a recursive walk (a message showing the value, a
// fingerprint's canonical JSON) would overflow the stack on either.
import { ConfigError } from '../../errors.js';
import type { Ctx } from './check.js';

/** runner's own config nests 4 levels (tools[0].command[0]); far more is a mistake, not a config. */
export const MAX_CONFIG_DEPTH = 32;

const keyOf = (parent: string, k: string | number): string =>
  typeof k === 'number' ? `${parent}[${k}]` : parent === '' ? k : `${parent}.${k}`;

/** Iterative, so that a 100,000-deep array is refused and not a stack overflow itself. */
export function checkDepth(ctx: Ctx, raw: unknown): void {
  const ancestors = new Set<object>();
  // A frame is left (its object leaves the ancestors) when its marker comes off the stack.
  const stack: ({ value: unknown; key: string; depth: number } | { leave: object })[] = [
    { value: raw, key: '', depth: 0 },
  ];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('leave' in frame) {
      ancestors.delete(frame.leave);
      continue;
    }
    const { value, key, depth } = frame;
    if (typeof value !== 'object' || value === null) continue;
    const shown = key === '' ? '(top level)' : key.length > 48 ? key.slice(0, 45) + '...' : key;
    if (ancestors.has(value)) {
      throw new ConfigError({
        file: ctx.file,
        key: shown,
        problem: 'self-reference',
        expected: 'plain values: objects, arrays, strings, numbers, true, false and null',
      });
    }
    if (depth >= MAX_CONFIG_DEPTH) {
      throw new ConfigError({
        file: ctx.file,
        key: shown,
        problem: 'too-deep',
        value: `more than ${MAX_CONFIG_DEPTH} levels`,
        expected: `at most ${MAX_CONFIG_DEPTH} levels (runner's config nests 4: tools[0].command[0])`,
      });
    }
    ancestors.add(value);
    stack.push({ leave: value });
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (const [k, v] of entries) stack.push({ value: v, key: keyOf(key, k), depth: depth + 1 });
  }
}
