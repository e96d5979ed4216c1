// bench/remote-clients.mjs - bare HTTP clients side by side against the real
// Turborepo Remote Cache server (issue 16 point 8): is the client or the
// server the limit of 10,000 lookups? Not part of `npm run bench`; run it by
// hand: `node bench/remote-clients.mjs [rounds]`.
//
// The server (npm turborepo-remote-cache, as bench/remote.mjs starts it: local
// storage, LOG_LEVEL info, its default) holds 10,000 artifacts of 260 random
// bytes (a trivial tool's runner artifact is about that size). Each client, in
// a process of its own, GETs every one once and reads each body whole:
//   http      Node's http.request over a keep-alive Agent (runner's client today)
//   fetch     Node's global fetch (the undici inside Node)
//   undici    the npm undici's Pool.request() (a body stream per answer)
//   dispatch  the npm undici's Pool.dispatch() with a bare handler (no stream)
// with 8, 16 and 32 connections, and undici with pipelining 2 and 4 on 8. The
// undici rows need the package (`npm install --no-save undici@7`: Node 20
// takes undici 7; undici 8 wants Node 22); without it they are left out.
// Clients run in turn, round after round, so a busy machine weighs on all
// alike. Reported per client: the median wall of its 10,000 GETs, requests
// per second, its own CPU for them (module loading apart) and the server's
// CPU meanwhile (from /proc, Linux). When the server's CPU is about the wall,
// the server is the limit: a leaner client cannot go faster.

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOKEN, startServer } from './remote.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FILES = 10_000;
const TEAM = 'bench';

/** One client's run, in a child process: argv kind url dir conns pipelining; prints JSON. */
const CLIENT = `
import fs from 'node:fs';
import { createRequire } from 'node:module';
const [kind, url, dir, team, token, conns, pipelining] = process.argv.slice(2);
const keys = fs.readdirSync(dir);
const path = (k) => '/v8/artifacts/' + k + '?slug=' + team;
const headers = { authorization: 'Bearer ' + token };
let one, close = async () => {}, inFlight = Number(conns), bad = 0;
if (kind === 'http') {
  const http = await import('node:http');
  const u = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(conns) });
  one = (k) => new Promise((resolve, reject) => {
    http.get({ hostname: u.hostname, port: u.port, path: path(k), agent, headers }, (r) => {
      if (r.statusCode !== 200) bad++;
      const c = []; r.on('data', (d) => c.push(d)); r.on('end', () => resolve(Buffer.concat(c)));
    }).on('error', reject);
  });
  close = async () => agent.destroy();
} else if (kind === 'fetch') {
  one = async (k) => { const r = await fetch(url + path(k), { headers }); if (r.status !== 200) bad++; return r.arrayBuffer(); };
} else {
  // The cwd is the repository: undici, when installed, is found there.
  const Pool = createRequire(process.cwd() + '/')('undici').Pool;
  const pool = new Pool(url, { connections: Number(conns), pipelining: Number(pipelining) });
  inFlight = Number(conns) * Number(pipelining);
  close = () => pool.destroy();
  one = kind === 'undici'
    ? async (k) => { const r = await pool.request({ method: 'GET', path: path(k), headers }); if (r.statusCode !== 200) bad++; return r.body.arrayBuffer(); }
    : (k) => new Promise((resolve, reject) => {
        let status = 0; const c = [];
        pool.dispatch({ method: 'GET', path: path(k), headers }, {
          onRequestStart() {},
          onResponseStart(_, s) { status = s; },
          onResponseData(_, d) { c.push(d); },
          onResponseEnd() { if (status !== 200) bad++; resolve(Buffer.concat(c)); },
          onResponseError(_, err) { reject(err); },
        });
      });
}
let i = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: inFlight }, async () => { while (i < keys.length) await one(keys[i++]); }));
const cpu = process.cpuUsage(cpu0);
const ms = performance.now() - t0;
await close();
if (bad > 0) throw new Error(bad + ' answers were not 200');
console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 }));
`;

const CLIENTS = [
  ['http', 8, 1],
  ['http', 16, 1],
  ['http', 32, 1],
  ['fetch', 16, 1],
  ['undici', 8, 1],
  ['undici', 16, 1],
  ['undici', 32, 1],
  ['dispatch', 8, 1],
  ['dispatch', 16, 1],
  ['dispatch', 32, 1],
  ['dispatch', 8, 2],
  ['dispatch', 8, 4],
];

const hasUndici = (() => {
  try {
    createRequire(path.join(REPO, 'package.json')).resolve('undici');
    return true;
  } catch {
    return false;
  }
})();
const rounds = Number(process.argv[2] ?? 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-remote-clients-'));
const storage = path.join(work, 'storage');
const dir = path.join(storage, TEAM);
fs.mkdirSync(dir, { recursive: true });
for (let i = 0; i < FILES; i++)
  fs.writeFileSync(path.join(dir, `runner2-${crypto.randomBytes(16).toString('hex')}`), crypto.randomBytes(260));
const client = path.join(work, 'client.mjs');
fs.writeFileSync(client, CLIENT);
const server = await startServer(work, storage);
try {
  const { url } = server;
  const clients = CLIENTS.filter(([kind]) => hasUndici || (kind !== 'undici' && kind !== 'dispatch'));
  if (!hasUndici) console.log('undici is not installed here: its rows are left out (npm install --no-save undici@7)');
  const once = ([kind, conns, pipelining]) => {
    const before = server.cpuMs();
    const p = spawnSync(process.execPath, [client, kind, url, dir, TEAM, TOKEN, String(conns), String(pipelining)], {
      cwd: REPO,
      encoding: 'utf8',
    });
    if (p.status !== 0) throw new Error(`${kind} failed:\n${p.stderr}`);
    return { ...JSON.parse(p.stdout), serverCpuMs: server.cpuMs() - before };
  };
  once(['http', 16, 1]); // the server's first answers run colder code: not counted
  const runs = new Map(clients.map((c) => [c, []]));
  const loads = [];
  for (let r = 0; r < rounds; r++)
    for (const c of clients) {
      loads.push(os.loadavg()[0]);
      runs.get(c).push(once(c));
    }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = clients.map((c) => {
    const rs = runs.get(c);
    const ms = median(rs.map((x) => x.ms));
    return [
      `${c[0]} ${c[1]}${c[2] > 1 ? `x${c[2]}` : ''}`,
      ms.toFixed(0),
      String(Math.round(FILES / (ms / 1000))),
      median(rs.map((x) => x.cpuMs)).toFixed(0),
      median(rs.map((x) => x.serverCpuMs)).toFixed(0),
    ];
  });
  const headers = ['client, connections', 'wall ms', 'GET/s', 'client CPU ms', 'server CPU ms'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  console.log(
    `${FILES} GETs of 260-byte artifacts, median of ${rounds}; load average ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)}`,
  );
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
} finally {
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
