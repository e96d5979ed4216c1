// The real Turborepo Remote Cache server (npm turborepo-remote-cache) for the
// remote cache tests: started on 127.0.0.1 on a free port, storing on local
// disk in a temp dir, and stopped (SIGKILL, waited for) when the test ends.
// Counts the requests it logged, so a test sees what runner asked from outside.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { REPO, waitFor } from './sandbox.js';

const SERVER = path.join(REPO, 'node_modules', 'turborepo-remote-cache', 'dist', 'cli.js');

export interface CacheServer {
  url: string;
  /** Where it stores artifacts: <storage>/<team>/<hash>. */
  storage: string;
  /** The requests it has logged so far (method and path with query), in order. */
  requests(): { method: string; url: string }[];
  /** The artifacts it holds for `team`. */
  artifacts(team: string): string[];
  /** Kills it now and waits until it is gone. */
  kill(): Promise<void>;
}

export async function startCacheServer(
  opts: { token: string; signatures?: boolean; readOnly?: boolean } = { token: 'test-token' },
): Promise<CacheServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-cache-'));
  const storage = path.join(root, 'storage');
  fs.mkdirSync(storage);
  const child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOST: '127.0.0.1',
      PORT: '0',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      STORAGE_PROVIDER: 'local',
      STORAGE_PATH: storage,
      STORAGE_PATH_USE_TMP_FOLDER: 'false',
      TURBO_TOKEN: opts.token,
      // The server stores and returns x-artifact-tag only when it has a key; it never checks the tag itself.
      ...(opts.signatures === true ? { TURBO_REMOTE_CACHE_SIGNATURE_KEY: 'server-side-unused' } : {}),
      ...(opts.readOnly === true ? { READ_ONLY: 'true' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  onTestFinished(async () => {
    await kill();
    fs.rmSync(root, { recursive: true, force: true });
  });
  const url = await waitFor(
    'the cache server to listen',
    () => /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1],
  );
  return {
    url,
    storage,
    requests: () =>
      out
        .split('\n')
        .filter((l) => l.includes('"incoming request"'))
        .map((l) => (JSON.parse(l) as { req: { method: string; url: string } }).req),
    artifacts: (team) => {
      try {
        return fs.readdirSync(path.join(storage, team)).filter((f) => !f.endsWith('.tag'));
      } catch {
        return [];
      }
    },
    kill,
  };
}

/** How many probe jobs have started so far, in every clone sharing `probeDir` (the probe's log there). */
export function probeStarts(probeDir: string): number {
  const file = path.join(probeDir, 'probe.log');
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('start ')).length
    : 0;
}
