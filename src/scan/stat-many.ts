// Stats many files at once, on a worker thread too when there are enough to
// pay for one: on a no-op over 100,000 files the stat calls are a third of the
// time, and a second core halves them (git's preload-index does the same). The
// two threads take chunks of the list from one shared counter, so the one that
// runs faster (the worker starts later; the machine may be busy) does more.
// The caller blocks on Atomics.wait, so the walk stays synchronous.
//
// On Node 20 a stat reads the numbers fs.statSync would give straight from
// Node's fs binding (issue 17 point 1): statSync builds a Stats object and
// four Dates per call, 100,000 of each on a no-op, which the collector then
// copies. Node's public fs API has no call that stats into numbers. The
// binding is used only where its call is the one checked here (Node 20),
// and only after it agreed with fs.statSync on the tree's root; elsewhere,
// or when it disagrees, every stat goes through fs.statSync as before.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Worker as WorkerType } from 'node:worker_threads';

/** Numbers per file: size, mtimeMs, ctimeMs, ino, kind (see KIND). */
export const STAT_WIDTH = 5;
export const KIND = { file: 1, other: 2 } as const;
/** Negative kinds are errors. */
const ERRORS = ['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES'] as const;
export type StatError = (typeof ERRORS)[number] | 'EOTHER';

export function errorOfKind(kind: number): StatError {
  return ERRORS[-kind - 1] ?? 'EOTHER';
}

/** Below this many files a worker costs more than it saves. */
const WORKER_THRESHOLD = 20_000;
const WORKER_PATIENCE_MS = 30_000;

/** Node 20's fs binding: stat(path, bigint, req, throwIfNoEntry) returns its shared array of stat numbers. */
interface FsBinding {
  stat(path: string, bigint: false, req: undefined, throwIfNoEntry: true): Float64Array;
}
/**
 * Where Node 20 puts each number in the binding's array (lib/internal/fs/utils.js, getStatsFromBinding), and
 * how it makes milliseconds of a time (msFromTimeSpec): the same arithmetic gives the same doubles, which the
 * manifest compares exactly.
 */
const AT = { mode: 1, ino: 7, size: 8, mtimeSec: 12, mtimeNsec: 13, ctimeSec: 14, ctimeNsec: 15 } as const;
const S_IFMT = fs.constants.S_IFMT;
const S_IFREG = fs.constants.S_IFREG;

/** How this process stats: 'binding' (no object per stat) or 'fs' (fs.statSync); decided at the first statMany. */
export type StatMethod = 'binding' | 'fs';
let method: StatMethod | null = null;
let binding: FsBinding | null = null;

/**
 * The binding, when this Node has the call checked above and it gives what fs.statSync gives for `root`
 * (undefined: there is no root to compare with yet). process.binding is deprecated for modules (DEP0111, a
 * warning only under --pending-deprecation): the warning is kept from the user, for the call is this one
 * place's choice, not the user's.
 */
function bindingFor(root: string): FsBinding | null | undefined {
  if (process.versions.node.split('.')[0] !== '20') return null;
  const p = process as unknown as { binding?: (name: string) => unknown; noDeprecation?: boolean };
  if (typeof p.binding !== 'function') return null;
  const quiet = p.noDeprecation;
  try {
    p.noDeprecation = true;
    const b = p.binding('fs') as FsBinding;
    if (typeof b.stat !== 'function') return null;
    const want = fs.statSync(root, { throwIfNoEntry: false });
    if (want === undefined) return undefined;
    const a = b.stat(root, false, undefined, true);
    const same =
      a instanceof Float64Array &&
      a[AT.size] === want.size &&
      a[AT.ino] === want.ino &&
      a[AT.mtimeSec]! * 1e3 + a[AT.mtimeNsec]! / 1e6 === want.mtimeMs &&
      a[AT.ctimeSec]! * 1e3 + a[AT.ctimeNsec]! / 1e6 === want.ctimeMs &&
      ((a[AT.mode]! & S_IFMT) === fs.constants.S_IFDIR) === want.isDirectory();
    return same ? b : null;
  } catch {
    return null;
  } finally {
    p.noDeprecation = quiet;
  }
}

/** How statMany stats in this process (the binding, or fs.statSync), deciding it on `root` if not yet decided. */
export function statMethod(root: string): StatMethod {
  if (method === null) {
    const b = bindingFor(root);
    if (b === undefined) return 'fs';
    binding = b;
    method = b === null ? 'fs' : 'binding';
  }
  return method;
}

function statInto(root: string, paths: readonly string[], from: number, to: number, out: Float64Array): void {
  const b = binding;
  for (let i = from; i < to; i++) {
    const o = i * STAT_WIDTH;
    const abs = `${root}/${paths[i]!}`;
    try {
      // A NUL would cut the path short in the binding (fs.statSync refuses it): such a name goes through fs.
      if (b !== null && !abs.includes('\0')) {
        const a = b.stat(abs, false, undefined, true);
        out[o] = a[AT.size]!;
        out[o + 1] = a[AT.mtimeSec]! * 1e3 + a[AT.mtimeNsec]! / 1e6;
        out[o + 2] = a[AT.ctimeSec]! * 1e3 + a[AT.ctimeNsec]! / 1e6;
        out[o + 3] = a[AT.ino]!;
        out[o + 4] = (a[AT.mode]! & S_IFMT) === S_IFREG ? KIND.file : KIND.other;
        continue;
      }
      const st = fs.statSync(abs);
      out[o] = st.size;
      out[o + 1] = st.mtimeMs;
      out[o + 2] = st.ctimeMs;
      out[o + 3] = st.ino;
      out[o + 4] = st.isFile() ? KIND.file : KIND.other;
    } catch (err) {
      const i2 = ERRORS.indexOf((err as NodeJS.ErrnoException).code as (typeof ERRORS)[number]);
      out[o + 4] = i2 >= 0 ? -(i2 + 1) : -(ERRORS.length + 1);
    }
  }
}

