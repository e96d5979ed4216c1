// bin/runner executed as a shell or make executes it: its first line starts
// node without NODE_EXTRA_CA_CERTS (node builds its whole certificate store at
// start when that is set) and the script puts the variable back before
// anything reads it. The jobs see the environment exactly as given (set, set
// to nothing, unset), runner's own process started without the variable, and
// a run through `node bin/runner` latches the same environment (its probe does
// not run again); the pre-commit hook `runner hook install` writes does the
// same. runner's own HTTPS, to a remote cache behind a private CA, still
// trusts what the variable names.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { type RunJson, baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { startCacheServer } from '../helpers/remote-cache.js';
import { git, gitOk, gitTestEnv, useRepo } from '../helpers/git.js';
import { REPO, type Sandbox, type ToolDef, readConfig, useFixture, writeConfig } from '../helpers/sandbox.js';

const TLS = path.join(REPO, 'test', 'helpers', 'tls');

/**
 * A tool that writes what it sees to <scratch>/seen.log, a line per job: the variable, its carrier, and how
 * many NODE_EXTRA_CA_CERTS runner's own process started with ($PPID is runner: jobs are its children, and
 * /proc/$PPID/environ is the environment node started with).
 */
function seeing(sb: Sandbox, extra: Partial<ToolDef> = {}): void {
  const config = readConfig(sb);
  const log = path.join(sb.scratch, 'seen.log');
  const script =
    'printf "%s cert=%s carried=%s runner-started-with=%s\\n" "$1" "${NODE_EXTRA_CA_CERTS-<unset>}" ' +
    '"${RUNNER_NODE_EXTRA_CA_CERTS-<unset>}" ' +
    `"$(tr '\\0' '\\n' < /proc/$PPID/environ | grep -c '^NODE_EXTRA_CA_CERTS=')" >> '${log}'`;
  Object.assign(config, { mergeEnv: true, passEnv: ['NODE_EXTRA_CA_CERTS'] });
  config.tools = [{ name: 'seen', command: ['sh', '-c', script, 'seen', '{file}'], ...extra }];
  writeConfig(sb, config);
}

/** The fixture with the seeing tool as its only one. */
function seeingTree(): Sandbox {
  const sb = useFixture('python-demo');
  seeing(sb);
  return sb;
}

function seen(sb: Sandbox): string[] {
  try {
    return fs.readFileSync(path.join(sb.scratch, 'seen.log'), 'utf8').trimEnd().split('\n');
  } catch {
    return [];
  }
}

describe('bin/runner executed directly', () => {
  const cases: [string, string | undefined][] = [
    ['a path', path.join(TLS, 'ca.pem')],
    ['set to nothing', ''],
    ['unset', undefined],
  ];
  test.each(cases)(
    'NODE_EXTRA_CA_CERTS %s: the jobs see it as given, runner started without it, and node bin/runner latches the same',
    async (_what, value) => {
      const sb = seeingTree();
      const env = baseEnv(value === undefined ? {} : { NODE_EXTRA_CA_CERTS: value });
      const first = await runJson<RunJson>(['run'], { cwd: sb.tree, env, direct: true });
      expect(first.res.code, show(first.res)).toBe(0);
      const lines = seen(sb);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines).toHaveLength(first.json.counts.ran);
      for (const line of lines) {
        const [, cert, carried, started] = line.split(' ');
        expect(cert).toBe(`cert=${value ?? '<unset>'}`);
        expect(carried).toBe('carried=<unset>');
        expect(started).toBe('runner-started-with=0');
      }
      // The same environment through node: passEnv latches NODE_EXTRA_CA_CERTS (unset differs from empty).
      const again = await runJson<RunJson>(['run'], { cwd: sb.tree, env });
      expect(again.res.code, show(again.res)).toBe(0);
      expect(seen(sb), 'no job ran again').toHaveLength(lines.length);
      expect(again.json.counts.ran).toBe(0);
    },
  );

  test('--version and a usage error answer as through node', async () => {
    const sb = useFixture('python-demo');
    const env = baseEnv({ NODE_EXTRA_CA_CERTS: path.join(TLS, 'ca.pem') });
    const direct = await runRunner(['--version'], { cwd: sb.tree, env, direct: true });
    const viaNode = await runRunner(['--version'], { cwd: sb.tree, env });
    expect(direct).toEqual(viaNode);
    expect(direct.code).toBe(0);
    const bad = await runRunner(['run', '-j', 'zero'], { cwd: sb.tree, env, direct: true });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('zero');
  });
});

