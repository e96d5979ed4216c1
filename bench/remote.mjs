// bench/remote.mjs - the remote cache (issue 16 point 8), on loopback with the
// real Turborepo Remote Cache server (npm turborepo-remote-cache, local
// storage in the scratch directory, its log to a file so that the requests it
// served are counted from its side).
//
// Tree: 10,000 small files and a trivial tool (`true {file}`: no output, so
// each artifact is the result alone). Clone B is a copy of clone A at another
// path, made before either ran.
//   A cold       every job runs and its result is uploaded (flushed before exit),
//                and the packs of many results beside them (src/cache/pack.ts)
//   B cold       the cache warm: every job is looked up and restored, none runs
//                (a GET per pack, and one per job in no pack)
//   B no-op      after B's hits were recorded locally: no request at all
//   A no-op      the same on A, for the side by side
//   floor        10,000 GETs, one per job, by a bare Node client (16 keep-alive
//                sockets, bodies read and dropped): what the server itself
//                allows one request per job, the way runner asked before packs
// Reported: wall clock of each, requests the server logged during each (GET,
// PUT), the server's own CPU time during each (from /proc, Linux only: when
// it is close to the floor's wall, the server is the limit, not the client),
// lookups per second in B's run and in the floor's. Targets: B restores all 10,000 in
// under 3 s, and neither no-op sends a request. One run each: the cold runs
// cannot be repeated without clearing state, and B's is the figure that counts.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REMOTE = {
  files: 10_000,
  maxWarmMs: 3000,
  team: 'bench',
};

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SERVER = path.join(REPO, 'node_modules', 'turborepo-remote-cache', 'dist', 'cli.js');
export const TOKEN = 'bench-token';
const int = (n) => n.toLocaleString('en-US');
/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK): 100 on Linux everywhere in practice. */
const CLOCK_TICKS = 100;
/** CPU ms between two readings of server.cpuMs(); null when /proc is not there. */
const spent = (before, after) => (before === null || after === null ? null : after - before);

/**
 * Starts the server on 127.0.0.1, a free port, storing under `storage` (made if missing); resolves to its URL,
 * its log file, a stop() and its CPU so far (cpuMs()). bench/remote-clients.mjs starts it too.
 */
export async function startServer(work, storage = path.join(work, 'remote-storage')) {
  fs.mkdirSync(storage, { recursive: true });
  const log = path.join(work, 'remote-server.log');
  const fd = fs.openSync(log, 'w');
  // Its log goes to a file: a pipe the bench does not read during spawnSync would fill and stall the server.
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
      TURBO_TOKEN: TOKEN,
    },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const gone = new Promise((resolve) => child.on('close', resolve));
  // The server is one Node process: its user + system time, in clock ticks (proc(5), /proc/PID/stat fields 14, 15).
  const cpuMs = () => {
    try {
      const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
    } catch {
      return null;
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await gone;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(fs.readFileSync(log, 'utf8'));
    if (m) return { url: m[1], log, stop, cpuMs };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the cache server did not start:\n${fs.readFileSync(log, 'utf8')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Requests the server has logged so far, by method; `packGET`, `packPUT`: those of them for packs (src/cache/pack.ts). */
function requestsLogged(log) {
  const counts = { GET: 0, PUT: 0, HEAD: 0, other: 0, packGET: 0, packPUT: 0 };
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    if (!line.includes('"incoming request"')) continue;
    const m = /"method":"(\w+)"/.exec(line)?.[1];
    if (m in counts) counts[m]++;
    else counts.other++;
    if (line.includes('/v8/artifacts/runnerpack') && (m === 'GET' || m === 'PUT')) counts[`pack${m}`]++;
  }
  return counts;
}

/** A bare client: GETs every job's artifact in `storage/team` (not the packs), 16 at a time over keep-alive, and exits. */
const FLOOR_CLIENT = `
import http from 'node:http';
import fs from 'node:fs';
const [url, dir, team, token] = process.argv.slice(2);
const keys = fs.readdirSync(dir).filter((f) => !f.endsWith('.tag') && !f.startsWith('runnerpack'));
const u = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
let i = 0;
const one = (k) => new Promise((resolve, reject) => {
  http.get({ hostname: u.hostname, port: u.port, path: '/v8/artifacts/' + k + '?slug=' + team, agent,
    headers: { authorization: 'Bearer ' + token } }, (r) => { r.resume(); r.on('end', resolve); }).on('error', reject);
});
const worker = async () => { while (i < keys.length) await one(keys[i++]); };
await Promise.all(Array.from({ length: 16 }, worker));
agent.destroy();
`;

const minus = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] - b[k]]));
const total = (c) => c.GET + c.PUT + c.HEAD + c.other; // packs are counted in those already

