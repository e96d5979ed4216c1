// Loads runner's own native addon (native/spawn.c: posix_spawn of a job, and
// mkfifo), once, when it was built at install (scripts/build-native.mjs).
// Absent or failing to load, it is null and callers do what they did without
// it (child_process, the mkfifo program): an install never depends on it.
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
}

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
