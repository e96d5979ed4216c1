// Issue 16: runner's requests as the Turborepo Remote Cache API describes them
// (vercel/turborepo, "Remote Cache API"; the x-artifact-tag algorithm in
// crates/turborepo-cache/src/signature_authentication.rs), checked against a
// small HTTP server written here that records every request and answers as
// told: so that any server implementing the API works, not only the one the
// behaviour tests start (remote-cache.test.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { onTestFinished, describe, expect, test } from 'vitest';
import { type JobJson, type RunJson, baseEnv, runJson, show, startRunner } from '../helpers/cli.js';
import { probeTool, setProbeControl } from '../helpers/probe.js';
import { type Sandbox, readConfig, useFixture, waitFor, writeConfig, writeText } from '../helpers/sandbox.js';

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** An HTTP server on 127.0.0.1 that records each request and answers with `answer`'s reply; closed when the test ends. */
async function wireServer(
  answer: (r: Recorded) => Answer | Promise<Answer>,
): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r = {
        method: req.method ?? '',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(r);
      void Promise.resolve(answer(r)).then((a) => {
        res.writeHead(a.status, a.headers ?? {});
        res.end(a.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined));
  onTestFinished(() => server.closeAllConnections());
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, requests };
}

type WireRunJson = RunJson & { counts: RunJson['counts'] & { remoteHits?: number } };

/** python-demo with the probe as its only tool and `remoteCache` as given. */
function tree(remoteCache: Record<string, unknown>, probe: Record<string, unknown> = {}): Sandbox {
  const sb = useFixture('python-demo');
  const config = readConfig(sb);
  config.env = { ...(config.env ?? {}), PROBE_DIR: sb.scratch };
  config.tools = [probeTool(probe)];
  config.remoteCache = remoteCache;
  writeConfig(sb, config);
  return sb;
}

/** The published tag: HMAC-SHA256 under the key of {"hash","teamId"} as JSON, then the body; base64. */
function publishedTag(key: string, hash: string, team: string, body: Buffer): string {
  return crypto
    .createHmac('sha256', key)
    .update(JSON.stringify({ hash, teamId: team }))
    .update(body)
    .digest('base64');
}

