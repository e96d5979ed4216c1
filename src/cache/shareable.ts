// Says which parts of a job's fingerprint belong to this machine or checkout
// alone (a value taken from the caller's environment that names a path or a
// user, a venv outside the tree, a program or input known only by its stat):
// such a key cannot be shared, so the remote cache never uploads its result
// and explain says why. Judges only; changes no key (a part that cannot be
// made portable stays in the key, so no job is ever skipped that should run).
import path from 'node:path';
import type { LatchedTool } from '../config/index.js';
import { shellPrograms } from '../config/executable.js';
import type { Job } from '../plan/index.js';
import { type PathRoots, isLocalPath } from '../portable-path.js';

/** Variables whose value is a user's or a machine's name, whatever it looks like. */
const NAMES_A_USER_OR_HOST = new Set(['USER', 'LOGNAME', 'USERNAME', 'HOSTNAME', 'HOST']);

/** What in this job's key cannot be shared, one phrase each; empty when the key is portable. */
export function unshareableParts(job: Job): string[] {
  // Everything that decides it is in the tool's latch: the deps digests name files portably (portable-path.ts).
  return [...latchParts(job.tool)];
}

/** Per latched tool, computed once: a plan's jobs share their tool's object. */
const byTool = new WeakMap<LatchedTool, readonly string[]>();

function latchParts(tool: LatchedTool): readonly string[] {
  let parts = byTool.get(tool);
  if (parts === undefined) byTool.set(tool, (parts = judgeLatch(tool)));
  return parts;
}

/** Absolute paths in a value: the whole of it, and each element of a ':'-separated list. */
function absolutePaths(value: string): string[] {
  return value.split(':').filter((p) => path.isAbsolute(p));
}

function judgeLatch(tool: LatchedTool): string[] {
  const parts: string[] = [];
  const roots: PathRoots | null =
    tool.sourceTree === undefined ? null : { sourceTree: tool.sourceTree, home: tool.env.HOME };
  const names = (value: string): boolean => roots !== null && absolutePaths(value).some((p) => isLocalPath(p, roots));
  const command = tool.latch.tool.command;
  const opaqueShell = typeof command === 'string' && shellPrograms(command).opaque;
  for (const [name, latched] of Object.entries(tool.latch.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (latched.startsWith('#')) {
      // Taken from the caller, hashed: the same value hashes alike anywhere, but a path or a name of this machine does not.
      const value = tool.env[name] ?? '';
      if (name === 'PATH' && opaqueShell)
        parts.push('PATH is latched by value (a shell command whose programs runner cannot tell)');
      else if (NAMES_A_USER_OR_HOST.has(name)) parts.push(`${name} is latched by value (a user or host name)`);
      else if (absolutePaths(value).length > 0)
        parts.push(`${name} is latched by value, a path on this machine (passEnv)`);
    } else if (latched.startsWith('=') && names(latched.slice(1))) {
      // The config's own value: the same in every clone, unless it names this checkout or this user's home.
      parts.push(`env ${name} names a path in this checkout or this user's home by its absolute path`);
    }
  }
  for (const e of tool.latch.executables) {
    if (e.venv !== undefined && path.isAbsolute(e.venv))
      parts.push(`venv ${e.venv} outside the source tree (its packages are not in the key)`);
    if (e.digest.startsWith('unreadable '))
      parts.push(`program ${e.name} cannot be read here (known by its size and mtime)`);
    else if (e.digest.startsWith('unresolved'))
      parts.push(`program ${e.name}: its version manager names no program here`);
  }
  for (const [key, value] of Object.entries(tool.latch.inputs)) {
    if (value.startsWith('unreadable') || value.startsWith('not a regular file'))
      parts.push(`input ${key} cannot be read here`);
    else if (value.startsWith('link to a directory: ') && path.isAbsolute(value.slice('link to a directory: '.length)))
      parts.push(`input ${key} is a link to an absolute path`);
    else if (roots !== null && isLocalPath(key, roots))
      parts.push(
        `input ${key} names a path in this checkout or this user's home by its absolute path (write it relative, or as ~/...)`,
      );
  }
  return parts;
}

/** Files outside the source tree that a key names by where they are, grouped by the first directories of that name. */
export interface PlaceNamed {
  /** The name's first directories: `/usr/lib/python3.11`, `~/.pyenv/versions`. */
  under: string;
  /** 'absolute': the same path on every machine; 'home': below the HOME the tools see. */
  by: 'absolute' | 'home';
  files: number;
}

/** How many leading directories name a group: `/root/.pyenv/versions`, `~/.pyenv/versions`. */
const GROUP_DEPTH = 3;

/**
 * Groups the key names of a job's dependencies outside the source tree (portable-path.ts: `~/...`
 * below HOME, an absolute path elsewhere; `<source-tree>/...` names travel with the tree and are left
 * out). Content decides whether such a file changed, but its name is in the key too: another machine
 * shares the result only if it has the same files under the same names, which a HOME or an install
 * prefix of its own breaks (a pyenv in /root under another HOME: `/root/.pyenv/...` here, `~/.pyenv/...`
 * there). Most files first.
 */
export function placeNamedDeps(names: Iterable<string>): PlaceNamed[] {
  const groups = new Map<string, PlaceNamed>();
  for (const name of names) {
    const by = name.startsWith('~/') ? 'home' : path.isAbsolute(name) ? 'absolute' : null;
    if (by === null) continue;
    const parts = name.split('/');
    // '~' and the empty name before an absolute path's '/' are not directories of their own; the file's
    // own name is never part of a group's ('/a/b.py' groups under '/a').
    const under = parts.slice(0, Math.min(GROUP_DEPTH + (by === 'home' ? 0 : 1), parts.length - 1)).join('/') || '/';
    const g = groups.get(under);
    if (g === undefined) groups.set(under, { under, by, files: 1 });
    else g.files++;
  }
  return [...groups.values()].sort((a, b) => b.files - a.files || (a.under < b.under ? -1 : 1));
}
