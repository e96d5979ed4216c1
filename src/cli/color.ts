// Whether runner's own output is coloured: --no-color, FORCE_COLOR, NO_COLOR
// and the terminal, in that order. Decides only; io.ts reads the process.

/**
 * FORCE_COLOR as Node.js and the supports-color family read it: set, it decides over NO_COLOR and the
 * terminal, on for any value (the empty one included) but `0` and `false`. NO_COLOR counts only when
 * set to something: "when present and not an empty string" (no-color.org). --no-color beats both.
 */
export function colorOf(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTerminal: boolean): boolean {
  if (flag === false) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTerminal && env.TERM !== 'dumb';
}