describe('issue 16: the wire format of the Turborepo Remote Cache API', () => {
  test('issue 16: a lookup is a GET and an upload a PUT of /v8/artifacts/:hash with the bearer token, the team, the duration and a tag that verifies', async () => {
    const wire = await wireServer((r) =>
      r.method === 'GET' ? { status: 404, body: '{"message":"Artifact not found"}' } : { status: 202, body: '{}' },
    );
    // Files the config names hold the token and the key; the environment's URL wins over the config's.
    const sb = tree({ url: 'http://127.0.0.1:9', team: 'team_abc', tokenFile: '../token', signatureKeyFile: '../key' });
    fs.writeFileSync(path.join(sb.root, 'token'), 'file-token-77\n');
    fs.writeFileSync(path.join(sb.root, 'key'), 'file-key-99\n');
    const { res, json } = await runJson<WireRunJson>(['run'], {
      cwd: sb.tree,
      env: baseEnv({ RUNNER_REMOTE_CACHE_URL: wire.url }),
    });
    expect(res.code, show(res)).toBe(0);
    const jobs = json.counts.jobs;
    const gets = wire.requests.filter((r) => r.method === 'GET');
    const puts = wire.requests.filter((r) => r.method === 'PUT');
    expect(gets).toHaveLength(jobs);
    expect(puts).toHaveLength(jobs);
    expect(new Set(puts.map((r) => r.path))).toEqual(new Set(gets.map((r) => r.path)));
    for (const r of wire.requests) {
      expect(r.path).toMatch(/^\/v8\/artifacts\/runner2-[0-9a-f]{16,}$/);
      // A team id (team_…) goes as teamId; the bearer token as Authorization.
      expect([...r.query.entries()]).toEqual([['teamId', 'team_abc']]);
      expect(r.headers.authorization).toBe('Bearer file-token-77');
    }
    for (const r of puts) {
      expect(r.headers['content-type']).toBe('application/octet-stream');
      expect(Number(r.headers['content-length'])).toBe(r.body.length);
      expect(r.headers['x-artifact-duration']).toMatch(/^\d+$/);
      const hash = r.path.slice('/v8/artifacts/'.length);
      expect(r.headers['x-artifact-tag']).toBe(publishedTag('file-key-99', hash, 'team_abc', r.body));
    }
  });

  test('issue 16: a team name goes as slug, and no token file and no key send no Authorization and no tag', async () => {
    const wire = await wireServer((r) => (r.method === 'GET' ? { status: 404 } : { status: 200, body: '{"urls":[]}' }));
    const sb = tree({ url: wire.url, team: 'ignored-team' });
    const { res } = await runJson<WireRunJson>(['run'], {
      cwd: sb.tree,
      env: baseEnv({ RUNNER_REMOTE_CACHE_TEAM: 'my-team' }),
    });
    expect(res.code, show(res)).toBe(0);
    expect(wire.requests.length).toBeGreaterThan(0);
    for (const r of wire.requests) {
      expect([...r.query.entries()]).toEqual([['slug', 'my-team']]);
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers['x-artifact-tag']).toBeUndefined();
    }
  });

  test('issue 16: a 200 whose body is no artifact is a miss with one warning; the job runs and is uploaded again', async () => {
    const wire = await wireServer((r) =>
      r.method === 'GET' ? { status: 200, body: 'hello, not gzip' } : { status: 200, body: '{}' },
    );
    const sb = tree({ url: wire.url, team: 't' });
    const { res, json } = await runJson<WireRunJson>(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(json.counts).toMatchObject({ ran: json.counts.jobs, remoteHits: 0 });
    expect(res.stderr.split('\n').filter((l) => l.includes('remote cache'))).toEqual([
      `runner: warning: remote cache: ${json.counts.jobs} artifacts did not parse as a runner artifact (e.g. probe calc/__init__.py: not a runner artifact): taken as misses, the jobs run here`,
    ]);
    expect(wire.requests.filter((r) => r.method === 'PUT')).toHaveLength(json.counts.jobs);
  });

  test('issue 16: server errors (HTTP 500) switch the cache off after three in a row, with one warning; the run completes', async () => {
    const wire = await wireServer(() => ({ status: 500, body: 'oops' }));
    const sb = tree({ url: wire.url, team: 't' });
    const { res, json } = await runJson<WireRunJson & { remote: { off: string; errors: number } }>(['run'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(res.code, show(res)).toBe(0);
    expect(json.counts).toMatchObject({ ran: json.counts.jobs, passed: json.counts.jobs, remoteHits: 0 });
    expect(json.remote.off).toBe('3 requests in a row failed (last: HTTP 500)');
    expect(res.stderr.split('\n').filter((l) => l.includes('remote cache'))).toEqual([
      'runner: warning: remote cache: switched off for the rest of this run: 3 requests in a row failed (last: HTTP 500); jobs run here',
    ]);
    // Lookups already sent when it switched off still end; none is sent after, and nothing is uploaded.
    expect(wire.requests.filter((r) => r.method === 'PUT')).toEqual([]);
  });

  test('issue 16: a 403 on upload stops the uploads with one warning and keeps the lookups', async () => {
    const wire = await wireServer((r) => (r.method === 'GET' ? { status: 404 } : { status: 403, body: 'read-only' }));
    const sb = tree({ url: wire.url, team: 't' });
    const { res, json } = await runJson<WireRunJson>(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(wire.requests.filter((r) => r.method === 'GET')).toHaveLength(json.counts.jobs);
    expect(wire.requests.filter((r) => r.method === 'PUT').length).toBeLessThan(json.counts.jobs);
    expect(res.stderr.split('\n').filter((l) => l.includes('remote cache'))).toEqual([
      `runner: warning: remote cache: ${wire.url} refused an upload (HTTP 403): the token may read but not write; uploads stop for this run (set RUNNER_REMOTE_CACHE_READ_ONLY=1 to not try)`,
    ]);
  });

  test('issue 16: a job stopped by its timeout is recorded here and never uploaded; the others are', async () => {
    const wire = await wireServer((r) => (r.method === 'GET' ? { status: 404 } : { status: 200, body: '{}' }));
    const sb = tree({ url: wire.url, team: 't' }, { timeout: 2 });
    // -j 1: the first job runs as usual, every later one hangs past its timeout... but only from the 6th start.
    setProbeControl(sb, 'hang-after', '5');
    const { res, json } = await runJson<WireRunJson & { jobs: JobJson[] }>(['run', '-j', '1'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(res.code, show(res)).toBe(1);
    const timedOut = json.jobs.filter((j) => (j as JobJson & { timedOut: boolean }).timedOut);
    expect(timedOut.length).toBeGreaterThan(0);
    expect(wire.requests.filter((r) => r.method === 'PUT')).toHaveLength(json.counts.jobs - timedOut.length);
  });

  test('issue 16: an interrupted run drops its lookups in flight and sends none of those still queued', async () => {
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // No lookup is ever answered while the run lasts: 16 in flight, the rest queued behind them.
    const wire = await wireServer(async () => {
      await held;
      return { status: 404 };
    });
    onTestFinished(() => release());
    const sb = tree({ url: wire.url, team: 't' });
    for (let i = 0; i < 40; i++) writeText(sb, `more/m${i}.py`, `X = ${i}\n`);
    const running = startRunner(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    await waitFor('16 lookups in flight', () => wire.requests.length >= 16);
    running.child.kill('SIGINT');
    const res = await running.result;
    expect(res.code, show(res)).toBe(130);
    expect(wire.requests).toHaveLength(16);
    const json = JSON.parse(res.stdout) as WireRunJson & { remote: { errors: number; off: string | null } };
    expect(json.counts).toMatchObject({ ran: 0, notStarted: json.counts.jobs });
    // Dropped by the interrupt, not failed: the server is not blamed, and nothing waited for its deadline.
    expect(json.remote).toMatchObject({ errors: 0, off: null });
    expect(res.stderr).not.toContain('remote cache');
    expect(fs.existsSync(path.join(sb.scratch, 'probe.log'))).toBe(false);
  });
});
