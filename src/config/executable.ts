// Finds the program a tool runs, the way the shell would, and identifies the
// program that really runs (through symlinks and version-manager shims) by
// its content, so that a new build of it re-runs the tool's jobs and a copy,
// a reinstall or a touch of the same bytes does not.
import fs from 'node:fs';
import path from 'node:path';
import type { ExecutableIdentity, ExecutableWhere } from '../tool-latch.js';
import { treePath } from '../tree-path.js';
import type { ProgramIds } from './program-ids.js';
import { type Shim, programBehind, recognizeShim } from './shims.js';

/** Builtins that run no other program: nothing to latch. */
const BUILTINS = new Set([
  ':',
  '[',
  '[[',
  'alias',
  'break',
  'cd',
  'continue',
  'echo',
  'exit',
  'export',
  'false',
  'printf',
  'read',
  'return',
  'set',
  'shift',
  'test',
  'trap',
  'true',
  'type',
  'ulimit',
  'umask',
  'unset',
  'wait',
]);
/** Words that start a compound command or prefix one; the command follows them. */
const PREFIXES = new Set(['!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'while', 'until', 'do', 'done', 'time']);
/** Words that run a program named some other way (a script, a string, an argument): what runs cannot be told. */
const RUNS_OTHERS = new Set([
  '.',
  'source',
  'eval',
  'exec',
  'command',
  'builtin',
  'case',
  'for',
  'function',
  'env',
  'xargs',
  'nohup',
  'nice',
  'timeout',
  'sudo',
]);

/**
 * The programs a shell command starts from PATH, one per command in it (split
 * at `&&`, `||`, `;`, `|`, `&`, newlines and parentheses), and whether some
 * command's program cannot be told (a variable or substitution as the
 * command, `eval`, `xargs`, a sourced script...): then PATH decides what runs,
 * and the caller latches it.
 */
export function shellPrograms(shellCommand: string): { programs: string[]; opaque: boolean } {
  const programs: string[] = [];
  let opaque = shellCommand.includes('`') || shellCommand.includes('$(');
  for (const part of shellCommand.split(/&&|\|\||[;|&\n()]/)) {
    const words = part
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '');
    let i = 0;
    while (i < words.length && (PREFIXES.has(words[i]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!))) i++;
    const word = words[i];
    if (word === undefined || BUILTINS.has(word)) continue;
    if (RUNS_OTHERS.has(word) || !/^[A-Za-z0-9_./+-]+$/.test(word)) opaque = true;
    else if (!programs.includes(word)) programs.push(word);
  }
  return { programs, opaque };
}

function candidatesOf(name: string, pathVar: string | undefined, cwd: string): string[] {
  return name.includes('/')
    ? [path.resolve(cwd, name)]
    : (pathVar ?? '')
        .split(':')
        .filter((d) => d !== '')
        .map((d) => path.resolve(cwd, d, name));
}

/** Where the shell would find `name`; null when not found or not executable. Stats only. */
export function findExecutable(name: string, pathVar: string | undefined, cwd: string): string | null {
  for (const candidate of candidatesOf(name, pathVar, cwd)) {
    try {
      if (!fs.statSync(candidate).isFile()) continue;
      fs.accessSync(candidate, fs.constants.X_OK);
    } catch {
      continue;
    }
    return candidate;
  }
  return null;
}

/**
 * Why `name` cannot be run when findExecutable found nothing: the first file
 * by that name (where the shell would look) that is not executable or is a
 * directory, so the message says so rather than "not found"; null when there
 * is no such file at all.
 */
export function unrunnableCandidate(
  name: string,
  pathVar: string | undefined,
  cwd: string,
): { path: string; problem: 'not executable' | 'a directory' } | null {
  for (const candidate of candidatesOf(name, pathVar, cwd)) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(candidate, { throwIfNoEntry: false });
    } catch {
      continue; // a PATH entry that is a file, or one runner may not search: the shell skips it too
    }
    if (st === undefined) continue;
    return { path: candidate, problem: st.isDirectory() ? 'a directory' : 'not executable' };
  }
  return null;
}

const realPathOf = (p: string): string => {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
};

/**
 * Identifies the program found at `found` as it runs for a job with `env`
 * in `cwd`. Reads a file only when its stat changed, and asks a version
 * manager only when what it consults changed (both cached in `ids`).
 */
export function identifyProgram(
  name: string,
  found: string,
  env: Record<string, string>,
  cwd: string,
  ids: ProgramIds,
): ExecutableIdentity {
  const id = identifyFile(name, found, env, cwd, ids);
  const venv = venvOf(id.where.program, cwd);
  return venv === null ? id : { ...id, venv };
}

function identifyFile(
  name: string,
  found: string,
  env: Record<string, string>,
  cwd: string,
  ids: ProgramIds,
): ExecutableIdentity {
  const realPath = realPathOf(found);
  const where: ExecutableWhere = { path: found, realPath, program: found, shim: null };
  const facts = ids.factsOf(realPath);
  // Read-protected programs (mode 711) run but cannot be read: fall back to their stat, which is all there is.
  if (facts === null) return { name, digest: `unreadable ${statOf(realPath)}`, package: null, where };
  const shim = recognizeShim(found, realPath, facts);
  if (shim === null) return { name, digest: facts.digest, package: packageOf(realPath, ids), where };
  where.shim = shim.manager;
  const answer = programBehind(shim, name, env, cwd, ids);
  if (!answer.ok) {
    // The job would fail the same way; a fixed setup gives another identity, so its jobs run again.
    return { name, digest: `unresolved: ${shim.manager} names no program (${answer.problem})`, package: null, where };
  }
  where.program = answer.program;
  const behind = realPathOf(answer.program);
  where.realPath = behind;
  const real = ids.factsOf(behind);
  return {
    name,
    digest: real === null ? `unreadable ${statOf(behind)}` : real.digest,
    package: packageOf(behind, ids),
    where,
  };
}

/** The version-manager shim at `found`, as identifyProgram() would recognise it; null for any other program. */
export function shimAt(found: string, ids: ProgramIds): Shim | null {
  const realPath = realPathOf(found);
  const facts = ids.factsOf(realPath);
  return facts === null ? null : recognizeShim(found, realPath, facts);
}

/** The venv whose bin/ holds `program` (python finds its pyvenv.cfg one level above its own directory). */
function venvOf(program: string, cwd: string): string | null {
  const dir = path.dirname(path.dirname(program));
  if (!fs.existsSync(path.join(dir, 'pyvenv.cfg'))) return null;
  const rel = treePath(cwd, dir);
  return rel === null ? dir : rel === '' ? '.' : rel;
}

function statOf(p: string): string {
  const st = fs.statSync(p, { bigint: true, throwIfNoEntry: false });
  return st === undefined ? 'missing' : `${st.size}:${st.mtimeNs}`;
}

/** For a program inside node_modules/<pkg>/ (or node_modules/@scope/<pkg>/): that package's name@version. */
function packageOf(realPath: string, ids: ProgramIds): string | null {
  const parts = realPath.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 2 >= parts.length) return null;
  const depth = parts[at + 1]!.startsWith('@') ? 3 : 2;
  if (at + depth >= parts.length) return null;
  const facts = ids.factsOf([...parts.slice(0, at + depth), 'package.json'].join('/'));
  return facts === null ? 'no package.json' : facts.pkg;
}
