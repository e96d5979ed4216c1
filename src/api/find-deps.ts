// Finds each job's dependencies for the tools that declare a deps kind, for
// the plan's input: the import graphs (python, javascript), what depfile and
// trace jobs recorded, and, after a job, what it reported.
import fs from 'node:fs';
import path from 'node:path';
import { findExecutable } from '../config/executable.js';
import { snapshotLayout } from '../config/index.js';
import {
  type DepGraph,
  type GraphSnapshots,
  type Identify,
  type PythonGraph,
  type MerkleNode,
  decodeNode,
  everyRunDeps,
  identifyPaths,
  javascriptIdentity,
  jobDepsFrom,
  loadJavaScriptGraph,
  loadPythonGraph,
  parseDepfile,
  parseTrace,
  pytestArguments,
  recordedDeps,
  shlexSplit,
  snapshotPathOf,
  uninterpretedPytestOption,
  withSnapshot,
} from '../deps/index.js';
import { DepsError } from '../errors.js';
import { UNKNOWN_DEPS, digestEntries, encodeDeps } from '../manifest/index.js';
import type { DepsOf, JobDeps, PlannedJob } from '../plan/index.js';
import type { Session } from '../session.js';
import { JS_IMPORTS, directSnapshotOf, resolvedSnapshotOf, traceFilePath, unresolvedSnapshotOf } from '../state-dir.js';
import type { RelPath } from '../types.js';
import type { EventSink } from './events.js';
import { inPhaseAsync } from './phase.js';
import type { DepsScanSummary } from './run-report.js';
import { type TreeView, identifyOf } from './tree-view.js';
import { warnUnresolvedImports } from './unresolved-warnings.js';

/** What findDeps reads of the session: the manifest's snapshots and graph nodes, the programs, the config. */
export type DepsSession = Pick<Session, 'manifest' | 'programs' | 'loaded'>;

/**
 * Per deps kind that reads imports: how many files the graph covers, how many
 * were read this time, (python) whether the last run's resolved graph was
 * kept because nothing it was built from changed, and (javascript) how many
 * had their imports resolved again rather than taken from the kept graph, and
 * how many files runner does not track were followed (0 when the kept graph
 * held), and the imports that resolve nowhere that this scan warned about.
 */
/**
 * The python graph, when a tool asks for python deps; null otherwise. The
 * import cache lives in the manifest snapshot the tree names (null: none kept).
 */
async function pythonGraph(
  s: DepsSession,
  tree: TreeView,
  summary: DepsScanSummary,
  signal?: AbortSignal,
): Promise<PythonGraph | null> {
  const tool = tree.tools.find((t) => t.config.deps === 'python');
  if (tool === undefined) return null;
  const cacheName = tree.caches.pythonImports;
  const blob = (name: string): Buffer | undefined => (cacheName === null ? undefined : s.manifest.blob(name));
  const resolvedName = resolvedSnapshotOf(cacheName ?? '');
  const { encodeImportCache, inferPython } = await loadPythonGraph();
  const py = await inferPython({
    sourceTree: tree.root,
    files: tree.files,
    env: tool.env,
    cache: () => blob(cacheName ?? ''),
    resolved: blob(resolvedName),
    programs: s.programs,
    signal,
  });
  if (cacheName !== null) {
    if (py.cache !== null) s.manifest.setBlob(cacheName, encodeImportCache(py.cache));
    if (py.resolved !== null) s.manifest.setBlob(resolvedName, py.resolved);
  }
  summary.python = { files: py.files, scanned: py.scanned, kept: py.kept };
  return py;
}

/** strace, when a tool traces its jobs; missing strace stops the run before anything runs. */
export function findStrace(tree: TreeView, env: NodeJS.ProcessEnv): string | null {
  if (!tree.tools.some((t) => t.config.deps === 'trace')) return null;
  const found = findExecutable('strace', env.PATH, tree.root);
  if (found === null) {
    throw new DepsError(
      '"deps": "trace" needs strace, which is not installed: install it (Debian and Ubuntu: apt-get install strace), or choose another "deps"',
    );
  }
  return found;
}

/** The kept javascript graph's two snapshots, under `name` and `name.direct` (and `name.unresolved`, what its warnings were: unresolved-warnings.ts). */
function keptGraph(s: DepsSession, name: string | null): GraphSnapshots | null {
  return name === null
    ? null
    : { header: s.manifest.blob(name), direct: () => s.manifest.blob(directSnapshotOf(name)) };
}

/**
 * The javascript graph and each job's dependencies from it, when a tool asks
 * for javascript deps; null otherwise. The graph is kept in the manifest
 * snapshots the tree names (null: none kept), for the next run to reuse what
 * provably did not change.
 */
