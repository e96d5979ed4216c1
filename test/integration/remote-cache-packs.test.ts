// Issue 16 (point 8): artifact packs against the real turborepo-remote-cache
// server. A cold run uploads each result and, beside them, packs of many;
// a cold clone then restores its hits a pack at a time, with far fewer
// requests than jobs; a pack whose members changed is not found, its
// members are asked for singly, and the run uploads it anew for the next
// clone. The tool logs each start to a file outside the clones, so what
// really ran is counted.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { type RunJson, baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { startCacheServer } from '../helpers/remote-cache.js';
import { type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';
import { packGroups } from '../../src/cache/pack.js';
import type { RelPath } from '../../src/types.js';

const TOKEN = 'pack-token-8d21';
const TEAM = 'runner-tests';
const TOOL = 'log';
/** Enough files for a pack (and some jobs in none): the cut depends only on the tool's name and the paths. */
const FILES = 200;
/** Its job fails, and its log says so: within the first pack. */
const FAILING = 100;
const fileName = (i: number): string => `many/f${String(i).padStart(3, '0')}.txt`;

type RemoteRunJson = RunJson & {
  counts: RunJson['counts'] & { remoteHits?: number };
  jobs: (RunJson['jobs'][number] & { remote?: true })[];
  remote?: { lookups: number; hits: number; uploads: number; errors: number };
};

/** A tree of FILES files (one failing, with a line in its log) and clone B, a copy of it at another path. */
function twoClones(url: string): { sb: Sandbox; b: string; starts: () => string[]; marker: string } {
  const sb = useFixture('python-demo');
  for (let i = 0; i < FILES; i++) writeText(sb, fileName(i), i === FAILING ? 'FAIL\n' : `file ${i}\n`);
  const log = path.join(sb.scratch, 'starts.log');
  writeConfig(sb, {
    include: ['many/*.txt'],
    env: { PATH: ['/usr/bin', '/bin'], PROBE_LOG: log },
    remoteCache: { url, team: TEAM },
    tools: [
      {
        name: TOOL,
        command: [
          'sh',
          '-c',
          // Shell builtins only: one process per job. FAIL fails while the marker beside the log is there.
          'echo "start $1" >> "$PROBE_LOG"; read -r l < "$1"; if [ "$l" = FAIL ] && [ -e "$PROBE_LOG.fail" ]; then echo "failing $1"; exit 1; fi',
          'sh',
          '{file}',
        ],
      },
    ],
  });
  fs.writeFileSync(`${log}.fail`, '');
  const b = path.join(sb.root, 'tree-b');
  fs.cpSync(sb.tree, b, { recursive: true });
  const starts = (): string[] =>
    fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trimEnd().split('\n') : ([] as string[]);
  return { sb, b, starts, marker: `${log}.fail` };
}

/** The packs the files fall into, as every machine cuts them (keys aside). */
function packsOf(): { paths: string[] }[] {
  const jobs = Array.from({ length: FILES }, (_, i) => ({ tool: TOOL, path: fileName(i) as RelPath, key: `${i}` }));
  return packGroups(jobs).map((g) => ({ paths: g.members.map((m) => m.path) }));
}

const isPack = (url: string): boolean => url.includes('/v8/artifacts/runnerpack');

describe('issue 16: remote cache packs', () => {
  test('issue 16: a cold clone restores its hits a pack at a time, signed, with far fewer requests than jobs', async () => {
    const server = await startCacheServer({ token: TOKEN, signatures: true });
    const { sb, b, starts } = twoClones(server.url);
    const env = baseEnv({ RUNNER_REMOTE_CACHE_TOKEN: TOKEN, RUNNER_REMOTE_CACHE_SIGNATURE_KEY: 'team-key-3f' });
    const packs = packsOf();
    expect(packs.length).toBeGreaterThan(0);
    const packed = packs.reduce((n, p) => n + p.paths.length, 0);

    const first = await runJson<RemoteRunJson>(['run'], { cwd: sb.tree, env });
    expect(first.res.code, show(first.res)).toBe(1);
    expect(first.json.counts).toMatchObject({ jobs: FILES, ran: FILES, failed: 1 });
    // Each result on its own (counted as uploaded), and the packs beside them.
    expect(first.json.remote).toMatchObject({ uploads: FILES, errors: 0 });
    const stored = server.artifacts(TEAM);
    expect(stored.filter((n) => n.startsWith('runnerpack'))).toHaveLength(packs.length);
    expect(stored).toHaveLength(FILES + packs.length);
    expect(starts()).toHaveLength(FILES);

    const asked = server.requests().length;
    const second = await runJson<RemoteRunJson>(['run'], { cwd: b, env });
    expect(second.res.code, show(second.res)).toBe(1);
    expect(second.res.stderr).not.toContain('warning');
    expect(starts(), 'clone b ran no job').toHaveLength(FILES);
    expect(second.json.counts).toMatchObject({ ran: 0, cachedFailures: 1, remoteHits: FILES, fresh: 0 });
    expect(second.json.remote).toMatchObject({ lookups: FILES, hits: FILES, errors: 0 });
    // One GET per pack, one per job in none; no HEAD.
    const requests = server.requests().slice(asked);
    expect(requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(requests.filter((r) => isPack(r.url))).toHaveLength(packs.length);
    expect(requests).toHaveLength(packs.length + FILES - packed);
    // A failure came in its pack with its log.
    const failed = second.json.jobs.find((j) => j.file === fileName(FAILING))!;
    expect(failed).toMatchObject({ status: 'cached-failure', exitCode: 1, remote: true });
    expect(fs.readFileSync(path.join(b, failed.log!), 'utf8')).toBe(`failing ${fileName(FAILING)}\n`);

    // Recorded like results that ran: the next run asks nothing.
    const again = server.requests().length;
    const noop = await runRunner(['run'], { cwd: b, env });
    expect(noop.code, show(noop)).toBe(1);
    expect(server.requests()).toHaveLength(again);
    expect(starts()).toHaveLength(FILES);
  }, 120_000); // 200 jobs started, then two runs of 200 lookups: a minute on a busy machine

  test('issue 16: a file changed since the packs were uploaded: its pack is not found, its members are asked for singly, only its job runs, and its pack is uploaded anew', async () => {
    const server = await startCacheServer({ token: TOKEN });
    const { sb, b, starts } = twoClones(server.url);
    const env = baseEnv({ RUNNER_REMOTE_CACHE_TOKEN: TOKEN });
    const packs = packsOf();
    const changed = packs[0]!.paths[3]!;

    const first = await runJson<RemoteRunJson>(['run'], { cwd: sb.tree, env });
    expect(first.res.code, show(first.res)).toBe(1);
    fs.writeFileSync(path.join(b, changed), 'changed in b\n');

    const asked = server.requests().length;
    const second = await runJson<RemoteRunJson>(['run'], { cwd: b, env });
    expect(second.res.code, show(second.res)).toBe(1);
    expect(second.res.stderr).not.toContain('warning');
    expect(starts().slice(FILES)).toEqual([`start ${changed}`]);
    expect(second.json.counts).toMatchObject({ ran: 1, passed: 1, cachedFailures: 1, remoteHits: FILES - 1 });
    const requests = server
      .requests()
      .slice(asked)
      .filter((r) => r.method === 'GET');
    // Every pack asked for; the changed one's members singly, with the jobs in no pack.
    expect(requests.filter((r) => isPack(r.url))).toHaveLength(packs.length);
    const packed = packs.slice(1).reduce((n, p) => n + p.paths.length, 0);
    expect(requests).toHaveLength(packs.length + FILES - packed);
    const ran = second.json.jobs.find((j) => j.file === changed)!;
    expect(ran).toMatchObject({ status: 'passed', cached: false });
    expect('remote' in ran).toBe(false);
    // The changed file's pack, anew: its other members as the server gave them, the changed one as it ran here.
    expect(server.artifacts(TEAM).filter((n) => n.startsWith('runnerpack'))).toHaveLength(packs.length + 1);
    const c = path.join(sb.root, 'tree-c');
    // Clone C: b's tree without its state, a cold clone after the change.
    fs.cpSync(b, c, { recursive: true, filter: (src) => path.basename(src) !== '.runner' });
    const atC = server.requests().length;
    const third = await runJson<RemoteRunJson>(['run'], { cwd: c, env });
    expect(third.res.code, show(third.res)).toBe(1);
    expect(third.json.counts).toMatchObject({ ran: 0, remoteHits: FILES });
    const byC = server.requests().slice(atC);
    expect(byC.filter((r) => isPack(r.url))).toHaveLength(packs.length);
    expect(byC).toHaveLength(packs.length + FILES - packs.reduce((n, p) => n + p.paths.length, 0));
  }, 120_000);
  test('issue 16: a failure in a pack that --rerun-failed ran again and saw pass goes into the pack anew: the next clone gets the pass', async () => {
    const server = await startCacheServer({ token: TOKEN });
    const { sb, b, starts, marker } = twoClones(server.url);
    const env = baseEnv({ RUNNER_REMOTE_CACHE_TOKEN: TOKEN });
    const packs = packsOf();
    const failing = fileName(FAILING);
    expect(packs[0]!.paths).toContain(failing);
    const c = path.join(sb.root, 'tree-c');
    fs.cpSync(b, c, { recursive: true });

    const first = await runJson<RemoteRunJson>(['run'], { cwd: sb.tree, env });
    expect(first.json.counts).toMatchObject({ ran: FILES, failed: 1 });
    // What made it fail is gone (outside its inputs, as with a flaky test): run again here, it passes.
    fs.rmSync(marker);
    const second = await runJson<RemoteRunJson>(['run', '--rerun-failed'], { cwd: b, env });
    expect(second.res.code, show(second.res)).toBe(0);
    expect(second.json.counts).toMatchObject({ ran: 1, passed: 1, remoteHits: FILES - 1 });
    expect(starts().slice(FILES)).toEqual([`start ${failing}`]);

    const asked = server.requests().length;
    const third = await runJson<RemoteRunJson>(['run'], { cwd: c, env });
    expect(third.res.code, show(third.res)).toBe(0);
    expect(third.json.counts).toMatchObject({ ran: 0, cachedFailures: 0, remoteHits: FILES });
    const requests = server.requests().slice(asked);
    expect(requests.filter((r) => isPack(r.url))).toHaveLength(packs.length);
    expect(requests).toHaveLength(packs.length + FILES - packs.reduce((n, p) => n + p.paths.length, 0));
  }, 120_000);
});