test('the pre-commit hook `runner hook install` writes hands NODE_EXTRA_CA_CERTS over as bin/runner does', async () => {
  const sb = useRepo();
  seeing(sb, { include: ['**/*.txt'] });
  gitOk(sb.tree, ['add', '-A']);
  gitOk(sb.tree, ['commit', '-q', '-m', 'the seeing tool']);
  const cert = path.join(TLS, 'ca.pem');
  const env = gitTestEnv({ NODE_EXTRA_CA_CERTS: cert });
  const installed = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
  expect(installed.code, show(installed)).toBe(0);
  fs.writeFileSync(path.join(sb.tree, 'notes', 'new.txt'), 'a line\n');
  gitOk(sb.tree, ['add', 'notes/new.txt']);
  const committed = git(sb.tree, ['commit', '-m', 'a new note'], env);
  expect(committed.code, committed.stdout + committed.stderr).toBe(0);
  const lines = seen(sb);
  expect(lines.some((l) => l.startsWith('notes/new.txt '))).toBe(true);
  for (const line of lines)
    expect(line.split(' ').slice(1)).toEqual([`cert=${cert}`, 'carried=<unset>', 'runner-started-with=0']);
});

/** An HTTPS server with the test CA's certificate for 127.0.0.1, passing every request on to `target`. */
async function tlsFront(target: string): Promise<{ url: string; requests: () => number }> {
  let count = 0;
  const to = new URL(target);
  const server = https.createServer(
    { key: fs.readFileSync(path.join(TLS, 'server-key.pem')), cert: fs.readFileSync(path.join(TLS, 'server.pem')) },
    (req, res) => {
      count++;
      const out = http.request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => count };
}

type RemoteJson = RunJson & { remote?: { lookups: number; hits: number; uploads: number; errors: number } };

describe('a remote cache over HTTPS behind a private CA, runner executed directly', () => {
  test('NODE_EXTRA_CA_CERTS naming the CA is trusted by runner itself; without it every request is refused', async () => {
    const token = 'launcher-token-0b7e';
    const server = await startCacheServer({ token });
    const front = await tlsFront(server.url);
    const tree = (): Sandbox => {
      const sb = useFixture('python-demo');
      const config = readConfig(sb);
      config.remoteCache = { url: front.url, team: 'launcher' };
      writeConfig(sb, config);
      return sb;
    };
    const envOf = (extra: Record<string, string>) => baseEnv({ RUNNER_REMOTE_CACHE_TOKEN: token, ...extra });

    // Without the CA: the server's certificate is refused, the run goes on without the cache.
    const refused = tree();
    const off = await runJson<RemoteJson>(['run'], { cwd: refused.tree, env: envOf({}), direct: true });
    expect(off.res.code, show(off.res)).toBe(0);
    expect(off.json.remote?.errors ?? 0).toBeGreaterThan(0);
    expect(server.artifacts('launcher')).toHaveLength(0);

    const trusted = tree();
    const env = envOf({ NODE_EXTRA_CA_CERTS: path.join(TLS, 'ca.pem') });
    const on = await runJson<RemoteJson>(['run'], { cwd: trusted.tree, env, direct: true });
    expect(on.res.code, show(on.res)).toBe(0);
    const jobs = on.json.counts.jobs;
    expect(on.json.remote).toMatchObject({ errors: 0, uploads: jobs });
    expect(server.artifacts('launcher')).toHaveLength(jobs);
    expect(front.requests()).toBeGreaterThanOrEqual(2 * jobs);

    // Another clone, started the same way, restores every result.
    const other = tree();
    const hit = await runJson<RemoteJson>(['run'], { cwd: other.tree, env, direct: true });
    expect(hit.res.code, show(hit.res)).toBe(0);
    expect(hit.json.remote).toMatchObject({ errors: 0, hits: jobs });
    expect(hit.json.counts.ran).toBe(0);
  });
});
