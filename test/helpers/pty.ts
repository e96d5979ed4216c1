// A program on a real terminal (node-pty) in a sandbox: its output as the
// terminal received it, and its exit code. Killed when the sandbox is removed,
// so a test that fails half-way leaves no process behind.
import { createRequire } from 'node:module';
import type { IPty } from '@lydell/node-pty';
import { beforeSandboxRemoval, type Sandbox } from './sandbox.js';

const pty = createRequire(import.meta.url)('@lydell/node-pty') as typeof import('@lydell/node-pty');

export interface PtyRun {
  term: IPty;
  /** Everything the terminal received so far. */
  output(): string;
  exited: Promise<number>;
}

/** Starts `file args` on a terminal of `cols` x 24 named by env.TERM (xterm when unset), in the sandbox's tree. */
export function spawnInPty(sb: Sandbox, file: string, args: string[], env: Record<string, string>, cols = 80): PtyRun {
  const term = pty.spawn(file, args, { name: env.TERM ?? 'xterm', cols, rows: 24, cwd: sb.tree, env });
  let output = '';
  term.onData((d) => (output += d));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  beforeSandboxRemoval(() => {
    try {
      process.kill(term.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return { term, output: () => output, exited };
}
