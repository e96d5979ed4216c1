// What a tool's latch records: its definition, environment, programs and
// declared inputs. Every field reaches the fingerprint. Built by config/,
// stored by manifest/, compared by plan/: a shared type, so it imports none.

export interface ToolLatch {
  /** The tool's definition, less the globs that choose its files (they pick jobs, not results). */
  tool: {
    command: string | string[];
    deps: string;
    depfile: string | null;
    timeout: number | null;
    pty: boolean;
    inputs: string[];
    /** Whether tools see the caller's whole environment. */
    mergeEnv: boolean;
    /** Which variables reach the tools unlatched: a name added or dropped changes what they see. */
    passThroughEnv: string[];
    /**
     * A batch tool's failure pattern: it decides which files of a failed process fail. Present only when
     * set, so the latch of every tool without one (and its results) stays as it was before the key existed.
     */
    failurePattern?: string;
    /**
     * What the tool writes (its `outputs`): other outputs are other results to keep and restore. Present
     * only when set, so the latch of a tool without outputs stays as it was before the key existed.
     */
    outputs?: string[];
  };
  /**
   * Per variable the tools see: "=value" for values the config sets (it is in
   * the config already), "#hash" for values taken from the caller (never in
   * clear), "unset" for a passEnv name the caller lacks (unset differs from empty).
   * passThroughEnv variables are not here: they reach the tools unlatched.
   */
  env: Record<string, string>;
  /**
   * The program the command starts, when it was not found and the run does not select the tool (`--tool`
   * names others): the tool is latched without it and none of its jobs is planned. Absent otherwise.
   */
  unavailable?: string;
  /**
   * The programs the command runs, by content (through shims, to the program
   * that really runs): a new build of one can change results. Their `where`
   * is shown by explain and left out of the latch id.
   */
  executables: ExecutableIdentity[];
  /**
   * Content digests of what the tool's declared inputs cover (inputs.ts): a
   * file's by its entry, each file of a directory or glob by its own path, or
   * "missing", "no match", "empty directory".
   */
  inputs: Record<string, string>;
}

export interface ExecutableIdentity {
  /** As written in the command. */
  name: string;
  /** Content digest of the file that really runs; "unresolved ..." when a shim's manager named none. */
  digest: string;
  /**
   * "name@version" of the npm package the program lands in (node_modules/.bin/x is a launcher that
   * loads its package: the version stands for the package's other files, which are not read).
   */
  package: string | null;
  /**
   * A Python virtual environment the program is run from (`<venv>/bin/python3` links to the same
   * interpreter as every other venv of it, but sees other packages): its directory, relative to the
   * source tree when inside it. Absent otherwise.
   */
  venv?: string;
  /** Where it is on this machine and checkout: shown by explain, never part of the latch id. */
  where: ExecutableWhere;
}

export interface ExecutableWhere {
  /** Where it was found. */
  path: string;
  /** After following symlinks. */
  realPath: string;
  /** What really runs: the version manager's answer for a shim, else `path`. */
  program: string;
  /** The version manager, when `path` is its shim. */
  shim: string | null;
}
