// Version-manager shims: recognises a program that only picks another one
// (pyenv, rbenv, nodenv, asdf, mise, volta), and asks the manager which
// program it picks for the job's environment and directory. The answer is
// cached under a key made of everything the manager consults, so a run where
// none of that changed starts no process.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson, hashString } from '../hash.js';
import type { FileFacts, ProgramIds } from './program-ids.js';

export type ShimManager = 'pyenv' | 'rbenv' | 'nodenv' | 'asdf' | 'mise' | 'volta';

export interface Shim {
  manager: ShimManager;
  /** The manager's own program; asked `<it> which <name>`. */
  dispatcher: string;
  /** The manager's data directory, when known (pyenv's PYENV_ROOT). */
  root: string | null;
}

interface ManagerInputs {
  /** Files the manager looks for in the working directory and each directory above it. */
  local: string[];
  /** Prefix of the variables it reads. */
  envPrefix: string;
  /** Files it reads wherever the job runs. */
  global: (root: string | null, env: Record<string, string>) => string[];
  /** Directories whose listing changes when a version is installed or removed (a "3.12" prefix can then pick another). */
  installs: (root: string | null, env: Record<string, string>) => string[];
}

const home = (env: Record<string, string>): string => env.HOME ?? '/nonexistent';
const IDIOMATIC = ['.python-version', '.ruby-version', '.node-version', '.nvmrc', '.java-version', '.go-version'];

// Sources: pyenv's, rbenv's and nodenv's `version-file` and `version-name` commands; asdf and mise "Configuration";
// volta "Understanding Volta" (a project's package.json "volta" key, else the default platform).
const INPUTS: Record<ShimManager, ManagerInputs> = {
  pyenv: {
    local: ['.python-version'],
    envPrefix: 'PYENV_',
    global: (r) => (r === null ? [] : [`${r}/version`]),
    installs: (r) => (r === null ? [] : [`${r}/versions`]),
  },
  rbenv: {
    local: ['.ruby-version'],
    envPrefix: 'RBENV_',
    global: (r) => (r === null ? [] : [`${r}/version`]),
    installs: (r) => (r === null ? [] : [`${r}/versions`]),
  },
  nodenv: {
    local: ['.node-version'],
    envPrefix: 'NODENV_',
    global: (r) => (r === null ? [] : [`${r}/version`]),
    installs: (r) => (r === null ? [] : [`${r}/versions`]),
  },
  asdf: {
    local: ['.tool-versions', ...IDIOMATIC],
    envPrefix: 'ASDF_',
    global: (_r, env) => [`${home(env)}/.tool-versions`, `${home(env)}/.asdfrc`],
    installs: (_r, env) => [`${env.ASDF_DATA_DIR ?? `${home(env)}/.asdf`}/installs`],
  },
  mise: {
    local: [
      'mise.toml',
      '.mise.toml',
      'mise.local.toml',
      '.mise.local.toml',
      '.mise/config.toml',
      'mise/config.toml',
      '.config/mise.toml',
      '.config/mise/config.toml',
      '.tool-versions',
      ...IDIOMATIC,
    ],
    envPrefix: 'MISE_',
    global: (_r, env) => [
      `${home(env)}/.config/mise/config.toml`,
      `${home(env)}/.tool-versions`,
      '/etc/mise/config.toml',
    ],
    installs: (_r, env) => [`${env.MISE_DATA_DIR ?? `${home(env)}/.local/share/mise`}/installs`],
  },
  volta: {
    local: ['package.json'],
    envPrefix: 'VOLTA_',
    global: (_r, env) => [`${env.VOLTA_HOME ?? `${home(env)}/.volta`}/tools/user/platform.json`],
    installs: (_r, env) => [`${env.VOLTA_HOME ?? `${home(env)}/.volta`}/tools/image`],
  },
};

const ROOTED = new Set<string>(['pyenv', 'rbenv', 'nodenv']);

/**
 * Whether the program found at `found` (really `realPath`, with `facts`) is
 * a shim. Recognised by content (`exec <manager> exec ...`, as pyenv, rbenv,
 * nodenv and asdf write them), by what it links to (mise and volta link
 * every shim to their own binary), or by location (`<root>/shims/` beside
 * the manager's `libexec/` or `bin/`).
 */
export function recognizeShim(found: string, realPath: string, facts: FileFacts): Shim | null {
  const d = facts.dispatcher;
  if (d !== null) {
    const base = path.basename(d) as ShimManager;
    if (ROOTED.has(base)) return { manager: base, dispatcher: d, root: path.dirname(path.dirname(d)) };
    if (base === 'asdf') return { manager: 'asdf', dispatcher: d, root: null };
  }
  const real = path.basename(realPath);
  if (real === 'mise' && path.basename(found) !== 'mise') return { manager: 'mise', dispatcher: realPath, root: null };
  if (real === 'volta-shim')
    return { manager: 'volta', dispatcher: path.join(path.dirname(realPath), 'volta'), root: null };
  const dir = path.dirname(found);
  if (path.basename(dir) === 'shims') {
    const root = path.dirname(dir);
    for (const m of ['pyenv', 'rbenv', 'nodenv'] as const) {
      for (const sub of ['libexec', 'bin']) {
        const candidate = `${root}/${sub}/${m}`;
        if (fs.existsSync(candidate)) return { manager: m, dispatcher: candidate, root };
      }
    }
    if (fs.existsSync(`${root}/bin/asdf`)) return { manager: 'asdf', dispatcher: `${root}/bin/asdf`, root: null };
  }
  return null;
}

