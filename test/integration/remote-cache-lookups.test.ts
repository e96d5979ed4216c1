// Issue 16 (points 2 and 8): what a cold clone's lookups cost and what a miss
// tells, against the real turborepo-remote-cache server. A hit costs one GET
// (no HEAD first) and the run prints no warning of its own however many
// lookups it makes; a job that missed says so in explain, with the files its
// key names by place (a HOME of another machine names them otherwise).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { startCacheServer } from '../helpers/remote-cache.js';
import { useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

const TOKEN = 'lookup-token-41c7';
const TEAM = 'runner-tests';

describe('issue 16: remote cache lookups', () => {
  test('issue 16: a cold clone restores each hit with one GET and no HEAD, and prints no warning with more lookups at once than Node allows listeners', async () => {
    const server = await startCacheServer({ token: TOKEN });
    const sb = useFixture('python-demo');
    // More files than Node's 10 listeners per AbortSignal, fewer than the 16 lookups at once: all in flight together.
    const files = 14;
    for (let i = 0; i < files; i++) writeText(sb, `many/f${i}.txt`, `file ${i}\n`);
    writeConfig(sb, {
      include: ['many/*.txt'],
      remoteCache: { url: server.url, team: TEAM },
      tools: [{ name: 'noop', command: ['true', '{file}'] }],
    });
    const b = path.join(sb.root, 'tree-b');
    fs.cpSync(sb.tree, b, { recursive: true });
    const env = baseEnv({ RUNNER_REMOTE_CACHE_TOKEN: TOKEN });

    const first = await runJson(['run'], { cwd: sb.tree, env });
    expect(first.res.code, show(first.res)).toBe(0);
    expect(first.res.stderr).toBe('');
    expect(server.artifacts(TEAM)).toHaveLength(files);

    const asked = server.requests().length;
    const second = await runJson<{ counts: { ran: number; remoteHits?: number } }>(['run'], { cwd: b, env });
    expect(second.res.code, show(second.res)).toBe(0);
    expect(second.json.counts).toMatchObject({ ran: 0, remoteHits: files });
    // Node's MaxListenersExceededWarning was printed here when each request listened to the run's signal.
    expect(second.res.stderr).toBe('');
    const methods = server
      .requests()
      .slice(asked)
      .map((r) => r.method);
    expect(methods).toEqual(Array.from({ length: files }, () => 'GET'));
  });

  test('issue 16: explain of a job that missed remotely says so, and lists the files its key names by place', async () => {
    // pypa/pip under a pyenv in /root: the first checkout, HOME=/root, names its files ~/.pyenv/...; a second
    // with another HOME names them /root/.pyenv/..., so every lookup misses. Here a library beside both trees
    // is below the first one's HOME and nobody's in the second.
    const server = await startCacheServer({ token: TOKEN });
    const sb = useFixture('python-deps');
    const shared = path.join(sb.root, 'shared');
    fs.mkdirSync(path.join(shared, 'pylib'), { recursive: true });
    fs.writeFileSync(path.join(shared, 'pylib', 'extmod.py'), 'VALUE = 1\n');
    writeText(sb, 'tests/test_ext.py', 'import extmod\n');
    writeConfig(sb, {
      include: ['**/*.py'],
      exclude: ['**/__pycache__/**'],
      // Relative, so the config is the same in both trees and names no checkout: both reach the same directory.
      env: { PATH: ['/usr/bin', '/bin'], PYTHONPATH: '../shared/pylib' },
      remoteCache: { url: server.url, team: TEAM },
      tools: [
        {
          name: 'pytest',
          command: ['python3', '-c', 'pass', '{file}'],
          include: ['tests/test_ext.py'],
          deps: 'python',
        },
      ],
    });
    const b = path.join(sb.root, 'tree-b');
    fs.cpSync(sb.tree, b, { recursive: true });
    const homeB = path.join(sb.root, 'home-b');
    fs.mkdirSync(homeB);
    const envA = baseEnv({ HOME: shared, RUNNER_REMOTE_CACHE_TOKEN: TOKEN });
    const envB = baseEnv({ HOME: homeB, RUNNER_REMOTE_CACHE_TOKEN: TOKEN });

    const first = await runRunner(['run'], { cwd: sb.tree, env: envA });
    expect(first.code, show(first)).toBe(0);
    expect(server.artifacts(TEAM)).toHaveLength(1);
    const second = await runJson<{ counts: { ran: number; remoteHits?: number } }>(['run'], { cwd: b, env: envB });
    expect(second.res.code, show(second.res)).toBe(0);
    expect(second.json.counts).toMatchObject({ ran: 1, remoteHits: 0 });

    const explained = await runRunner(['explain', 'tests/test_ext.py'], { cwd: b, env: envB });
    expect(explained.code, show(explained)).toBe(0);
    expect(explained.stdout).toContain(
      '    note: its last run followed a remote cache lookup that found nothing under its key',
    );
    const abs = path.join(shared, 'pylib').split('/').slice(0, 4).join('/');
    expect(explained.stdout).toContain(
      `    note: its key names 1 file outside the source tree by place as well as by content:\n      - ${abs}/... (1 file, by absolute path)\n`,
    );
    // The first checkout names the same file from its HOME: the two keys differ by that name alone.
    const there = await runRunner(['explain', 'tests/test_ext.py'], { cwd: sb.tree, env: envA });
    expect(there.stdout).toContain(`      - ~/pylib/... (1 file, below HOME, here ${shared})\n`);
    const { json } = await runJson<{
      tools: { namedByPlace: unknown[]; last: { remoteMiss: boolean } }[];
    }>(['explain', 'tests/test_ext.py'], { cwd: b, env: envB });
    expect(json.tools[0]).toMatchObject({
      namedByPlace: [{ under: abs, by: 'absolute', files: 1 }],
      last: { remoteMiss: true },
    });

    // A job restored or run without a lookup says nothing of the kind.
    const local = await runRunner(['run', '--force'], { cwd: b, env: envB });
    expect(local.code, show(local)).toBe(0);
    const after = await runRunner(['explain', 'tests/test_ext.py'], { cwd: b, env: envB });
    expect(after.stdout).not.toContain('remote cache lookup');
  });
});
