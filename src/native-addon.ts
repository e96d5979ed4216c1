// Loads runner's own native addon (native/spawn.c: posix_spawn of a job and of
// the watchdog, and mkfifo; native/stat-check.c: stored stats checked in bulk;
// native/digest.c: a file's digest), once, when it
// was built at install (scripts/build-native.mjs). Absent or failing to load,
// it is null and callers do what they did without it (child_process, the
// mkfifo program, the walk): an install never depends on it.
import { createRequire } from 'node:module';
import { packageFile } from './package-root.js';

/** The addon's functions (native/spawn.c documents each). */
export interface NativeAddon {
  /** Returns [pid, stdout fd, stderr fd], or a negative errno; onExit runs once the job is reaped. */
  spawn(
    file: string,
    argv: string[],
    envp: string[],
    cwd: string,
    fds: number[],
    onExit: (code: number | null, signal: number | null) => void,
  ): [number, number, number] | number;
  /** 0, or a negative errno. */
  mkfifo(path: string, mode: number): number;
  /**
   * Begins starting argv[0] (not searched on PATH) on a thread of the addon's, in a session of its own, stdin on a
   * socketpair, stdout and stderr on /dev/null; returns at once [handle, runner's end of the socketpair], or a
   * negative errno. What runner writes meanwhile waits in the socket.
   */
  watchdogStart(argv: string[], envp: string[]): [WatchdogHandle, number] | number;
  /** Waits for that start: the pid, or a negative errno. Reaped when it exits, never keeping the loop alive. */
  watchdogJoin(handle: WatchdogHandle): number;
  /**
   * Starts comparing `count` stored stats with the file system on threads of its own (native/stat-check.c):
   * `paths` NUL-separated under `root`, `numbers` the bytes of `width` doubles per row, `at` the places of
   * size (-1: none), mtimeMs, ctimeMs and ino; mode 0 files (followed; a regular file), 1 directories (not
   * followed; "" is the root). A row differs when its stat does, or is racy (mtime or ctime at or after
   * `racyLimit`). Both buffers are copied.
   */
  statCheckStart(
    root: string,
    paths: Buffer,
    count: number,
    numbers: Buffer,
    width: number,
    at: readonly [number, number, number, number],
    mode: 0 | 1,
    racyLimit: number,
  ): StatCheckHandle;
  /**
   * Waits for a check: how many rows differ (-1: it could not tell), then up to `cap` of them. With `stop`,
   * the rows not yet begun are left unchecked (the answer is -1).
   */
  statCheckFinish(handle: StatCheckHandle, cap: number, stop?: boolean): number[];
  /**
   * Starts checking, on a thread of its own, that the walk would reuse every listing of `dirs` (the packed
   * directories snapshot, copied) as it is: each directory's stat and its .gitignore's as stored and not
   * racy, each subdirectory's listing stored.
   */
  dirCheckStart(root: string, dirs: Buffer, racyLimit: number): StatCheckHandle;
  /** Waits for a dirCheckStart: [listings the walk would read again (-1: it could not tell), file names they hold]. */
  dirCheckFinish(handle: StatCheckHandle): [number, number];
  /**
   * A file's digest as src/scan/digest.ts computes it (native/digest.c), or a negative errno; absent where the
   * process does not offer OpenSSL's digest functions.
   */
  digestFile?: (path: string) => string | number;
}

/** A start watchdogStart began. */
export type WatchdogHandle = { readonly __brand: 'WatchdogHandle' };

/** A check statCheckStart began. */
export type StatCheckHandle = { readonly __brand: 'StatCheckHandle' };

/** Where node-gyp leaves it (native/binding.gyp's target). */
export const NATIVE_ADDON_PATH = 'native/build/Release/runner_spawn.node';

let addon: NativeAddon | null | undefined;

/** The addon, or null when it is not built or does not load here (not Linux, a kernel without pidfds). */
export function nativeAddon(): NativeAddon | null {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)(packageFile(NATIVE_ADDON_PATH)) as NativeAddon;
    } catch {
      addon = null;
    }
  }
  return addon;
}
