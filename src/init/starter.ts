// Decides the starting config `runner init` writes from a listing of the
// source tree. Pure: reads no files (the listing, the root tsconfig's content
// and the facts about the machine are given).
import { DEFAULT_EXCLUDE } from '../config/schema.js';
import { PYTHON_TEST_GLOBS, compileGlobs, jsTestGlobs } from './globs.js';
import { type PytestOptions, pytestTool } from './pytest-tool.js';

/** What init was told about the tree and the machine. */
export interface TreeListing {
  /** Files relative to the source tree, '/'-separated; skipped directories already left out. */
  files: readonly string[];
  /** Python virtual environments found in the tree (directories holding pyvenv.cfg), relative. */
  venvs: readonly string[];
  /** The root tsconfig.json as parsed (JSON with comments), or null when there is none or it does not parse. */
  tsconfig: unknown;
  /** node_modules/.bin/tsc exists in the tree. */
  hasLocalTsc: boolean;
  /** The major version `tsc --version` printed (the tree's own tsc, else PATH's); null when none answered. */
  tscMajor: number | null;
  /** What tsc loads with no import naming it (node_modules/@types, or the packages `types` names), as inputs. */
  typeInputs: readonly string[];
  /** The node that will run `node --test` runs .ts files itself (type stripping: Node 22.18, 23.6 and later). */
  nodeRunsTypeScript: boolean;
  /** The pytest options of the configuration pytest takes at the root (pytest-tool.ts); absent or null when none. */
  pytest?: PytestOptions | null;
}

/** What the tree was found to hold, for the message init prints. */
export interface Found {
  python: number;
  pythonTests: number;
  typescript: number;
  javascript: number;
  jsTests: number;
}

export interface Starter {
  /** The config to write, as JSON; null when the tree holds nothing init knows how to check. */
  config: Record<string, unknown> | null;
  found: Found;
  /** What the user should know or do next, one sentence each. */
  notes: string[];
}

const PY = /\.py$/;
const TS = /\.(?:[cm]?tsx?)$/;
const DTS = /\.d\.[cm]?ts$/;
const JS = /\.[cm]?js$/;

/** A TypeScript source tsc checks (declaration files left out). */
export const isTypeScript = (f: string): boolean => TS.test(f) && !DTS.test(f);

/**
 * compilerOptions tsc also takes on its command line: given files, tsc reads
 * no tsconfig.json ("tsc --help": "when input files are specified on the
 * command line, tsconfig.json files are ignored"), so the starter passes these
 * itself. Output and layout options (outDir, rootDir, paths, baseUrl,
 * composite...) change nothing a check reports, or cannot be given as flags.
 */
const TSC_FLAGS = new Set([
  'target',
  'module',
  'moduleResolution',
  'moduleDetection',
  'jsx',
  'jsxImportSource',
  'lib',
  'types',
  'customConditions',
  'strict',
  'noImplicitAny',
  'strictNullChecks',
  'strictFunctionTypes',
  'strictBindCallApply',
  'strictPropertyInitialization',
  'noImplicitThis',
  'useUnknownInCatchVariables',
  'alwaysStrict',
  'noUncheckedIndexedAccess',
  'exactOptionalPropertyTypes',
  'noImplicitOverride',
  'noImplicitReturns',
  'noFallthroughCasesInSwitch',
  'noUnusedLocals',
  'noUnusedParameters',
  'noPropertyAccessFromIndexSignature',
  'esModuleInterop',
  'allowSyntheticDefaultImports',
  'skipLibCheck',
  'resolveJsonModule',
  'resolvePackageJsonExports',
  'resolvePackageJsonImports',
  'allowJs',
  'checkJs',
  'allowImportingTsExtensions',
  'allowArbitraryExtensions',
  'verbatimModuleSyntax',
  'isolatedModules',
  'experimentalDecorators',
  'emitDecoratorMetadata',
  'useDefineForClassFields',
  'downlevelIteration',
  'forceConsistentCasingInFileNames',
]);

/** Without a tsconfig: a modern target and a lenient module resolution (extensionless and .js imports both resolve). */
const TSC_DEFAULT_FLAGS = [
  '--target',
  'es2022',
  '--module',
  'esnext',
  '--moduleResolution',
  'bundler',
  '--skipLibCheck',
];

