// Issue 16: a result cache shared over the Turborepo Remote Cache API, against
// the real server (npm turborepo-remote-cache, on 127.0.0.1, local storage in
// a temp dir). Two clones at different paths, with different HOMEs, share
// results; a server that is killed, refuses the token or serves artifacts
// signed with another key never breaks a run; read-only uploads nothing; a
// no-op sends no request. The probe counts which jobs really ran.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { type JobJson, type RunJson, baseEnv, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { probeTool, setProbeControl } from '../helpers/probe.js';
import { type CacheServer, probeStarts, startCacheServer } from '../helpers/remote-cache.js';
import { REPO, type Sandbox, readConfig, useFixture, waitFor, writeConfig, writeText } from '../helpers/sandbox.js';

const TOKEN = 'ci-token-5f3a9c1e77';
const TEAM = 'runner-tests';

interface Clone {
  sb: Sandbox;
  env: Record<string, string>;
}

type RemoteRunJson = RunJson & {
  counts: RunJson['counts'] & { remoteHits?: number };
  jobs: (JobJson & { remote?: true })[];
  remote?: { lookups: number; hits: number; uploads: number; errors: number; off: string | null };
};

/**
 * A copy of python-demo with the probe as its only tool, at its own path with its own HOME, asking
 * `server`. Every clone's probe writes to `probeDir`, so its env (latched) is the same in every clone.
 */
function clone(server: CacheServer, probeDir?: string, env: Record<string, string> = {}): Clone {
  const sb = useFixture('python-demo');
  const config = readConfig(sb);
  config.env = { ...(config.env ?? {}), PROBE_DIR: probeDir ?? sb.scratch };
  config.tools = [probeTool()];
  config.remoteCache = { url: server.url, team: TEAM };
  writeConfig(sb, config);
  // One job fails, as a fact about its inputs: its failure is shared too.
  writeText(sb, 'calc/stats.py', '# PROBE_FAIL\n');
  const home = path.join(sb.root, 'home');
  fs.mkdirSync(home);
  return { sb, env: baseEnv({ HOME: home, RUNNER_REMOTE_CACHE_TOKEN: TOKEN, ...env }) };
}

/** Every file under `dir`, read whole (the state directory: nothing in it may hold the token). */
function allBytes(dir: string): string {
  let out = '';
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out += fs.readFileSync(path.join(e.parentPath, e.name), 'latin1');
  return out;
}

const validate = new Ajv({ allErrors: true, strict: true }).compile(
  JSON.parse(fs.readFileSync(path.join(REPO, 'schema', 'run-report.schema.json'), 'utf8')),
);

const run = (c: Clone, args: string[] = []) => runJson<RemoteRunJson>(['run', ...args], { cwd: c.sb.tree, env: c.env });