async function javascriptGraph(
  s: DepsSession,
  tree: TreeView,
  summary: DepsScanSummary,
  events: EventSink,
  externalId: (abs: string) => string,
  kept: (hash: string) => MerkleNode | undefined,
): Promise<{ graph: DepGraph; depsOf: (p: RelPath) => JobDeps } | null> {
  if (!tree.tools.some((t) => t.config.deps === 'javascript')) return null;
  const graphName = tree.caches.jsGraph;
  const files = tree.files;
  const takes = tree.tools.flatMap((t, i) => (t.config.deps === 'javascript' ? [tree.filters[i]!] : []));
  const { encodeJsCache, inferJavaScript } = await loadJavaScriptGraph();
  const js = await inferJavaScript({
    sourceTree: tree.root,
    // One graph for every javascript tool: the first one's HOME names files below it (`~/`) in the digests.
    home: tree.tools.find((t) => t.config.deps === 'javascript')?.env.HOME,
    files,
    imports: () => s.manifest.blob(JS_IMPORTS),
    stored: keptGraph(s, graphName),
    externalId,
    jobs: () => new Set([...files.keys()].filter((p) => takes.some((f) => f(p)))),
    digestOf: (graph, p, followedDigest) =>
      jobDepsFrom(graph, p, files, externalId, kept, {
        identity: javascriptIdentity(files, externalId, followedDigest),
      }).digest,
  });
  if (js.imports !== null) s.manifest.setBlob(JS_IMPORTS, encodeJsCache(js.imports));
  if (graphName !== null && js.kept.header !== null) s.manifest.setBlob(graphName, js.kept.header);
  if (graphName !== null && js.kept.direct !== null) s.manifest.setBlob(directSnapshotOf(graphName), js.kept.direct);
  // Every scan says which imports resolve nowhere, also when the kept graph stands as it was.
  const unresolved = warnUnresolvedImports({
    s,
    tree,
    graph: js.graph,
    events,
    isJob: (p) => takes.some((f) => f(p)),
    direct: graphName === null ? null : (s.manifest.blob(directSnapshotOf(graphName)) ?? null),
    keptName: graphName === null ? null : unresolvedSnapshotOf(graphName),
  });
  summary.javascript = {
    files: js.files,
    scanned: js.scanned,
    resolved: js.resolved,
    followed: js.followed,
    unresolved,
  };
  // One identity per graph: jobDepsFrom keeps the first it is given for all the graph's jobs.
  const identity = javascriptIdentity(files, externalId, js.followedDigest);
  return {
    graph: js.graph,
    // A kept digest spares the deep hash; the chain, what changed and the nodes to keep come from the graph, on demand.
    depsOf: (p) => {
      const digest = js.keptDigest(p);
      return jobDepsFrom(
        js.graph,
        p,
        files,
        externalId,
        kept,
        digest === undefined ? { identity } : { identity, digest },
      );
    },
  };
}

/** The import graphs by deps kind, each job's dependencies for the plan's input (plan-input.ts), and what the import scans did. */
export interface FoundDeps {
  graphs: Map<string, DepGraph>;
  depsOf: DepsOf;
  summary: DepsScanSummary;
}

/** No job has dependencies (a settled run's tools: settled-run.ts). */
export const NO_DEPS: FoundDeps = { graphs: new Map(), depsOf: () => null, summary: {} };

/**
 * Finds each job's dependencies in `tree`, for the tools that declare a deps
 * kind; returns them with the graphs by kind and the import scans' summary.
 * The tree names the snapshots its python import cache and javascript graph
 * are kept under, so a tree elsewhere (the staged tree) keeps its own. The
 * javascript imports that resolve nowhere go to `reporter`, once per call.
 */
export function findDeps(s: DepsSession, tree: TreeView, events: EventSink, signal?: AbortSignal): Promise<FoundDeps> {
  return inPhaseAsync(events, 'deps', () => readDeps(s, tree, events, signal));
}

async function readDeps(s: DepsSession, tree: TreeView, events: EventSink, signal?: AbortSignal): Promise<FoundDeps> {
  const graphs = new Map<string, DepGraph>();
  const summary: DepsScanSummary = {};
  const py = await pythonGraph(s, tree, summary, signal);
  if (py !== null) graphs.set('python', py.graph);
  const identify = identifyOf(tree, s.programs);
  // The graph nodes kept with results, decoded once per plan (explain walks the last run's tree).
  const keptNodes = new Map<string, MerkleNode | undefined>();
  const kept = (h: string): MerkleNode | undefined => {
    if (!keptNodes.has(h)) {
      const row = s.manifest.merkleNode(h);
      keptNodes.set(h, row === undefined ? undefined : decodeNode(row));
    }
    return keptNodes.get(h);
  };
  const js = await javascriptGraph(s, tree, summary, events, identify.externalId, kept);
  if (js !== null) graphs.set('javascript', js.graph);
  // Per kind, by path: the tools of one kind share a file's dependencies (no key built per job of a plan).
  const memo = new Map<string, Map<RelPath, JobDeps>>();
  const ownDeps: DepsOf = (tool, p, latest) => {
    const kind = tool.config.deps;
    if (kind === 'depfile' || kind === 'trace') return recordedDeps(latest(), kind, identify, tool.env.HOME);
    const graph = graphs.get(kind);
    if (graph === undefined) return null;
    if (kind === 'javascript' && js !== null) return js.depsOf(p); // kept digests need no memo; the graph memoizes its own
    let byPath = memo.get(kind);
    if (byPath === undefined) memo.set(kind, (byPath = new Map()));
    let d = byPath.get(p);
    if (d === undefined) {
      const known = kind === 'python' && py !== null ? { identity: py.identity, digest: py.digests.get(p) } : {};
      byPath.set(p, (d = jobDepsFrom(graph, p, tree.files, identify.externalId, kept, known)));
    }
    const why = kind === 'python' ? pytestUncertainty(tool) : null;
    return why === null ? d : everyRunDeps(d, why);
  };
  const depsOf: DepsOf = (tool, p, latest) => {
    const own = ownDeps(tool, p, latest);
    // A depfile or a trace is what the job reported: a trace holds the snapshot it read.
    const kind = tool.config.deps;
    const layout = kind === 'depfile' || kind === 'trace' ? null : snapshotLayoutOf(tool, tree.root);
    if (layout === null) return own;
    if (layout !== 'default' && layout !== 'syrupy')
      return everyRunDeps(own ?? { digest: '', entries: [] }, `<snapshot paths runner does not follow: ${layout}>`);
    const snapshot = snapshotPathOf(p, layout === 'syrupy' ? 'syrupy' : 'jest');
    return withSnapshot(own, snapshot, identify.externalId(path.join(tree.root, snapshot)), latest);
  };
  return { graphs, depsOf, summary };
}