export function decideStarter(listing: TreeListing, schemaRef: string): Starter {
  const files = listing.files;
  const python = files.filter((f) => PY.test(f));
  const pythonTests = python.filter(compileGlobs(PYTHON_TEST_GLOBS));
  const typescript = files.filter(isTypeScript);
  const javascript = files.filter((f) => JS.test(f));
  const testGlobs = jsTestGlobs(listing.nodeRunsTypeScript);
  const jsTests = [...javascript, ...(listing.nodeRunsTypeScript ? typescript : [])].filter(compileGlobs(testGlobs));
  const found: Found = {
    python: python.length,
    pythonTests: pythonTests.length,
    typescript: typescript.length,
    javascript: javascript.length,
    jsTests: jsTests.length,
  };
  const notes: string[] = [];
  const tools: Record<string, unknown>[] = [];
  if (python.length > 0) {
    // py_compile takes many files; it stops at the first that fails, and narrowing finds the rest (README "Batch tools").
    tools.push({ name: 'python-syntax', command: ['python3', '-m', 'py_compile', '{files}'], include: ['**/*.py'] });
    if (pythonTests.length > 0) {
      const pytest = pytestTool(pythonTests, files, listing.pytest ?? null);
      tools.push(pytest.tool);
      notes.push(...pytest.notes);
    }
  }
  if (typescript.length > 0) {
    const program = listing.hasLocalTsc ? 'node_modules/.bin/tsc' : 'tsc';
    if (!listing.hasLocalTsc) notes.push('tsc is not installed in this tree: run `npm install -D typescript`.');
    // TypeScript 6 and later stop with TS5112 when given files beside a tsconfig.json (in the tree or above it)
    // unless told --ignoreConfig, which 5 refuses as unknown. Not knowing, take what an install gives today.
    const ignoreConfig = listing.tscMajor === null || listing.tscMajor >= 6;
    if (listing.tscMajor === null) {
      notes.push(
        "tsc's version is unknown (none answered `tsc --version`): the command passes --ignoreConfig, which TypeScript 6 and later need; remove it for TypeScript 5 or older.",
      );
    }
    const flags = tscFlags(listing.tsconfig, notes);
    // In every process, and in every job's key: a change to one may change any file's result.
    const ambient = ambientDeclarations(files, listing.tsconfig);
    if (listing.typeInputs.length > 0) {
      notes.push(
        `tsc loads ${listing.typeInputs.join(', ')} with no import naming ${listing.typeInputs.length === 1 ? 'it' : 'them'}: "inputs" has ${listing.typeInputs.length === 1 ? 'it' : 'them'}, so an upgrade there checks every file again.`,
      );
    }
    if (ambient.length > 0) {
      notes.push(
        `tsc given files sees only what they import: the command names the ${ambient.length === 1 ? 'declaration file' : `${ambient.length} declaration files`} tsconfig.json takes in (${ambient.slice(0, 3).join(', ')}${ambient.length > 3 ? ', ...' : ''}), and "inputs" has ${ambient.length === 1 ? 'it' : 'them'}; add one made later to both.`,
      );
    }
    tools.push({
      name: 'tsc',
      command: [
        program,
        '--noEmit',
        ...(ignoreConfig ? ['--ignoreConfig'] : []),
        ...flags,
        ...ambient.map(asArgument),
        '{files}',
      ],
      include: ['**/*.{ts,tsx,mts,cts}'],
      exclude: ['**/*.d.{ts,mts,cts}'],
      ...(ambient.length + listing.typeInputs.length > 0 ? { inputs: [...ambient, ...listing.typeInputs] } : {}),
      deps: 'javascript',
    });
  }
  if (javascript.length > 0) {
    // node --check takes one file a process.
    tools.push({ name: 'js-syntax', command: ['node', '--check', '{file}'], include: ['**/*.{js,mjs,cjs}'] });
  }
  if (jsTests.length > 0) {
    tools.push({ name: 'node-test', command: ['node', '--test', '{files}'], include: testGlobs, deps: 'javascript' });
  }
  if (!listing.nodeRunsTypeScript && typescript.some(compileGlobs(jsTestGlobs(true)))) {
    notes.push(
      'TypeScript tests are left out: this node does not run .ts files (Node 22.18 or later does); add a test tool for them by hand.',
    );
  }
  if (tools.length === 0) return { config: null, found, notes };
  const config: Record<string, unknown> = { $schema: schemaRef };
  if (listing.venvs.length > 0) {
    config.exclude = [...DEFAULT_EXCLUDE, ...listing.venvs.map((v) => `${v}/**`)];
  }
  // `python3 -m pytest` puts the current directory first on sys.path: the import graph must see the same.
  if (python.length > 0) config.addSourceTreeToPythonPath = true;
  config.tools = tools;
  return { config, found, notes };
}

