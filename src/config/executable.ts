// Finds the program a tool runs, the way the shell would, and records its
// identity so that upgrading the program re-runs the tool's jobs.
import fs from 'node:fs';
import path from 'node:path';

export interface ExecutableIdentity {
  /** As written in the command. */
  name: string;
  /** Where it was found. */
  path: string;
  /** After following symlinks: a `python3 -> python3.12` switch shows here. */
  realPath: string;
  size: number;
  mtimeNs: string;
}

/** Words the shell handles itself; they have no executable to latch. */
const SHELL_WORDS = new Set([
  '.', ':', '[', '[[', '{', '!', 'alias', 'break', 'case', 'cd', 'command', 'continue', 'eval', 'exec',
  'exit', 'export', 'false', 'for', 'if', 'read', 'return', 'set', 'shift', 'source', 'test', 'time',
  'trap', 'true', 'ulimit', 'umask', 'unset', 'until', 'wait', 'while', 'echo', 'printf', 'type',
]);

/** The program a shell command starts with, when it is a plain word we can resolve. */
export function firstProgram(shellCommand: string): string | null {
  const m = /^\s*([A-Za-z0-9_./+-]+)(?=\s|$)/.exec(shellCommand);
  if (m === null) return null;
  const word = m[1]!;
  if (SHELL_WORDS.has(word) || word.includes('=')) return null;
  return word;
}

/** null when not found or not executable. */
export function resolveExecutable(name: string, pathVar: string | undefined, cwd: string): ExecutableIdentity | null {
  const candidates = name.includes('/')
    ? [path.resolve(cwd, name)]
    : (pathVar ?? '').split(':').filter((d) => d !== '').map((d) => path.resolve(cwd, d, name));
  for (const candidate of candidates) {
    let st: fs.BigIntStats;
    try {
      st = fs.statSync(candidate, { bigint: true });
      if (!st.isFile()) continue;
      fs.accessSync(candidate, fs.constants.X_OK);
    } catch {
      continue;
    }
    return {
      name,
      path: candidate,
      realPath: fs.realpathSync(candidate),
      size: Number(st.size),
      mtimeNs: st.mtimeNs.toString(),
    };
  }
  return null;
}