/** Whether depsOf can give a job of this tool dependencies: a deps kind, or snapshot files its runner reads. */
export function hasJobDeps(tool: DepsTool, sourceTree: string): boolean {
  return tool.config.deps !== 'none' || snapshotLayoutOf(tool, sourceTree) !== null;
}

const layouts = new WeakMap<DepsTool, string | null>();

/** A tool's snapshot layout (config/test-runner-inputs.ts; 'syrupy' for pytest), read once per tool and tree. */
function snapshotLayoutOf(tool: DepsTool, sourceTree: string): string | null {
  let layout = layouts.get(tool);
  if (layout === undefined) {
    // pytest's snapshot plugin (syrupy) keeps one file per test module; a module that uses none has none.
    layout = pytestArguments(tool.config.command) !== null ? 'syrupy' : snapshotLayout(tool.config.command, sourceTree);
    layouts.set(tool, layout);
  }
  return layout;
}

type DepsTool = Parameters<DepsOf>[0];
const uncertainties = new WeakMap<DepsTool, string | null>();

/**
 * Why runner cannot know a python tool's search path or what it imports, or
 * null: its pytest command (or PYTEST_ADDOPTS) has an option that picks
 * another configuration, sets `pythonpath` or loads a plugin module
 * (deps/pytest-options.ts), or PYTEST_PLUGINS names plugin modules. Such a
 * tool's jobs run every time, saying why, rather than be skipped on
 * dependencies that may be wrong.
 */
function pytestUncertainty(tool: DepsTool): string | null {
  let why = uncertainties.get(tool);
  if (why === undefined) {
    const args = pytestArguments(tool.config.command);
    const addopts = tool.env.PYTEST_ADDOPTS;
    const option =
      (args === null ? null : uninterpretedPytestOption(args)) ??
      (addopts === undefined ? null : uninterpretedPytestOption(shlexSplit(addopts) ?? [addopts]));
    // PYTEST_PLUGINS names modules pytest imports as plugins, as `-p NAME` does.
    const plugins = tool.env.PYTEST_PLUGINS;
    why =
      option !== null
        ? `<pytest option runner does not interpret: ${option}>`
        : plugins !== undefined && plugins.trim() !== ''
          ? `<PYTEST_PLUGINS runner does not interpret: ${plugins}>`
          : null;
    uncertainties.set(tool, why);
  }
  return why;
}

/** What a job that reports its own dependencies reported, identified; UNKNOWN_DEPS when nothing. */
export function reportedDeps(
  stateDir: string,
  p: PlannedJob,
  identify: Identify,
): { depsDigest: string; deps: string } {
  const kind = p.job.tool.config.deps;
  let paths: string[] | null = null;
  try {
    if (kind === 'depfile') {
      paths = parseDepfile(
        fs.readFileSync(
          path.join(identify.sourceTree, p.job.tool.config.depfile!.replaceAll('{file}', p.job.path)),
          'utf8',
        ),
      );
    } else if (kind === 'trace') {
      const file = tracePath(stateDir, p);
      paths = parseTrace(fs.readFileSync(file, 'utf8'), identify.sourceTree);
      fs.rmSync(file, { force: true });
      // A job that started has at least its own program's exec in the trace; none means strace could not
      // start it (a missing interpreter): no result of its inputs, so it must not stand as a cached failure.
      if (paths.length === 0) paths = null;
    }
  } catch {
    paths = null; // no depfile written, no trace: what the job read is unknown
  }
  if (paths === null) return { depsDigest: UNKNOWN_DEPS, deps: '' };
  const entries = identifyPaths(paths, p.job.path, stateDir, identify, p.job.tool.env.HOME);
  return { depsDigest: digestEntries(entries), deps: encodeDeps(entries) };
}

export function tracePath(stateDir: string, p: PlannedJob): string {
  return traceFilePath(stateDir, p.job.fingerprint);
}
