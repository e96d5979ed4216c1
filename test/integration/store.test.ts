// The state directory and its sqlite manifest: location, clean, and refusal of a
// database runner cannot read (corrupt, or written by a newer runner).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { readSchemaVersion, readStoredFiles } from '../helpers/manifest-db.js';
import { PY_FILES } from '../helpers/python-demo.js';
import { useFixture, type Sandbox } from '../helpers/sandbox.js';

function dbPath(sb: Sandbox): string {
  return path.join(sb.tree, '.runner', 'manifest.db');
}

async function goodRun(sb: Sandbox): Promise<void> {
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
}

test('the manifest is a sqlite file in .runner that stores every tracked file', async () => {
  const sb = useFixture('python-demo');
  await goodRun(sb);
  const stored = readStoredFiles(dbPath(sb));
  for (const file of PY_FILES) expect(stored.has(file), file).toBe(true);
  expect(stored.has('setup.cfg')).toBe(false);
  expect(readSchemaVersion(dbPath(sb))).toBe(5); // 2: results record what the job depended on (#4); 3: last use, log size, graph nodes (#10); 4: the files delta (#17); 5: the settled mark (#17)
});

test('a corrupt database exits 2 with a hint naming runner clean, and is left unchanged', async () => {
  const sb = useFixture('python-demo');
  fs.mkdirSync(path.join(sb.tree, '.runner'));
  const garbage = Buffer.from('this is not a sqlite database\n'.repeat(200));
  fs.writeFileSync(dbPath(sb), garbage);

  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toMatch(/^runner: error: [^\n]*manifest\.db[^\n]*runner clean[^\n]*\n$/);
  expect(fs.readFileSync(dbPath(sb)).equals(garbage)).toBe(true);

  // The suggested way out works.
  const clean = await runRunner(['clean'], { cwd: sb.tree, env: baseEnv() });
  expect(clean.code, show(clean)).toBe(0);
  await goodRun(sb);
});

test('a corrupt database is refused by scan and explain too', async () => {
  const sb = useFixture('python-demo');
  fs.mkdirSync(path.join(sb.tree, '.runner'));
  const garbage = Buffer.from('garbage '.repeat(1000));
  fs.writeFileSync(dbPath(sb), garbage);
  for (const args of [['scan'], ['explain', 'calc/ops.py']]) {
    const res = await runRunner(args, { cwd: sb.tree, env: baseEnv() });
    expect(res.code, `${args.join(' ')}\n${show(res)}`).toBe(2);
    expect(res.stderr).toContain('runner clean');
  }
  expect(fs.readFileSync(dbPath(sb)).equals(garbage)).toBe(true);
});

test('a database from a newer runner (higher schema_version) is refused with exit 2 and left unchanged', async () => {
  const sb = useFixture('python-demo');
  await goodRun(sb);
  const db = new Database(dbPath(sb));
  db.prepare('UPDATE schema_version SET version = 999').run();
  db.close();
  const before = fs.readFileSync(dbPath(sb));

  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toMatch(/^runner: error: [^\n]+\n$/);
  expect(res.stderr).toContain('runner clean');
  expect(fs.readFileSync(dbPath(sb)).equals(before)).toBe(true);

  expect(readSchemaVersion(dbPath(sb))).toBe(999);
});

test('runner clean removes the state directory, and the next run starts afresh', async () => {
  const sb = useFixture('python-demo');
  await goodRun(sb);
  expect(fs.existsSync(path.join(sb.tree, '.runner'))).toBe(true);

  const res = await runRunner(['clean'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(fs.existsSync(path.join(sb.tree, '.runner'))).toBe(false);
  for (const file of PY_FILES) expect(fs.existsSync(path.join(sb.tree, file)), file).toBe(true);

  const again = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(again.res.code, show(again.res)).toBe(0);
  expect(again.json.counts.ran).toBe(13);
});

test('runner clean with no state directory succeeds', async () => {
  const sb = useFixture('python-demo');
  const res = await runRunner(['clean'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
});

test('--state-dir DIR keeps the manifest and logs there, not in the source tree', async () => {
  const sb = useFixture('python-demo');
  const state = path.join(sb.scratch, 'state');
  const first = await runJson(['run', '--state-dir', state], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(0);
  expect(first.json.counts.ran).toBe(13);
  expect(fs.existsSync(path.join(state, 'manifest.db'))).toBe(true);
  expect(fs.existsSync(path.join(sb.tree, '.runner'))).toBe(false);
  const logged = first.json.jobs.filter((j) => j.log !== null);
  expect(logged.map((j) => j.tool)).toEqual(['test', 'test']);
  for (const job of logged) {
    const log = path.resolve(sb.tree, job.log!);
    expect(log.startsWith(path.join(state, 'logs') + path.sep), job.log!).toBe(true);
    expect(fs.existsSync(log)).toBe(true);
  }

  const second = await runJson(['run', '--state-dir', state], { cwd: sb.tree, env: baseEnv() });
  expect(second.json.counts.ran).toBe(0);

  // The default state directory is a separate, empty state.
  const other = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(other.json.counts.ran).toBe(13);
});