/** Paths a thread claims at a time: few enough that neither waits long for the other at the end. */
const CHUNK = 256;
/** Shared Int32 slots: the next unclaimed index, whether the worker began claiming, whether it is done. */
const NEXT = 0;
const STARTED = 1;
const DONE = 2;

/** Claims chunks from the shared counter until none is left, stating each into out. */
function statChunks(root: string, paths: readonly string[], control: Int32Array, out: Float64Array): void {
  for (;;) {
    const from = Atomics.add(control, NEXT, CHUNK);
    if (from >= paths.length) return;
    statInto(root, paths, from, Math.min(from + CHUNK, paths.length), out);
  }
}

// The worker repeats statInto and statChunks; it runs from a string so no second module ships.
const WORKER_SOURCE = `
const fs = require('node:fs');
const { workerData } = require('node:worker_threads');
const { root, joined, sab, control: controlSab, useBinding } = workerData;
const out = new Float64Array(sab);
const control = new Int32Array(controlSab);
const ERRORS = ${JSON.stringify(ERRORS)};
const AT = ${JSON.stringify(AT)};
let b = null;
if (useBinding) {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try { b = process.binding('fs'); } catch { b = null; } finally { process.noDeprecation = quiet; }
}
Atomics.store(control, ${STARTED}, 1);
const paths = joined.split('\\0');
for (;;) {
  const from = Atomics.add(control, ${NEXT}, ${CHUNK});
  if (from >= paths.length) break;
  const to = Math.min(from + ${CHUNK}, paths.length);
  for (let i = from; i < to; i++) {
    const o = i * ${STAT_WIDTH};
    const abs = root + '/' + paths[i];
    try {
      if (b !== null && !abs.includes('\\0')) {
        const a = b.stat(abs, false, undefined, true);
        out[o] = a[AT.size]; out[o + 1] = a[AT.mtimeSec] * 1e3 + a[AT.mtimeNsec] / 1e6;
        out[o + 2] = a[AT.ctimeSec] * 1e3 + a[AT.ctimeNsec] / 1e6; out[o + 3] = a[AT.ino];
        out[o + 4] = (a[AT.mode] & ${S_IFMT}) === ${S_IFREG} ? ${KIND.file} : ${KIND.other};
        continue;
      }
      const st = fs.statSync(abs);
      out[o] = st.size; out[o + 1] = st.mtimeMs; out[o + 2] = st.ctimeMs; out[o + 3] = st.ino;
      out[o + 4] = st.isFile() ? ${KIND.file} : ${KIND.other};
    } catch (err) {
      const k = ERRORS.indexOf(err.code);
      out[o + 4] = k >= 0 ? -(k + 1) : -(ERRORS.length + 1);
    }
  }
}
Atomics.store(control, ${DONE}, 1);
Atomics.notify(control, ${DONE});
`;

/** Stats root/path for each path (following symlinks), STAT_WIDTH numbers each. */
export function statMany(root: string, paths: readonly string[], opts: { worker?: boolean } = {}): Float64Array {
  return startStats(root, paths, opts).finish();
}

/** Stats begun by startStats: finish() takes what is left on this thread and returns every file's numbers. */
export interface PendingStats {
  finish(): Float64Array;
}

/**
 * Starts stating root/path for each path: a list big enough gets a worker thread at once, which stats while
 * this thread does other work (the walk decodes the manifest's snapshots) until it calls finish().
 */
export function startStats(root: string, paths: readonly string[], opts: { worker?: boolean } = {}): PendingStats {
  statMethod(root);
  if (paths.length < WORKER_THRESHOLD || opts.worker === false) {
    return {
      finish: () => {
        const out = new Float64Array(paths.length * STAT_WIDTH);
        statInto(root, paths, 0, paths.length, out);
        return out;
      },
    };
  }
  const sab = new SharedArrayBuffer(paths.length * STAT_WIDTH * 8);
  const control = new Int32Array(new SharedArrayBuffer(3 * 4));
  const out = new Float64Array(sab);
  // worker_threads loads only for a tree big enough to share: most runs never start a worker.
  const { Worker } = createRequire(import.meta.url)('node:worker_threads') as { Worker: typeof WorkerType };
  // One joined string, not an array: cloning 100,000 strings into the worker would cost this thread more.
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { root, joined: paths.join('\0'), sab, control: control.buffer, useBinding: binding !== null },
  });
  return {
    finish: () => {
      statChunks(root, paths, control, out);
      // Every chunk is claimed. A worker that had not begun claims none now; one that had is finishing its last.
      // A worker that never reports (it could not start, or died) must not hang the walk: its chunks are done again here.
      if (
        Atomics.load(control, STARTED) === 1 &&
        Atomics.wait(control, DONE, 0, WORKER_PATIENCE_MS) === 'timed-out' &&
        Atomics.load(control, DONE) === 0
      ) {
        void worker.terminate();
        return statMany(root, paths, { worker: false });
      }
      void worker.terminate();
      return out;
    },
  };
}
