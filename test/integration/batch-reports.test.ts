// What reports say of a batch tool's chunks (issue 14): --json and JUnit name
// the process that judged each file, a dry run lists the chunks a run would
// start, and a file judged together with others says so in the failure
// summary and in explain. Real runs of bin/runner with python3 as the tool.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { BIN, type ExplainJson, type RunJson, baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { spawnCollect } from '../helpers/jobserver.js';
import { parseJunit } from '../helpers/junit.js';
import { type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';
import { LOGGED_PY_COMPILE, loggedProcesses } from '../helpers/batch-probe.js';

/** Appends "$*" (the files, space-separated) as one line per process, then compiles them. */
const COMPILE = LOGGED_PY_COMPILE;

/** pkg/m1.py … pkg/mN.py, the `broken` ones with a syntax error; config keys beside `tools`. */
function tree(n: number, broken: number[], config: Record<string, unknown> = {}, tools?: unknown[]): Sandbox {
  const sb = useFixture('python-demo');
  for (let i = 1; i <= n; i++) writeText(sb, `pkg/m${i}.py`, broken.includes(i) ? 'def broken(:\n' : `X = ${i}\n`);
  writeConfig(sb, {
    include: ['pkg/**/*.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: tools ?? [{ name: 'compile', command: COMPILE }],
    ...config,
  });
  return sb;
}

const processes = loggedProcesses;

interface ChunkJson {
  id: string;
  files: number;
  narrowing: string | null;
}
type ChunkedRunJson = Omit<RunJson, 'jobs'> & {
  jobs: (RunJson['jobs'][number] & { chunk?: ChunkJson })[];
  chunks?: Record<string, { id: string; files: string[] }[]>;
};

const chunkOf = (json: ChunkedRunJson, tool: string): Record<string, ChunkJson | null> =>
  Object.fromEntries(json.jobs.filter((j) => j.tool === tool).map((j) => [j.file, j.chunk ?? null]));

test('issue 14: --json and JUnit name the process that judged each file: its chunk, or the process narrowing it; each file its own testcase and log', async () => {
  const sb = tree(8, [3, 6], {}, [
    { name: 'compile', command: COMPILE },
    { name: 'single', command: ['python3', '-m', 'py_compile', '{file}'], include: ['pkg/m1.py'] },
  ]);
  const junit = path.join(sb.scratch, 'junit.xml');
  const { res, json } = await runJson<ChunkedRunJson>(['run', '-j', '2', '--junit', junit], {
    cwd: sb.tree,
    env: baseEnv(),
  });
  expect(res.code, show(res)).toBe(1);
  // Two chunks of four; each failed chunk narrowed until its failing file stands alone (ids: the Kth process narrowing it).
  expect(chunkOf(json, 'compile')).toEqual({
    'pkg/m1.py': { id: 'compile#1.1', files: 2, narrowing: 'compile#1' },
    'pkg/m2.py': { id: 'compile#1.1', files: 2, narrowing: 'compile#1' },
    'pkg/m3.py': { id: 'compile#1.2', files: 1, narrowing: 'compile#1' },
    'pkg/m4.py': { id: 'compile#1.3', files: 1, narrowing: 'compile#1' },
    'pkg/m5.py': { id: 'compile#2.2', files: 1, narrowing: 'compile#2' },
    'pkg/m6.py': { id: 'compile#2.3', files: 1, narrowing: 'compile#2' },
    'pkg/m7.py': { id: 'compile#2.4', files: 2, narrowing: 'compile#2' },
    'pkg/m8.py': { id: 'compile#2.4', files: 2, narrowing: 'compile#2' },
  });
  // A one-file tool's job is its own process: no chunk.
  expect(json.jobs.find((j) => j.tool === 'single')).not.toHaveProperty('chunk');
  // What the chunks say matches the processes that ran: one per id, each given its files.
  const byId = new Map<string, string[]>();
  for (const j of json.jobs) if (j.chunk !== undefined) byId.set(j.chunk.id, [...(byId.get(j.chunk.id) ?? []), j.file]);
  const ran = processes(sb);
  for (const files of byId.values()) expect(ran).toContain(files.join(' '));

  const doc = parseJunit(junit);
  const compile = doc.suites.find((s) => s.name === 'compile')!;
  expect(compile.cases.map((c) => c.name).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `pkg/m${i}.py`));
  const caseOf = (name: string) => compile.cases.find((c) => c.name === name)!;
  // Each failing file has its own testcase, with the output of the process that judged it alone.
  for (const [mine, other] of [
    ['pkg/m3.py', 'pkg/m6.py'],
    ['pkg/m6.py', 'pkg/m3.py'],
  ] as const) {
    const c = caseOf(mine);
    expect(c.outcome).toMatchObject({ tag: 'failure', message: 'exit 1' });
    expect(c.outcome!.text).toContain(`File "${mine}"`);
    expect(c.outcome!.text).not.toContain(other);
  }
  expect(caseOf('pkg/m3.py').details).toMatchObject({
    chunk: 'compile#1.2',
    chunkFiles: '1',
    chunkNarrowing: 'compile#1',
  });
  expect(caseOf('pkg/m7.py').details).toMatchObject({ chunk: 'compile#2.4', chunkFiles: '2' });
  expect(caseOf('pkg/m7.py').outcome).toBeNull();
  const single = doc.suites.find((s) => s.name === 'single')!.cases[0]!;
  expect(Object.keys(single.details)).not.toContain('chunk');
});

/** A tool that fails only when pkg/a.py and pkg/b.py are in one process: each alone passes. */
function clashTree(): Sandbox {
  const sb = useFixture('python-demo');
  for (const f of ['a', 'b', 'c']) writeText(sb, `pkg/${f}.py`, `${f.toUpperCase()} = 1\n`);
  const script = path.join(sb.scratch, 'clash.py');
  fs.writeFileSync(
    script,
    "import sys\nif 'pkg/a.py' in sys.argv and 'pkg/b.py' in sys.argv:\n" +
      "    print('clash: pkg/a.py and pkg/b.py together')\n    sys.exit(1)\n",
  );
  writeConfig(sb, { include: ['pkg/**/*.py'], tools: [{ name: 'clash', command: ['python3', script, '{files}'] }] });
  return sb;
}

test('issue 14: files that fail only together: the failure lines, the summary and explain say each was judged in one process with the other, and show that output', async () => {
  const sb = clashTree();
  const res = await runRunner(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(1);
  const note = "judged in chunk clash#1.1 with 1 other file: its log is that process's whole output";
  for (const f of ['pkg/a.py', 'pkg/b.py']) {
    // The live line names the file, says how it was judged, and shows the output that judged it.
    expect(res.stdout).toMatch(
      new RegExp(
        `FAIL clash ${f} \\(exit 1, [\\d.]+s\\)\\n  \\(${note}\\)\\n  \\| clash: pkg/a.py and pkg/b.py together\\n`,
      ),
    );
    expect(res.stdout).toMatch(new RegExp(`\\n  FAIL clash ${f} \\(exit 1, [\\d.]+s\\) log: \\S+\\n    ${note}\\n`));
  }
  expect(res.stdout).not.toMatch(/FAIL clash pkg\/c\.py/);

  const explained = await runRunner(['explain', 'pkg/a.py'], { cwd: sb.tree, env: baseEnv() });
  expect(explained.code, show(explained)).toBe(0);
  expect(explained.stdout).toContain(
    "    note: last judged in one process (a batch chunk) with 1 other file: its log is that process's whole output\n",
  );
  const c = await runJson<ExplainJson & { tools: { last: { logShares: number | null } }[] }>(['explain', 'pkg/c.py'], {
    cwd: sb.tree,
    env: baseEnv(),
  });
  // c.py passed alone and wrote nothing: no log, nothing shared.
  expect(c.json.tools[0]!.last!.logShares).toBeNull();
  const a = await runJson<ExplainJson & { tools: { last: { logShares: number | null } }[] }>(['explain', 'pkg/a.py'], {
    cwd: sb.tree,
    env: baseEnv(),
  });
  expect(a.json.tools[0]!.last!.logShares).toBe(2);

  const forced = await runJson<ChunkedRunJson>(['run', '-j', '1', '--force'], { cwd: sb.tree, env: baseEnv() });
  expect(forced.res.code, show(forced.res)).toBe(1);
  // The three files' chunk failed, so did its half a+b, while a and b each passed alone: the half judged them.
  expect(chunkOf(forced.json, 'clash')).toEqual({
    'pkg/a.py': { id: 'clash#1.1', files: 2, narrowing: 'clash#1' },
    'pkg/b.py': { id: 'clash#1.1', files: 2, narrowing: 'clash#1' },
    'pkg/c.py': { id: 'clash#1.4', files: 1, narrowing: 'clash#1' },
  });
});

test('issue 14: --dry-run lists the chunks a run would start, cut as the run cuts them (config jobs, -j, maxFiles)', async () => {
  const sb = tree(10, [], { jobs: 3 });
  const dry = await runRunner(['run', '--dry-run'], { cwd: sb.tree, env: baseEnv() });
  expect(dry.code, show(dry)).toBe(0);
  const list = (ids: number[]): string => ids.map((i) => `    pkg/m${i}.py (new)\n`).join('');
  // By path: m1, m10, m2, … (code-unit order).
  expect(dry.stdout).toBe(
    'would run compile in 3 chunks (one process each):\n' +
      '  compile#1 (4 files):\n' +
      list([1, 10, 2, 3]) +
      '  compile#2 (3 files):\n' +
      list([4, 5, 6]) +
      '  compile#3 (3 files):\n' +
      list([7, 8, 9]) +
      'runner: dry run: 10 jobs: 10 would run, 0 cached failures, 0 fresh\n',
  );
  expect(processes(sb)).toEqual([]);

  const j2 = await runJson<ChunkedRunJson>(['run', '--dry-run', '-j', '2'], { cwd: sb.tree, env: baseEnv() });
  expect(j2.res.code, show(j2.res)).toBe(0);
  const planned = j2.json.chunks!.compile!;
  expect(planned.map((c) => c.id)).toEqual(['compile#1', 'compile#2']);
  expect(j2.json.jobs.every((j) => j.chunk !== undefined && j.chunk.files === 5 && j.chunk.narrowing === null)).toBe(
    true,
  );

  // The real run under the same token count starts exactly those processes.
  const real = await runJson<ChunkedRunJson>(['run', '-j', '2'], { cwd: sb.tree, env: baseEnv() });
  expect(real.res.code, show(real.res)).toBe(0);
  expect(processes(sb).sort()).toEqual(planned.map((c) => c.files.join(' ')).sort());
  expect(real.json).not.toHaveProperty('chunks');

  writeConfig(sb, {
    include: ['pkg/**/*.py'],
    env: { PROBE_DIR: sb.scratch },
    jobs: 3,
    tools: [{ name: 'compile', command: COMPILE, maxFiles: 2 }],
  });
  const bounded = await runJson<ChunkedRunJson>(['run', '--dry-run', '--force'], { cwd: sb.tree, env: baseEnv() });
  expect(bounded.json.chunks!.compile!.map((c) => c.files.length)).toEqual([2, 2, 2, 2, 2]);
});

test("issue 14: under make -n -j4 a dry run's chunks follow make's -j4, not the config's jobs", async () => {
  const sb = tree(8, [], { jobs: 3 });
  const out = path.join(sb.scratch, 'dry.json');
  fs.writeFileSync(
    path.join(sb.scratch, 'Makefile'),
    `all:\n\t+${process.execPath} ${BIN} -C ${sb.tree} run --json > ${out}\n`,
  );
  const res = await spawnCollect('make', ['-n', '-j4'], { cwd: sb.scratch, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const json = JSON.parse(fs.readFileSync(out, 'utf8')) as ChunkedRunJson;
  expect(json).toMatchObject({ dryRun: true });
  expect(json.chunks!.compile!.map((c) => c.files.length)).toEqual([2, 2, 2, 2]);
  expect(processes(sb)).toEqual([]);
});