/** The root tsconfig's compilerOptions as tsc flags; what cannot be passed is named in a note. */
function tscFlags(tsconfig: unknown, notes: string[]): string[] {
  if (!isObject(tsconfig)) return [...TSC_DEFAULT_FLAGS];
  if (tsconfig.extends !== undefined) {
    notes.push('tsconfig.json extends another file: only its own compilerOptions are in the tsc command.');
  }
  const options = isObject(tsconfig.compilerOptions) ? tsconfig.compilerOptions : {};
  const flags: string[] = [];
  const left: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (!TSC_FLAGS.has(key)) {
      left.push(key);
      continue;
    }
    if (typeof value === 'boolean') flags.push(...(value ? [`--${key}`] : [`--${key}`, 'false']));
    else if (typeof value === 'string') flags.push(`--${key}`, value);
    else if (isFlagList(value)) flags.push(`--${key}`, value.join(','));
    else left.push(key);
  }
  if (left.length > 0) {
    notes.push(
      `tsc given files reads no tsconfig.json; these compilerOptions are not in its command: ${left.join(', ')}.`,
    );
  }
  return flags;
}

/** A list tsc takes on its command line: an empty one has no form there (tsc wants an argument after --types). */
function isFlagList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
}

/**
 * The `types` the tsc command passes (tscFlags), or null when it passes none: tsc then loads every package of
 * node_modules/@types.
 */
export function passedTypes(tsconfig: unknown): string[] | null {
  if (!isObject(tsconfig) || !isObject(tsconfig.compilerOptions)) return null;
  const types = tsconfig.compilerOptions.types;
  return isFlagList(types) ? types : null;
}

/**
 * The tree's declaration files the root tsconfig takes in: its `files`, and what its `include` matches (every
 * file when it names neither) less its `exclude`; never what its outDir or declarationDir holds (emitted, not
 * written). Given files, tsc sees only what they import: an ambient one (`declare module 'x'`, a global) must
 * be named too.
 */
function ambientDeclarations(files: readonly string[], tsconfig: unknown): string[] {
  if (!isObject(tsconfig)) return [];
  const strings = (v: unknown): string[] | null =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  const options = isObject(tsconfig.compilerOptions) ? tsconfig.compilerOptions : {};
  const emitted = [options.outDir, options.declarationDir].filter((d): d is string => typeof d === 'string');
  const named = new Set((strings(tsconfig.files) ?? []).map(relative));
  const include = compileGlobs(
    (strings(tsconfig.include) ?? (tsconfig.files === undefined ? ['**/*'] : [])).map(tsconfigGlob),
  );
  const exclude = compileGlobs([...(strings(tsconfig.exclude) ?? []), ...emitted].map(tsconfigGlob));
  return files.filter((f) => DTS.test(f) && (named.has(f) || (include(f) && !exclude(f)))).sort();
}

/** A path tsc cannot take for an option. */
const asArgument = (file: string): string => (file.startsWith('-') ? `./${file}` : file);

const relative = (entry: string): string => entry.replace(/^\.\//, '').replace(/\/+$/, '');

/** A tsconfig include or exclude entry as a glob: one whose last part has no `.`, `*` or `?` names a directory. */
function tsconfigGlob(entry: string): string {
  const e = relative(entry);
  if (e === '' || e === '.') return '**/*';
  return /[.*?]/.test(e.slice(e.lastIndexOf('/') + 1)) ? e : `${e}/**/*`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
