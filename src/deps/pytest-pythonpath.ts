// Which directories pytest's `pythonpath` option puts at the front of sys.path
// for the tests of a tree: the configuration pytest picks for each test's
// directory (the first of PYTEST_CONFIG_NAMES holding pytest's section, from
// that directory up to /, as _pytest/config/findpaths.py locate_config), and
// every one above it (a batch of tests picks from their common ancestor).
// The file system comes in as functions; this module does no I/O itself.
import path from 'node:path';
import { PYTEST_CONFIG_NAMES, optionList, readPytestSection } from './pytest-config.js';
import { uninterpretedPytestOption } from './pytest-options.js';

export interface PytestPythonpath {
  /** Each configuration's pythonpath entries (absolute), one list per configuration that has some, deduplicated. */
  fronts: string[][];
  /** Test directories (absolute) whose configuration runner cannot read, and why: their jobs' search path is uncertain. */
  uncertain: Map<string, string>;
  /** The configuration files read (absolute): inputs of the graph. */
  read: string[];
}

export interface PytestConfigIo {
  /** Whether a regular file is at abs (and, so that a later run can check it, remembering how that was found out). */
  isFile(abs: string): boolean;
  /** The file's text (its stat remembered first); null when it cannot be read. */
  readText(abs: string): string | null;
}

type Found = { fronts: string[][]; uncertain: string | null };

/** pytest's pythonpath for tests in `testDirs` (absolute directories). */
export function pytestPythonpath(testDirs: Iterable<string>, io: PytestConfigIo): PytestPythonpath {
  const byDir = new Map<string, Found>();
  const read: string[] = [];
  // The configurations from dir up to /: this directory's first pytest one, then those above.
  const chain = (dir: string): Found => {
    let found = byDir.get(dir);
    if (found !== undefined) return found;
    const parent = path.dirname(dir);
    const above: Found = parent === dir ? { fronts: [], uncertain: null } : chain(parent);
    found = above;
    for (const name of PYTEST_CONFIG_NAMES) {
      const abs = path.join(dir, name);
      if (!io.isFile(abs)) continue;
      read.push(abs);
      const text = io.readText(abs);
      const section =
        text === null ? { kind: 'unreadable' as const, why: 'cannot be read' } : readPytestSection(name, text);
      if (section.kind === 'none') continue;
      if (section.kind === 'unreadable') {
        // pytest stops with a usage error here (or runner cannot tell what it would do).
        found = { fronts: above.fronts, uncertain: `${abs}: ${section.why}` };
        break;
      }
      const entries = optionList(section.options.get('pythonpath'));
      const addopts = optionList(section.options.get('addopts'));
      const option = addopts === null ? 'addopts' : uninterpretedPytestOption(addopts);
      if (entries === null) {
        found = { fronts: above.fronts, uncertain: `${abs}: pythonpath is not a list of paths` };
      } else if (option !== null) {
        found = { fronts: above.fronts, uncertain: `${abs}: addopts has ${option}` };
      } else {
        const front = entries.map((e) => path.resolve(dir, e));
        found = { fronts: front.length > 0 ? [front, ...above.fronts] : above.fronts, uncertain: above.uncertain };
      }
      break;
    }
    byDir.set(dir, found);
    return found;
  };
  const fronts = new Map<string, string[]>();
  const uncertain = new Map<string, string>();
  for (const dir of testDirs) {
    const found = chain(dir);
    for (const f of found.fronts) fronts.set(f.join('\0'), f);
    if (found.uncertain !== null) uncertain.set(dir, found.uncertain);
  }
  return { fronts: [...fronts.values()], uncertain, read };
}
