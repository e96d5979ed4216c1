// A scan that asks watchman what changed (issue 17, point 2) against the walk:
// two copies of one tree get the same random edits, one scanned through a
// private watchman server (test/helpers/watchman.ts), the other walked; their
// manifests (every file's digest and size, every directory listing) and what
// ran (counted with the probe) must agree after every round. Then a restarted
// watchman, and none on PATH, must make the scan walk and still see an edit.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { type RunResult, baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { gitOk, initRepo } from '../helpers/git.js';
import { probeOnly, probeTool, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, appendText, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';
import { ABC, jsDepsTree } from '../helpers/js-deps-tree.js';
import { type WatchmanServer, hasWatchman, startWatchman } from '../helpers/watchman.js';
import { seededRandom as rng, storedTree as stored } from '../helpers/stored-tree.js';

/** A git work tree (no index until a test adds to it) of .txt files in four directories. */
function layout(): Sandbox {
  const sb = useFixture('python-demo');
  for (const name of fs.readdirSync(sb.tree))
    if (name !== '.runnerrc.json') fs.rmSync(path.join(sb.tree, name), { recursive: true });
  initRepo(sb.tree);
  for (let d = 0; d < 4; d++) for (let f = 0; f < 4; f++) writeText(sb, `d${d}/f${f}.txt`, `file ${d}/${f}\n`);
  writeText(sb, '.gitignore', '*.log\nbuild/\n');
  probeOnly(sb, { include: ['**/*.txt'] }, { include: ['**/*'] });
  return sb;
}

const watchmanEnv = (w: WatchmanServer): Record<string, string> =>
  baseEnv({ WATCHMAN_SOCK: w.sock, RUNNER_WATCHMAN: '1', TMPDIR: w.tmpdir });

interface Round {
  res: RunResult;
  /** Files whose probe job started, sorted. */
  ran: string[];
  /** The verbose line saying how the scan went. */
  scan: string;
  /** The summary line without its time. */
  summary: string;
}

async function runOnce(sb: Sandbox, env: Record<string, string>): Promise<Round> {
  resetProbeLog(sb);
  const res = await runRunner(['run', '-v'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(0);
  const lines = res.stdout.split('\n');
  const summary = (lines.find((l) => l.includes(' jobs: ')) ?? '').replace(/ in [\d.]+s$/, '');
  expect(summary, show(res)).toMatch(/^runner: \d+ jobs: /);
  return {
    res,
    ran: readProbeLog(sb).started.sort(),
    scan: lines.find((l) => l.startsWith('scan ')) ?? '(no scan line)',
    summary,
  };
}

const KINDS = [
  'create',
  'delete',
  'rename',
  'same-size',
  'dir-rename',
  'new-dir',
  'dir-delete',
  'ignored',
  'git-add',
  'gitignore',
] as const;
type Kind = (typeof KINDS)[number];

/** Every .txt file under root, relative, sorted (the same in both copies). */
function txtFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((p) => p.endsWith('.txt') && !p.startsWith('.') && !p.includes('build'))
    .sort();
}

/** Applies one edit of `kind`, chosen by `rand`, to every root alike. */
function edit(roots: string[], kind: Kind, rand: () => number, n: number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const files = txtFiles(roots[0]!);
  const dirs = fs
    .readdirSync(roots[0]!)
    .filter((d) => d.startsWith('d') && fs.statSync(path.join(roots[0]!, d)).isDirectory())
    .sort();
  const each = (fn: (root: string) => void): void => roots.forEach(fn);
  switch (kind) {
    case 'create': {
      const rel = `${pick(dirs)}/new${n}.txt`;
      const text = `new ${n} ${rand()}\n`;
      each((r) => fs.writeFileSync(path.join(r, rel), text));
      return `create ${rel}`;
    }
    case 'delete': {
      const rel = pick(files);
      each((r) => fs.rmSync(path.join(r, rel)));
      return `delete ${rel}`;
    }
    case 'rename': {
      const rel = pick(files);
      const to = `${pick(dirs)}/moved${n}.txt`;
      each((r) => fs.renameSync(path.join(r, rel), path.join(r, to)));
      return `rename ${rel} ${to}`;
    }
    case 'same-size': {
      const rel = pick(files);
      const text = fs.readFileSync(path.join(roots[0]!, rel), 'utf8');
      const flipped = text.replace(/./g, (c) => (c === 'x' ? 'y' : 'x'));
      each((r) => fs.writeFileSync(path.join(r, rel), flipped));
      return `same-size ${rel}`;
    }
    case 'dir-rename': {
      const d = pick(dirs);
      each((r) => fs.renameSync(path.join(r, d), path.join(r, `${d}r${n}`)));
      return `dir-rename ${d}`;
    }
    case 'new-dir': {
      const rel = `${pick(dirs)}/sub${n}/deeper`;
      each((r) => {
        fs.mkdirSync(path.join(r, rel), { recursive: true });
        fs.writeFileSync(path.join(r, rel, 'a.txt'), `deep ${n}\n`);
        fs.writeFileSync(path.join(r, path.dirname(rel), 'b.txt'), `sub ${n}\n`);
      });
      return `new-dir ${rel}`;
    }
    case 'dir-delete': {
      const d = pick(dirs);
      each((r) => fs.rmSync(path.join(r, d), { recursive: true }));
      return `dir-delete ${d}`;
    }
    case 'ignored': {
      each((r) => {
        fs.writeFileSync(path.join(r, `${dirs[0]}/junk${n}.log`), 'junk\n');
        fs.mkdirSync(path.join(r, 'build'), { recursive: true });
        fs.writeFileSync(path.join(r, `build/out${n}.txt`), 'out\n');
      });
      return 'ignored files';
    }
    case 'git-add': {
      // git tracks a file its rules ignore: it is tracked from now on (a changed index, not a changed file).
      const rel = `build/kept${n}.txt`;
      each((r) => {
        fs.mkdirSync(path.join(r, 'build'), { recursive: true });
        fs.writeFileSync(path.join(r, rel), `kept ${n}\n`);
        gitOk(r, ['add', '-f', rel]);
      });
      return `git add -f ${rel}`;
    }
    case 'gitignore': {
      // Ignores a file tracked until now: its job is no longer planned.
      const rel = pick(files);
      each((r) => fs.appendFileSync(path.join(r, '.gitignore'), `/${rel}\n`));
      return `gitignore /${rel}`;
    }
  }
}

describe.runIf(hasWatchman())('issue 17: a scan through watchman leaves what the walk leaves', () => {
  test('issue 17: after random edits, the watchman path and the walk store the same files and run the same jobs', async () => {
    const w = await startWatchman();
    const viaWatchman = layout();
    const walked = layout();
    const wEnv = watchmanEnv(w);
    const walkEnv = baseEnv({ RUNNER_WATCHMAN: '0' });
    const first = await runOnce(viaWatchman, wEnv);
    expect(first.scan).toMatch(/^scan walked the tree \(no clock stored yet\)/);
    await runOnce(walked, walkEnv);
    expect((await runOnce(viaWatchman, wEnv)).scan).toMatch(/^scan asked watchman \(0 changed names/);
    const seed = 17;
    const rand = rng(seed);
    let viaWatchmanRounds = 0;
    let ranTotal = 0;
    for (let round = 0; round < KINDS.length + 1; round++) {
      // Every kind of edit once, then a random one; each round adds one random create, delete or rewrite.
      const kind = round < KINDS.length ? KINDS[round]! : KINDS[Math.floor(rand() * 5)]!;
      const extra = (['create', 'delete', 'same-size'] as const)[Math.floor(rand() * 3)]!;
      const did = [
        edit([viaWatchman.tree, walked.tree], kind, rand, round),
        edit([viaWatchman.tree, walked.tree], extra, rand, 100 + round),
      ];
      const a = await runOnce(viaWatchman, wEnv);
      const b = await runOnce(walked, walkEnv);
      const what = `seed ${seed}, round ${round}: ${did.join('; ')}\n${a.scan}`;
      expect(b.scan, what).toMatch(/^scan walked the tree \(RUNNER_WATCHMAN=0\)/);
      if (kind === 'gitignore') expect(a.scan, what).toMatch(/^scan walked the tree \(watchman: \.gitignore changed/);
      else if (a.scan.startsWith('scan asked watchman')) viaWatchmanRounds++;
      expect(a.ran, what).toEqual(b.ran);
      if (kind === 'git-add') expect(a.ran, what).toContain(`build/kept${round}.txt`);
      ranTotal += a.ran.length;
      expect(a.summary, what).toBe(b.summary);
      expect(stored(viaWatchman), what).toEqual(stored(walked));
    }
    // Only the .gitignore round must walk; edits ran jobs on the watchman path.
    expect(viaWatchmanRounds).toBe(KINDS.length);
    expect(ranTotal).toBeGreaterThan(4);
    // Nothing changed: watchman says so, nothing runs, and nothing is stored anew.
    const quiet = await runOnce(viaWatchman, wEnv);
    expect(quiet.scan).toMatch(/^scan asked watchman \(0 changed names/);
    expect(quiet.ran).toEqual([]);
  }, 120_000);

  test('issue 17: a settled no-op asks watchman: no change since the clock is the tree as stored; an edit, even one that keeps the mtime, runs its job', async () => {
    const w = await startWatchman();
    const sb = layout();
    const env = watchmanEnv(w);
    expect((await runOnce(sb, env)).ran.length).toBe(16);
    // The run after the jobs plans in full (watchman asked) and leaves the settled mark; the next one uses it.
    expect((await runOnce(sb, env)).scan).toMatch(/^scan asked watchman \(0 changed names/);
    const settled = await runOnce(sb, env);
    expect(settled.scan).toMatch(/^scan found the tree as the last run left it \(watchman names no change/);
    expect(settled.ran).toEqual([]);

    const f1 = path.join(sb.tree, 'd1/f1.txt');
    const before = fs.statSync(f1);
    fs.writeFileSync(f1, 'FILE 1/1\n'); // same size, its mtime put back
    fs.utimesSync(f1, before.atime, before.mtime);
    const edited = await runOnce(sb, env);
    expect(edited.scan).toMatch(/^scan asked watchman \(1 changed name/);
    expect(edited.ran).toEqual(['d1/f1.txt']);
    expect((await runOnce(sb, env)).ran).toEqual([]);
    const again = await runOnce(sb, env);
    expect(again.scan).toMatch(/^scan found the tree as the last run left it/);
    expect(again.ran).toEqual([]);
  }, 60_000);

  test('issue 17: with watchman asked, a no-op keeps the javascript graph (its cookie in the root changes no listing), and an edit still re-runs its importers', async () => {
    const w = await startWatchman();
    const sb = jsDepsTree(ABC);
    const env = watchmanEnv(w);
    /** A run that asked watchman (its -v line says so), after the first, which walks: the jobs that ran. */
    const run = async (): Promise<string[]> => {
      const r = await runOnce(sb, env);
      expect(r.scan, show(r.res)).toMatch(/^scan asked watchman /);
      return r.ran;
    };
    /** A --json run: how many files' imports it resolved again (0: the kept graph held). */
    const resolved = async (): Promise<number | undefined> => {
      const { res, json } = await runJson<{ counts: { ran: number }; deps: Record<string, { resolved?: number }> }>(
        ['run'],
        { cwd: sb.tree, env },
      );
      expect(res.code, show(res)).toBe(0);
      expect(json.counts.ran).toBe(0);
      return json.deps.javascript?.resolved;
    };
    expect((await runOnce(sb, env)).ran).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts']);
    // The first no-op may resolve again (a directory read within its racy margin); the next ones reuse the graph.
    expect(await run()).toEqual([]);
    for (let i = 0; i < 2; i++) {
      expect(await run()).toEqual([]);
      expect(await resolved()).toBe(0);
    }
    appendText(sb, 'src/b.ts', '// edited\n');
    expect(await run()).toEqual(['src/a.ts', 'src/b.ts']);
    writeText(sb, 'src/d.ts', "import { c } from './c';\nexport const d = c;\n");
    expect(await run()).toEqual(['src/d.ts']);
    appendText(sb, 'src/c.ts', '// edited\n');
    expect(await run()).toEqual(['src/c.ts', 'src/d.ts']);
  }, 60_000);

  test('issue 17: with watchman asked, a no-op keeps the python graph, and an edit still re-runs its importers', async () => {
    const w = await startWatchman();
    const sb = useFixture('python-deps');
    for (const name of fs.readdirSync(sb.tree))
      if (name !== '.runnerrc.json') fs.rmSync(path.join(sb.tree, name), { recursive: true });
    writeText(sb, 'pkg/__init__.py', '');
    writeText(sb, 'pkg/a.py', 'from pkg import b\n');
    writeText(sb, 'pkg/b.py', 'X = 1\n');
    writeText(sb, 'pkg/c.py', 'Y = 1\n');
    writeConfig(sb, {
      include: ['pkg/**/*.py'],
      env: { PROBE_DIR: sb.scratch },
      tools: [probeTool({ deps: 'python' })],
    });
    const env = watchmanEnv(w);
    const run = async (): Promise<string[]> => {
      const r = await runOnce(sb, env);
      expect(r.scan, show(r.res)).toMatch(/^scan asked watchman /);
      return r.ran;
    };
    /** A --json run: whether the last run's python graph was kept (nothing it was built from changed). */
    const kept = async (): Promise<boolean | undefined> => {
      const { res, json } = await runJson<{ counts: { ran: number }; deps: Record<string, { kept?: boolean }> }>(
        ['run'],
        { cwd: sb.tree, env },
      );
      expect(res.code, show(res)).toBe(0);
      expect(json.counts.ran).toBe(0);
      return json.deps.python?.kept;
    };
    expect((await runOnce(sb, env)).ran).toEqual(['pkg/__init__.py', 'pkg/a.py', 'pkg/b.py', 'pkg/c.py']);
    // The first no-op may build the graph again (a file or directory read within its racy margin); the next keep it.
    expect(await run()).toEqual([]);
    for (let i = 0; i < 2; i++) {
      expect(await run()).toEqual([]);
      expect(await kept()).toBe(true);
    }
    appendText(sb, 'pkg/b.py', '# edited\n');
    expect(await run()).toEqual(['pkg/a.py', 'pkg/b.py']);
    writeText(sb, 'pkg/d.py', 'from pkg import c\n');
    expect(await run()).toEqual(['pkg/d.py']);
    appendText(sb, 'pkg/c.py', '# edited\n');
    expect(await run()).toEqual(['pkg/c.py', 'pkg/d.py']);
  }, 60_000);

  test('issue 17: a restarted watchman (a fresh instance) makes the scan walk, and an edit made while it was down re-runs its job', async () => {
    const w = await startWatchman();
    const sb = layout();
    const env = watchmanEnv(w);
    await runOnce(sb, env);
    expect((await runOnce(sb, env)).scan).toMatch(/^scan asked watchman/);
    await w.stop();
    writeText(sb, 'd1/f2.txt', 'edited while watchman was down\n');
    await w.start();
    const after = await runOnce(sb, env);
    // The new server watches the tree again from its state file: the stored clock is of another instance.
    expect(after.scan).toBe('scan walked the tree (watchman: a fresh instance (restarted, or recrawled))');
    expect(after.ran).toEqual(['d1/f2.txt']);
    // The walk stored a clock of the new instance: asked again, with nothing to run.
    const next = await runOnce(sb, env);
    expect(next.scan).toMatch(/^scan asked watchman \(0 changed names/);
    expect(next.ran).toEqual([]);
    writeText(sb, 'd2/f0.txt', 'edited with watchman up again\n');
    const edited = await runOnce(sb, env);
    expect(edited.scan).toMatch(/^scan asked watchman/);
    expect(edited.ran).toEqual(['d2/f0.txt']);
  }, 60_000);

  test('issue 17: a watchman that is not running makes the scan walk, and the run passes', async () => {
    const w = await startWatchman();
    const sb = layout();
    const env = watchmanEnv(w);
    await runOnce(sb, env);
    await w.stop();
    writeText(sb, 'd0/f0.txt', 'edited with no watchman running\n');
    // WATCHMAN_SOCK names a server runner never starts: the CLI fails, and the scan walks.
    const r = await runOnce(sb, env);
    expect(r.scan).toMatch(/^scan walked the tree \(watchman: .* without an answer \(no server at WATCHMAN_SOCK=/);
    expect(r.ran).toEqual(['d0/f0.txt']);
  }, 60_000);
});

test('issue 17: the config\'s "watchman": false, and a tree under 2,000 files, walk without asking watchman', async () => {
  const sb = layout();
  // No server is named: were watchman asked, the scan's line would say so.
  const { RUNNER_WATCHMAN: _unset, ...unset } = baseEnv();
  const small = await runOnce(sb, unset);
  expect(small.scan).toBe('scan walked the tree (fewer than 2000 tracked files (RUNNER_WATCHMAN=1 asks anyway))');
  const config = readConfig(sb);
  writeConfig(sb, { ...config, watchman: false });
  const off = await runOnce(sb, baseEnv({ RUNNER_WATCHMAN: '1' }));
  expect(off.scan).toBe('scan walked the tree (the config says "watchman": false)');
  expect(off.ran).toEqual([]);
});

test('issue 17: without watchman on PATH the scan walks, and an edit re-runs its job', async () => {
  const sb = layout();
  // Only node on PATH (the probe tool is a node script).
  const bin = path.join(sb.scratch, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const env = baseEnv({ PATH: bin, RUNNER_WATCHMAN: '1' });
  const first = await runOnce(sb, env);
  expect(first.scan).toBe('scan walked the tree (watchman is not on PATH)');
  writeText(sb, 'd3/f1.txt', 'edited\n');
  const r = await runOnce(sb, env);
  expect(r.scan).toBe('scan walked the tree (watchman is not on PATH)');
  expect(r.ran).toEqual(['d3/f1.txt']);
});
