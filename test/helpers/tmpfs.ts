// A real small file system for disk-full and read-only tests: a tmpfs the
// test mounts (the tests run as root, in CI too) and that is always unmounted
// when the test ends, pass or fail. No mount may outlive its test.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { beforeSandboxRemoval } from './sandbox.js';

/**
 * Mounts a tmpfs of `size` (mount's syntax: '2m') at dir, creating dir. A
 * machine where this cannot be done fails the test loudly: nothing is skipped.
 */
export function mountTmpfs(dir: string, size: string): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  let mounted = true;
  const unmount = (): void => {
    if (!mounted) return;
    mounted = false;
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      // A process killed a moment ago may still hold a file there: detach it now, the kernel frees it after.
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    }
  };
  // Before the sandbox is removed (its removal would stop at a mount point), and again in case that never ran.
  beforeSandboxRemoval(unmount);
  onTestFinished(unmount);
}

/** Remounts the tmpfs at dir read-only, or read-write again. */
export function remount(dir: string, how: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${how}`, dir], { stdio: 'pipe' });
}

/** Bytes free on the file system holding dir. */
export function freeBytes(dir: string): number {
  const st = fs.statfsSync(dir);
  return st.bavail * st.bsize;
}

/**
 * Writes a filler file into dir until at most `leave` bytes stay free (0: until
 * the file system refuses with ENOSPC); returns the filler's path.
 */
export function fillUp(dir: string, leave = 0): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  try {
    for (;;) {
      const room = freeBytes(dir) - leave;
      if (leave > 0 && room <= 0) break;
      try {
        fs.writeSync(fd, chunk, 0, leave > 0 ? Math.min(chunk.length, room) : chunk.length);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw err;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}