export async function benchRemote(ctx, io) {
  const a = path.join(ctx.work, 'remote-a');
  const b = path.join(ctx.work, 'remote-b');
  io.progress(`remote: generating ${int(REMOTE.files)} files`);
  for (let i = 0; i < REMOTE.files; i++) {
    const dir = path.join(a, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}\n`);
  }
  fs.writeFileSync(
    path.join(a, '.runnerrc.json'),
    JSON.stringify({ include: ['**/*.txt'], tools: [{ name: 'noop', command: ['true', '{file}'] }] }, null, 2) + '\n',
  );
  fs.cpSync(a, b, { recursive: true });
  const server = await startServer(ctx.work);
  try {
    const env = {
      ...ctx.runnerEnv,
      RUNNER_REMOTE_CACHE_URL: server.url,
      RUNNER_REMOTE_CACHE_TEAM: REMOTE.team,
      RUNNER_REMOTE_CACHE_TOKEN: TOKEN,
    };
    const step = async (label, tree) => {
      io.progress(`remote: ${label}`);
      const before = requestsLogged(server.log);
      const cpuBefore = server.cpuMs();
      const r = ctx.measure.run([...ctx.runner, 'run', '-q', '--json', '-j', String(ctx.jobs), '-C', tree], {
        cwd: ctx.work,
        env,
        withRss: ctx.rss.method !== 'none',
      });
      await io.checkpoint(r);
      if (r.status !== 0)
        throw new io.RunnerFailed(`remote: ${label}: runner run failed (exit ${r.status})\n${r.stderr.trimEnd()}`);
      const json = JSON.parse(r.stdout);
      return {
        label,
        ms: r.ms,
        cpuMs: r.cpuMs,
        serverCpuMs: spent(cpuBefore, server.cpuMs()),
        ran: json.counts.ran,
        remoteHits: json.counts.remoteHits ?? 0,
        fresh: json.counts.fresh,
        requests: minus(requestsLogged(server.log), before),
        warnings: r.stderr.split('\n').filter((l) => l.includes('warning')),
      };
    };
    const coldA = await step('clone A cold (runs and uploads every job)', a);
    const coldB = await step('clone B cold, cache warm (restores every job)', b);
    const noopB = await step('clone B no-op', b);
    const noopA = await step('clone A no-op', a);
    io.progress('remote: floor, the same GETs by a bare client');
    const client = path.join(ctx.work, 'remote-floor-client.mjs');
    fs.writeFileSync(client, FLOOR_CLIENT);
    const before = requestsLogged(server.log);
    const cpuBefore = server.cpuMs();
    const f = ctx.measure.run(
      [process.execPath, client, server.url, path.join(ctx.work, 'remote-storage', REMOTE.team), REMOTE.team, TOKEN],
      { cwd: ctx.work, env: ctx.runnerEnv, withRss: ctx.rss.method !== 'none' },
    );
    await io.checkpoint(f);
    if (f.status !== 0) throw new io.RunnerFailed(`remote: the floor client failed (exit ${f.status})\n${f.stderr}`);
    const floor = {
      label: 'floor: a GET per job, bare node client',
      ms: f.ms,
      cpuMs: f.cpuMs,
      serverCpuMs: spent(cpuBefore, server.cpuMs()),
      ran: 0,
      remoteHits: 0,
      fresh: 0,
      requests: minus(requestsLogged(server.log), before),
      warnings: [],
    };
    const rows = [coldA, coldB, noopB, noopA, floor];
    const hitsPerSec = coldB.remoteHits / (coldB.ms / 1000);
    const uploadsPerSec = coldA.requests.PUT / (coldA.ms / 1000);
    const floorPerSec = floor.requests.GET / (floor.ms / 1000);
    const pass =
      coldA.ran === REMOTE.files &&
      coldA.requests.PUT - coldA.requests.packPUT === REMOTE.files &&
      coldB.remoteHits === REMOTE.files &&
      coldB.ran === 0 &&
      coldB.ms < REMOTE.maxWarmMs &&
      total(noopA.requests) === 0 &&
      total(noopB.requests) === 0;
    for (const r of rows) for (const w of r.warnings) ctx.notes.add(`remote: ${r.label}: ${w}`);
    return {
      files: REMOTE.files,
      rows,
      hitsPerSec,
      uploadsPerSec,
      floorPerSec,
      target: {
        maxWarmMs: REMOTE.maxWarmMs,
        warmMs: coldB.ms,
        noopRequests: total(noopA.requests) + total(noopB.requests),
      },
      pass,
    };
  } finally {
    await server.stop();
  }
}

export function renderRemote(s) {
  const ms = (x) => (x == null ? 'n/a' : x.toFixed(0));
  const rows = s.rows.map((r) => [
    r.label,
    ms(r.ms),
    ms(r.cpuMs),
    ms(r.serverCpuMs),
    int(r.ran),
    int(r.remoteHits),
    int(r.requests.GET),
    int(r.requests.PUT),
    `${int(r.requests.packGET)} / ${int(r.requests.packPUT)}`,
  ]);
  const headers = [
    'run',
    'ms',
    'CPU ms',
    'server CPU ms',
    'ran',
    'remote hits',
    'GET',
    'PUT',
    'of them packs (GET / PUT)',
  ];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `remote: ${int(s.files)} files, a trivial tool, the real turborepo-remote-cache server on loopback; requests counted from its log`,
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    `hits restored/s (clone B cold): ${int(Math.round(s.hitsPerSec))}; GETs/s (floor): ${int(Math.round(s.floorPerSec))}; ` +
      `uploads/s (clone A cold): ${int(Math.round(s.uploadsPerSec))}`,
    `${int(s.files)} remote hits restored in under ${s.target.maxWarmMs / 1000} s, and no-ops send no request: ` +
      `${s.pass ? 'PASS' : 'FAIL'} (${ms(s.target.warmMs)} ms, ${s.target.noopRequests} requests on no-ops)`,
  ];
}