/** The environment the manager is asked in: the job's, with the root its shim would export. */
function askEnv(shim: Shim, env: Record<string, string>): Record<string, string> {
  return shim.root === null ? env : { ...env, [`${shim.manager.toUpperCase()}_ROOT`]: shim.root };
}

/** Everything the manager consults to pick a program, as one key (cache-only: it holds this machine's paths). */
export function consultedKey(shim: Shim, name: string, env: Record<string, string>, cwd: string): string {
  const inputs = INPUTS[shim.manager];
  const asked = askEnv(shim, env);
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(asked))
    if (k.startsWith(inputs.envPrefix) || k === 'PATH' || k === 'HOME') vars[k] = v;
  const files: Record<string, string> = {};
  const read = (f: string): void => {
    try {
      files[f] = fs.readFileSync(f, 'utf8');
    } catch {
      // absent (the usual case above the project): its absence is part of the key too
    }
  };
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const f of inputs.local) read(path.join(dir, f));
    if (dir === path.dirname(dir)) break;
  }
  for (const f of inputs.global(shim.root, asked)) read(f);
  const listings: Record<string, string> = {};
  for (const d of inputs.installs(shim.root, asked)) {
    const st = fs.statSync(d, { bigint: true, throwIfNoEntry: false });
    if (st !== undefined) listings[d] = `${st.mtimeNs}:${st.ino}`;
  }
  return hashString(canonicalJson({ shim, name, cwd, vars, files, listings }));
}

export type ShimAnswer = { ok: true; program: string } | { ok: false; problem: string };

/** Asks the manager which program `name` is in the job's environment and directory (spawns it). */
export function askManager(shim: Shim, name: string, env: Record<string, string>, cwd: string): ShimAnswer {
  const r = spawnSync(shim.dispatcher, ['which', name], {
    cwd,
    env: askEnv(shim, env),
    encoding: 'utf8',
    timeout: ASK_TIMEOUT_MS,
  });
  return answerOf(r.status, r.signal, r.stdout ?? '', r.stderr ?? '', r.error);
}

/** askManager() without blocking: the caller does other work while the manager (a shell script) answers. */
export function askManagerLater(
  shim: Shim,
  name: string,
  env: Record<string, string>,
  cwd: string,
): Promise<ShimAnswer> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failed: Error | undefined;
    const child = spawn(shim.dispatcher, ['which', name], {
      cwd,
      env: askEnv(shim, env),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: ASK_TIMEOUT_MS,
    });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => (failed = e));
    child.on('close', (status, signal) =>
      resolve(
        answerOf(status, signal, Buffer.concat(out).toString('utf8'), Buffer.concat(err).toString('utf8'), failed),
      ),
    );
  });
}

const ASK_TIMEOUT_MS = 30_000;

function answerOf(
  status: number | null,
  signal: NodeJS.Signals | null,
  stdout: string,
  stderr: string,
  error: Error | undefined,
): ShimAnswer {
  const out = stdout.trim().split('\n').pop() ?? '';
  if (status === 0 && path.isAbsolute(out)) return { ok: true, program: out };
  const said = stderr.trim().split('\n')[0] ?? '';
  return {
    ok: false,
    problem: error !== undefined ? error.message : said !== '' ? said : `exit ${status ?? signal}`,
  };
}

/** The program a shim picks, from the cache when nothing the manager consults has changed. */
export function programBehind(
  shim: Shim,
  name: string,
  env: Record<string, string>,
  cwd: string,
  ids: ProgramIds,
): ShimAnswer {
  const key = consultedKey(shim, name, env, cwd);
  const known = knownAnswer(key, ids, true);
  if (known !== null) return known;
  const answer = askManager(shim, name, env, cwd);
  if (answer.ok) ids.setAnswer(key, answer.program); // a failure is asked again next time, when it may be fixed
  return answer;
}

/**
 * The answer the cache or askAhead() has for `key`, else null (then the manager is asked). A refusal
 * askAhead() got is given once (`take`), so a later question in the same process asks again.
 */
function knownAnswer(key: string, ids: ProgramIds, take: boolean): ShimAnswer | null {
  const refused = ids.refusal(key, take);
  if (refused !== undefined) return { ok: false, problem: refused };
  const known = ids.answer(key);
  if (known === undefined) return null;
  if (fs.existsSync(known)) return { ok: true, program: known };
  ids.forgetAnswer(key); // uninstalled since: ask again
  return null;
}

/**
 * Asks, all at once and in the background, the managers whose answers
 * `programBehind` would otherwise wait for one by one; their answers land in
 * `ids`, where it then finds them. Null when there is nothing to ask.
 */
export function askAhead(
  wanted: readonly { shim: Shim; name: string; env: Record<string, string>; cwd: string }[],
  ids: ProgramIds,
): Promise<void> | null {
  const asking = new Map<string, Promise<void>>();
  for (const { shim, name, env, cwd } of wanted) {
    const key = consultedKey(shim, name, env, cwd);
    if (asking.has(key) || knownAnswer(key, ids, false) !== null) continue;
    asking.set(
      key,
      askManagerLater(shim, name, env, cwd).then((answer) => {
        if (answer.ok) ids.setAnswer(key, answer.program);
        else ids.setRefusal(key, answer.problem); // for programBehind() once: never cached
      }),
    );
  }
  return asking.size === 0 ? null : Promise.all(asking.values()).then(() => undefined);
}
