// pytest's configuration files as pytest reads them (_pytest/config/findpaths.py,
// pytest 7 to 9): whether a file holds pytest's section, and its path options
// (pythonpath, testpaths, norecursedirs). Pure: text in, values out; finding
// the files is the caller's. When in doubt a file is 'unreadable', never guessed.
import { createRequire } from 'node:module';
import type * as SmolToml from 'smol-toml';
import { shlexSplit } from './pytest-options.js';

type TomlTable = SmolToml.TomlTable;
type TomlValue = SmolToml.TomlValue;

// smol-toml loads at the first TOML file read, not with the module: most commands read none.
let toml: typeof SmolToml | null = null;
const parseToml = (text: string): TomlTable =>
  (toml ??= createRequire(import.meta.url)('smol-toml') as typeof SmolToml).parse(text);

/** The names pytest looks for in each directory, in its order (pytest 9; the .toml ones are new in 9.0). */
export const PYTEST_CONFIG_NAMES = [
  'pytest.toml',
  '.pytest.toml',
  'pytest.ini',
  '.pytest.ini',
  'pyproject.toml',
  'tox.ini',
  'setup.cfg',
] as const;

export type PytestSection =
  /** No pytest section: pytest looks on, in the next name and the directories above. */
  | { kind: 'none' }
  /** pytest takes this file; its options as written (a string, or a list in TOML). */
  | { kind: 'pytest'; options: ReadonlyMap<string, string | string[] | null> }
  /** pytest would stop on it (a syntax error), or runner cannot tell what pytest makes of it. */
  | { kind: 'unreadable'; why: string };

/** What `name` (one of PYTEST_CONFIG_NAMES) holding `text` is to pytest. */
export function readPytestSection(name: string, text: string): PytestSection {
  try {
    if (name.endsWith('.toml')) return tomlSection(name, parseToml(text));
    const sections = parseIni(text);
    if (name.endsWith('.ini')) {
      const s = sections.get('pytest');
      if (s !== undefined) return { kind: 'pytest', options: s };
      // pytest.ini is pytest's even when empty.
      return name === 'pytest.ini' || name === '.pytest.ini'
        ? { kind: 'pytest', options: new Map() }
        : { kind: 'none' };
    }
    const s = sections.get('tool:pytest');
    if (s !== undefined) return { kind: 'pytest', options: s };
    // pytest fails on a setup.cfg with a plain [pytest] section.
    if (sections.has('pytest')) return { kind: 'unreadable', why: 'setup.cfg has a [pytest] section' };
    return { kind: 'none' };
  } catch (err) {
    return { kind: 'unreadable', why: err instanceof Error ? err.message : String(err) };
  }
}

function tomlSection(name: string, doc: TomlTable): PytestSection {
  if (name === 'pytest.toml' || name === '.pytest.toml') {
    const t = doc.pytest;
    if (t === undefined) return { kind: 'pytest', options: new Map() };
    if (!isTable(t)) return { kind: 'unreadable', why: '"pytest" is not a table' };
    return { kind: 'pytest', options: tomlOptions(t, 'toml') };
  }
  const tool = doc.tool;
  const pytest = isTable(tool) ? tool.pytest : undefined;
  if (pytest === undefined) return { kind: 'none' };
  if (!isTable(pytest)) return { kind: 'unreadable', why: '"tool.pytest" is not a table' };
  const { ini_options: ini, ...native } = pytest;
  if (Object.keys(native).length > 0) {
    if (ini !== undefined) return { kind: 'unreadable', why: 'both [tool.pytest] and [tool.pytest.ini_options]' };
    return { kind: 'pytest', options: tomlOptions(native, 'toml') };
  }
  if (ini === undefined) return { kind: 'none' };
  if (!isTable(ini)) return { kind: 'unreadable', why: '"tool.pytest.ini_options" is not a table' };
  return { kind: 'pytest', options: tomlOptions(ini, 'ini') };
}

/**
 * Options as the path options read them: in ini mode a scalar becomes its
 * text (str() in pytest), a list stays; in TOML mode a path option must be a
 * list of strings. Anything else is null (not understood).
 */
function tomlOptions(t: TomlTable, mode: 'ini' | 'toml'): Map<string, string | string[] | null> {
  const out = new Map<string, string | string[] | null>();
  for (const [k, v] of Object.entries(t)) {
    if (Array.isArray(v)) out.set(k, v.every((x) => typeof x === 'string') ? v : null);
    else if (typeof v === 'string') out.set(k, mode === 'ini' ? v : null);
    else out.set(k, mode === 'ini' ? pythonStr(v) : null);
  }
  return out;
}

/** str() of a TOML scalar as tomllib gives it, for the scalars a path could be: only what reads back the same. */
function pythonStr(v: TomlValue): string | null {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v >= 0n ? String(v) : null;
  // An integer prints as written only without sign, underscores or a base: 1_0 is 10 to tomllib too.
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : null;
}

/** A table: smol-toml gives dates as TomlDate objects, which are not tables. */
function isTable(v: TomlValue | undefined): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * iniconfig's reading (the parser pytest uses for .ini and .cfg files): `[name]`
 * headers, `key = value` or `key: value`, indented lines continue a value
 * (joined by newlines), lines starting with # or ; are blank; no inline comments.
 */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let section: Map<string, string> | null = null;
  let last: string | null = null; // the name whose value a continuation line extends
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const first = raw.trimStart()[0];
    const line = first === '#' || first === ';' ? '' : raw.trimEnd();
    if (line === '') continue;
    let continuation: string;
    if (line[0] === '[') {
      const header = line.split('#')[0]!.split(';')[0]!.trimEnd();
      if (header.endsWith(']')) {
        const name = header.slice(1, -1);
        if (name === '') throw new Error(`line ${i + 1}: empty section name`);
        if (sections.has(name)) throw new Error(`line ${i + 1}: duplicate section ${name}`);
        sections.set(name, (section = new Map()));
        last = null;
        continue;
      }
      // iniconfig takes a "[" line without a closing "]" for a continuation.
      continuation = line.trim();
    } else if (!/\s/.test(line[0]!)) {
      let cut = line.indexOf('=');
      if (cut < 0 || line.slice(0, cut).includes(':')) cut = line.indexOf(':');
      if (cut < 0) throw new Error(`line ${i + 1}: unexpected line: ${line}`);
      if (section === null) throw new Error(`line ${i + 1}: no section header defined`);
      const name = line.slice(0, cut).trim();
      if (section.has(name)) throw new Error(`line ${i + 1}: duplicate name ${name}`);
      section.set(name, line.slice(cut + 1).trim());
      last = name;
      continue;
    } else continuation = line.trim();
    if (section === null || last === null) throw new Error(`line ${i + 1}: unexpected value continuation`);
    const value = section.get(last)!;
    section.set(last, value === '' ? continuation : `${value}\n${continuation}`);
  }
  return sections;
}

/**
 * A path option's entries as pytest's getini gives them for type "paths" or
 * "args": a string split as a POSIX shell would (shlex.split), a list as is;
 * null when not understood.
 */
export function optionList(v: string | string[] | null | undefined): string[] | null {
  if (v === undefined) return [];
  if (v === null) return null;
  return typeof v === 'string' ? shlexSplit(v) : v;
}