describe('issue 16: the remote cache, against the real turborepo-remote-cache server', () => {
  test('issue 16: a second clone at another path and HOME restores every result from the remote cache and runs no job', async () => {
    const server = await startCacheServer({ token: TOKEN });
    const a = clone(server);
    const probeDir = a.sb.scratch;
    const b = clone(server, probeDir);

    const first = await run(a);
    expect(first.res.code, show(first.res)).toBe(1);
    const jobs = first.json.counts.jobs;
    expect(first.json.counts).toMatchObject({ ran: jobs, failed: 1, remoteHits: 0 });
    expect(probeStarts(probeDir)).toBe(jobs);
    // Every job's result was uploaded, the failure too.
    expect(server.artifacts(TEAM)).toHaveLength(jobs);
    expect(first.json.remote).toMatchObject({ lookups: jobs, hits: 0, uploads: jobs, errors: 0, off: null });

    const second = await run(b);
    expect(second.res.code, show(second.res)).toBe(1);
    expect(probeStarts(probeDir), 'clone b ran no job').toBe(jobs);
    expect(second.json.counts).toMatchObject({ ran: 0, cachedFailures: 1, remoteHits: jobs, fresh: 0 });
    for (const j of second.json.jobs) expect(j, `${j.tool} ${j.file}`).toMatchObject({ remote: true, cached: true });
    // The --json schema that ships describes the remote hits, their count and the remote cache's summary.
    for (const out of [first.printed, second.printed])
      expect(validate(out) ? [] : validate.errors, 'run-report.schema.json').toEqual([]);
    const failed = second.json.jobs.find((j) => j.file === 'calc/stats.py')!;
    expect(failed).toMatchObject({ status: 'cached-failure', exitCode: 1 });
    // Its log came with it, into b's own state directory.
    expect(failed.log).toMatch(/^\.runner\/logs\//);
    expect(fs.readFileSync(path.join(b.sb.tree, failed.log!), 'utf8')).toBe('probe: failing calc/stats.py\n');

    // Recorded here like results that ran: the next run is a local no-op that asks the server nothing.
    const asked = server.requests().length;
    const text = await runRunner(['run'], { cwd: b.sb.tree, env: b.env });
    expect(text.code, show(text)).toBe(1);
    expect(server.requests()).toHaveLength(asked);
    expect(probeStarts(probeDir)).toBe(jobs);
    const explained = await runRunner(['explain', 'calc/ops.py'], { cwd: b.sb.tree, env: b.env });
    expect(explained.stdout, show(explained)).toMatch(
      /probe: fresh \(last passed .*, restored from the remote cache\)/,
    );

    // --rerun-failed runs a failure the remote cache had, here and now.
    const rerun = await run(b, ['--rerun-failed']);
    expect(rerun.json.counts).toMatchObject({ ran: 1, failed: 1 });
    expect(probeStarts(probeDir)).toBe(jobs + 1);

    // The token never lands in a state directory, an output or the printed config.
    const shown = await runRunner(['config'], { cwd: b.sb.tree, env: b.env });
    for (const where of [
      allBytes(path.join(a.sb.tree, '.runner')),
      allBytes(path.join(b.sb.tree, '.runner')),
      first.res.stdout + first.res.stderr + second.res.stdout + second.res.stderr,
      text.stdout + text.stderr + explained.stdout + explained.stderr + shown.stdout + shown.stderr,
    ])
      expect(where.includes(TOKEN)).toBe(false);
  });

  test('issue 16: the summary says the jobs came from the remote cache, and a no-op sends no request', async () => {
    const server = await startCacheServer({ token: TOKEN });
    const a = clone(server);
    await run(a);
    const b = clone(server, a.sb.scratch);
    const junit = path.join(b.sb.scratch, 'junit.xml');
    const res = await runRunner(['run', '--junit', junit], { cwd: b.sb.tree, env: b.env });
    expect(res.code, show(res)).toBe(1);
    // JUnit marks each remote hit with a `remote: true` line among its details.
    const cases = fs.readFileSync(junit, 'utf8').split('<testcase ').slice(1);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(c).toContain('remote: true');
    expect(res.stderr + res.stdout).toMatch(
      /runner: \d+ jobs: 0 ran \(0 passed, 0 failed\), 1 cached failure, 0 fresh, \d+ from the remote cache/,
    );
    expect(res.stderr + res.stdout).toContain(`runner: remote cache ${server.url}: `);
    const asked = server.requests().length;
    const noop = await runRunner(['run'], { cwd: a.sb.tree, env: a.env });
    expect(noop.code, show(noop)).toBe(1);
    expect(server.requests()).toHaveLength(asked);
  });

  test('issue 16: artifacts signed with another key are misses with one warning, and the jobs run here', async () => {
    const server = await startCacheServer({ token: TOKEN, signatures: true });
    const a = clone(server, undefined, { RUNNER_REMOTE_CACHE_SIGNATURE_KEY: 'key-of-the-team' });
    const first = await run(a);
    const jobs = first.json.counts.jobs;
    expect(fs.readdirSync(path.join(server.storage, TEAM)).filter((f) => f.endsWith('.tag'))).toHaveLength(jobs);
    // The same key verifies: every job is a hit.
    const same = clone(server, a.sb.scratch, { RUNNER_REMOTE_CACHE_SIGNATURE_KEY: 'key-of-the-team' });
    expect((await run(same)).json.counts).toMatchObject({ ran: 0, remoteHits: jobs });
    expect(probeStarts(a.sb.scratch)).toBe(jobs);
    // Another key: nothing verifies, nothing is taken, every job runs.
    const other = clone(server, a.sb.scratch, { RUNNER_REMOTE_CACHE_SIGNATURE_KEY: 'a-forger-s-key' });
    const res = await run(other);
    expect(res.res.code, show(res.res)).toBe(1);
    expect(res.json.counts).toMatchObject({ ran: jobs, failed: 1, remoteHits: 0 });
    expect(probeStarts(a.sb.scratch)).toBe(2 * jobs);
    const warnings = res.res.stderr.split('\n').filter((l) => l.includes('remote cache'));
    expect(warnings).toEqual([
      `runner: warning: remote cache: ${jobs} artifacts had a signature that does not verify with the signature key (e.g. probe calc/__init__.py): taken as misses, the jobs run here`,
    ]);
    // No key at all reads them as plain artifacts: a key is what makes a client check.
    const unsigned = clone(server, a.sb.scratch);
    expect((await run(unsigned)).json.counts).toMatchObject({ ran: 0, remoteHits: jobs });
    expect(res.res.stderr.includes('key-of-the-team') || res.res.stdout.includes('a-forger-s-key')).toBe(false);
  });

  test('issue 16: a server killed mid-run switches the cache off with one warning, and the run completes', async () => {
    const server = await startCacheServer({ token: TOKEN });
    const a = clone(server);
    setProbeControl(a.sb, 'sleep-ms', '300');
    const running = startRunner(['run', '-j', '1', '--json'], { cwd: a.sb.tree, env: a.env });
    await waitFor(
      'a first job to finish',
      () =>
        fs.existsSync(path.join(a.sb.scratch, 'probe.log')) &&
        fs.readFileSync(path.join(a.sb.scratch, 'probe.log'), 'utf8').includes('end '),
    );
    await server.kill();
    const res = await running.result;
    expect(res.code, show(res)).toBe(1);
    const json = JSON.parse(res.stdout) as RemoteRunJson;
    expect(json.counts).toMatchObject({ ran: json.counts.jobs, failed: 1 });
    expect(json.remote?.off).toMatch(/^3 requests in a row failed \(last: ECONNREFUSED\)$/);
    const warnings = res.stderr.split('\n').filter((l) => l.includes('remote cache'));
    expect(warnings).toEqual([
      'runner: warning: remote cache: switched off for the rest of this run: 3 requests in a row failed (last: ECONNREFUSED); jobs run here',
    ]);
    // Every result was recorded here all the same: the next run (server still down) is a local no-op.
    setProbeControl(a.sb, 'sleep-ms', null);
    const again = await run(a);
    expect(again.json.counts).toMatchObject({ ran: 0, fresh: json.counts.jobs - 1, cachedFailures: 1 });
  });

  test('issue 16: a refused token says so once, never shows the token, and every job runs here', async () => {
    const server = await startCacheServer({ token: TOKEN });
    const a = clone(server, undefined, { RUNNER_REMOTE_CACHE_TOKEN: 'not-the-token-0042' });
    const res = await run(a);
    expect(res.res.code, show(res.res)).toBe(1);
    expect(res.json.counts).toMatchObject({ ran: res.json.counts.jobs, remoteHits: 0 });
    const warnings = res.res.stderr.split('\n').filter((l) => l.includes('remote cache'));
    expect(warnings).toEqual([
      `runner: warning: remote cache: switched off for the rest of this run: ${server.url} refused the token (HTTP 401); check RUNNER_REMOTE_CACHE_TOKEN or remoteCache.tokenFile; jobs run here`,
    ]);
    // The first refusal stops it: the lookups still waiting are never sent, and nothing is uploaded.
    expect(server.requests().filter((r) => r.method === 'PUT')).toEqual([]);
    expect(server.artifacts(TEAM)).toEqual([]);
    expect(res.res.stdout + res.res.stderr).not.toContain('not-the-token-0042');
  });

  test('issue 16: read-only mode looks results up and uploads nothing', async () => {
    const server = await startCacheServer({ token: TOKEN });
    const a = clone(server, undefined, { RUNNER_REMOTE_CACHE_READ_ONLY: '1' });
    const res = await run(a);
    expect(res.res.code, show(res.res)).toBe(1);
    const jobs = res.json.counts.jobs;
    expect(res.json.counts).toMatchObject({ ran: jobs, remoteHits: 0 });
    expect(server.requests().map((r) => r.method)).toEqual(Array<string>(jobs).fill('GET'));
    expect(server.artifacts(TEAM)).toEqual([]);
    expect(res.json.remote).toMatchObject({ lookups: jobs, uploads: 0, errors: 0, off: null });
    // The config's readOnly says the same.
    const b = clone(server, a.sb.scratch);
    const config = readConfig(b.sb);
    config.remoteCache = { url: server.url, team: TEAM, readOnly: true };
    writeConfig(b.sb, config);
    await run(b);
    expect(server.requests().filter((r) => r.method === 'PUT')).toEqual([]);
  });
});
