// Tools that write files declare `outputs` (issue 16, point 3): a passed job's
// outputs are kept in the state directory and put back on a hit instead of
// running the job again; one the tool did not write fails the job. The tool
// here is a compile-like shell command (it upper-cases FILE into FILE.o) that
// appends each file it runs on to $COUNT, so each test counts what really ran.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { Manifest } from '../../src/manifest/index.js';
import type { RelPath } from '../../src/types.js';
import { describe, expect, test } from 'vitest';
import { type RunJson, baseEnv, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { waitForCycle } from '../helpers/watch-cycles.js';
import { REPO, type Sandbox, type ToolDef, readText, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

const REPORT_SCHEMA = JSON.parse(
  fs.readFileSync(path.join(REPO, 'schema', 'run-report.schema.json'), 'utf8'),
) as object;
const validateReport = new Ajv({ allErrors: true, strict: true }).compile(REPORT_SCHEMA);

const CC: ToolDef = {
  name: 'cc',
  command: 'echo {file} >> "$COUNT"; tr a-z A-Z < {file} > {file}.o',
  // src/** takes the tool's own outputs too: they must not become its jobs.
  include: ['src/**'],
  outputs: ['{file}.o'],
};

function setup(tool: ToolDef = CC): Sandbox {
  const sb = useFixture('staged-demo');
  writeText(sb, 'src/a.c', 'int a;\n');
  writeText(sb, 'src/b.c', 'int b;\n');
  writeConfig(sb, { env: { COUNT: path.join(sb.scratch, 'count') }, tools: [tool] });
  return sb;
}

/** One run with --json: its result and the files the tool really ran on, sorted. */
async function run(
  sb: Sandbox,
  opts: { withoutDac?: boolean } = {},
): Promise<{ json: RunJson; ran: string[]; code: number | null; stderr: string }> {
  const count = path.join(sb.scratch, 'count');
  fs.rmSync(count, { force: true });
  const { res, json, printed } = await runJson(['run'], { cwd: sb.tree, env: baseEnv(), ...opts });
  // Every --json this prints, restored counts and outputs-missing reasons included, keeps to its schema.
  expect(validateReport(printed), JSON.stringify(validateReport.errors)).toBe(true);
  const ran = fs.existsSync(count) ? fs.readFileSync(count, 'utf8').split('\n').filter(Boolean).sort() : [];
  return { json, ran, code: res.code, stderr: res.stderr };
}

const restoredOf = (json: RunJson): number | undefined => (json.counts as { restored?: number }).restored;
const blobs = (sb: Sandbox): string[] =>
  fs.readdirSync(path.join(sb.tree, '.runner', 'outputs')).filter((n) => /^[0-9a-f]{32}$/.test(n));
const lists = (sb: Sandbox): string[] =>
  fs.readdirSync(path.join(sb.tree, '.runner', 'outputs', 'lists')).filter((n) => n.endsWith('.json'));

describe('issue 16: tools that write files declare outputs', () => {
  test('a compile-like tool writing its outputs into the tree is a no-op on its second run', async () => {
    const sb = setup();
    const first = await run(sb);
    expect(first.code, first.stderr).toBe(0);
    expect(first.ran).toEqual(['src/a.c', 'src/b.c']);
    expect(readText(sb, 'src/a.c.o')).toBe('INT A;\n');
    const second = await run(sb);
    expect(second.code, second.stderr).toBe(0);
    // The .o files are in the tree and under the tool's include, yet no job of it: nothing ran, nothing restored.
    expect(second.ran).toEqual([]);
    expect(second.json.counts).toMatchObject({ jobs: 2, fresh: 2, ran: 0 });
    expect(restoredOf(second.json)).toBeUndefined();
  });

  test('deleted or changed outputs are restored from the store without running the tool', async () => {
    const sb = setup();
    expect((await run(sb)).ran).toEqual(['src/a.c', 'src/b.c']);
    fs.rmSync(path.join(sb.tree, 'src/a.c.o'));
    writeText(sb, 'src/b.c.o', 'garbage\n');
    const again = await run(sb);
    expect(again.code, again.stderr).toBe(0);
    expect(again.ran).toEqual([]);
    expect(readText(sb, 'src/a.c.o')).toBe('INT A;\n');
    expect(readText(sb, 'src/b.c.o')).toBe('INT B;\n');
    expect(restoredOf(again.json)).toBe(2);
    expect(again.json.counts).toMatchObject({ jobs: 2, fresh: 2, ran: 0 });
    // Its mode is kept too: an output made executable is put back as the tool left it.
    fs.chmodSync(path.join(sb.tree, 'src/a.c.o'), 0o755);
    const mode = await run(sb);
    expect(mode.ran).toEqual([]);
    expect(fs.statSync(path.join(sb.tree, 'src/a.c.o')).mode & 0o777).toBe(0o644);
    expect(restoredOf(mode.json)).toBe(1);
  });

  test('the summary counts the jobs whose outputs were restored', async () => {
    const sb = setup();
    await run(sb);
    fs.rmSync(path.join(sb.tree, 'src/a.c.o'));
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    // The summary goes to stdout when no --json takes it.
    expect(res.stdout).toMatch(
      /runner: 2 jobs: 0 ran \(0 passed, 0 failed\), 0 cached failures, 2 fresh \(1 with outputs restored\) in /,
    );
  });

  test('a watch puts back an output deleted under it, without running the tool', async () => {
    const sb = setup();
    const w = startRunner(['watch', '--json', '--debounce', '100'], { cwd: sb.tree, env: baseEnv() });
    type Cycle = RunJson & { cycle: number };
    expect((await waitForCycle<Cycle>(w, 1, 30_000)).counts).toMatchObject({ ran: 2, passed: 2 });
    fs.rmSync(path.join(sb.tree, 'src/a.c.o'));
    const second = await waitForCycle<Cycle>(w, 2, 30_000);
    expect(second.counts).toMatchObject({ ran: 0, fresh: 2, restored: 1 });
    expect(readText(sb, 'src/a.c.o')).toBe('INT A;\n');
    w.child.kill('SIGINT');
    expect((await w.result).code).toBe(130);
    expect(fs.readFileSync(path.join(sb.scratch, 'count'), 'utf8')).toBe('src/a.c\nsrc/b.c\n');
  });

  test('an output the tool did not write fails its job, with a log naming the missing output', async () => {
    const sb = setup({
      ...CC,
      command: 'echo {file} >> "$COUNT"; grep -q NOOUT {file} || tr a-z A-Z < {file} > {file}.o',
    });
    writeText(sb, 'src/b.c', 'NOOUT\n');
    const first = await run(sb);
    expect(first.code).toBe(1);
    expect(first.ran).toEqual(['src/a.c', 'src/b.c']);
    const b = first.json.jobs.find((j) => j.file === 'src/b.c')!;
    expect(b.status).toBe('failed');
    expect(fs.readFileSync(path.resolve(sb.tree, b.log!), 'utf8')).toContain(
      'runner: cc did not write its output src/b.c.o (declared in "outputs")',
    );
    expect(first.json.jobs.find((j) => j.file === 'src/a.c')!.status).toBe('passed');
    // A fact about the tool: recorded, so the next run reports it as a cached failure and runs nothing.
    const second = await run(sb);
    expect(second.ran).toEqual([]);
    expect(second.json.jobs.map((j) => [j.file, j.status])).toEqual([['src/b.c', 'cached-failure']]);
  });

  test('a revert restores the earlier outputs from the history without running the tool', async () => {
    const sb = setup();
    await run(sb);
    writeText(sb, 'src/a.c', 'int a = 2;\n');
    expect((await run(sb)).ran).toEqual(['src/a.c']);
    expect(readText(sb, 'src/a.c.o')).toBe('INT A = 2;\n');
    writeText(sb, 'src/a.c', 'int a;\n');
    const reverted = await run(sb);
    expect(reverted.code, reverted.stderr).toBe(0);
    expect(reverted.ran).toEqual([]);
    expect(readText(sb, 'src/a.c.o')).toBe('INT A;\n');
    expect(restoredOf(reverted.json)).toBe(1);
  });

  test('when the stored copy is gone too, the job runs again (never a skip with missing outputs)', async () => {
    const sb = setup();
    await run(sb);
    fs.rmSync(path.join(sb.tree, 'src/a.c.o'));
    for (const blob of blobs(sb)) fs.rmSync(path.join(sb.tree, '.runner', 'outputs', blob));
    const again = await run(sb);
    expect(again.code, again.stderr).toBe(0);
    // b.c's outputs are still on disk as its result left them: a hit. a.c's are nowhere: it runs.
    expect(again.ran).toEqual(['src/a.c']);
    expect(again.json.jobs.find((j) => j.file === 'src/a.c')!.reasons).toEqual(['outputs-missing']);
    expect(readText(sb, 'src/a.c.o')).toBe('INT A;\n');
  });

  test("changing a tool's outputs re-runs its jobs", async () => {
    const sb = setup();
    await run(sb);
    writeConfig(sb, { env: { COUNT: path.join(sb.scratch, 'count') }, tools: [{ ...CC, outputs: ['{file}.*'] }] });
    const again = await run(sb);
    expect(again.ran).toEqual(['src/a.c', 'src/b.c']);
    expect(again.json.jobs[0]!.reasons).toEqual(['tool-config']);
  });

  test("a batch tool keeps and restores each file's outputs", async () => {
    const sb = setup({
      name: 'cc',
      command: 'for f in {files}; do echo "$f" >> "$COUNT"; tr a-z A-Z < "$f" > "$f.o"; done',
      include: ['src/**'],
      outputs: ['{file}.o'],
    });
    expect((await run(sb)).ran).toEqual(['src/a.c', 'src/b.c']);
    fs.rmSync(path.join(sb.tree, 'src/b.c.o'));
    const again = await run(sb);
    expect(again.ran).toEqual([]);
    expect(readText(sb, 'src/b.c.o')).toBe('INT B;\n');
    expect(restoredOf(again.json)).toBe(1);
  });

  test('outputs of results no longer kept are swept from the store', async () => {
    const sb = setup();
    await run(sb);
    for (let i = 1; i <= 5; i++) {
      writeText(sb, 'src/a.c', `int a = ${i};\n`);
      expect((await run(sb)).ran).toEqual(['src/a.c']);
    }
    // a.c keeps its last 4 results (RESULT_HISTORY), b.c its one: each with its list of outputs.
    expect(lists(sb)).toHaveLength(5);
    // Blobs no kept list names go when the results are next folded (as stray logs do): b.c's results go
    // (the tool no longer takes it), which folds them when the run ends.
    writeConfig(sb, { env: { COUNT: path.join(sb.scratch, 'count') }, tools: [{ ...CC, include: ['src/a.*'] }] });
    writeText(sb, 'src/a.c', 'int a = 6;\n');
    expect((await run(sb)).ran).toEqual(['src/a.c']);
    expect(lists(sb)).toHaveLength(4);
    expect(blobs(sb)).toHaveLength(4);
  });

  test('kept outputs count toward the kept-size budget of logs', async () => {
    const sb = setup();
    await run(sb);
    const m = Manifest.open(path.join(sb.tree, '.runner', 'manifest.db'));
    try {
      // The tool prints nothing (no log): what the result counts is its output, "INT A;\n".
      expect(m.history('cc', 'src/a.c' as RelPath)[0]!.logBytes).toBe(7);
    } finally {
      m.close();
    }
  });

  test('outputs runner cannot keep (its state directory read-only) fail no job: not recorded, run again', async () => {
    const sb = setup();
    const store = path.join(sb.tree, '.runner', 'outputs');
    fs.mkdirSync(store, { recursive: true });
    fs.chmodSync(store, 0o555);
    const first = await run(sb, { withoutDac: true });
    fs.chmodSync(store, 0o755);
    expect(first.stderr).toMatch(
      /runner: warning: cc src\/a\.c: could not keep its outputs \(.*\); not recorded, it runs again next time/,
    );
    expect(first.ran).toEqual(['src/a.c', 'src/b.c']);
    const second = await run(sb);
    expect(second.code, second.stderr).toBe(0);
    expect(second.ran).toEqual(['src/a.c', 'src/b.c']);
  });

  test('g++ -c with a depfile: a deleted object file comes back from the store, and a changed header recompiles', async () => {
    const sb = setup({
      name: 'cxx',
      command:
        'echo {file} >> "$COUNT"; mkdir -p "build/$(dirname {file})" && g++ -c {file} -o build/{file}.o -MD -MF build/{file}.d',
      include: ['src/**/*.cpp'],
      deps: 'depfile',
      depfile: 'build/{file}.d',
      outputs: ['build/{file}.o'],
    });
    writeText(sb, 'src/util.h', 'inline int twice(int x) { return 2 * x; }\n');
    writeText(sb, 'src/main.cpp', '#include "util.h"\nint main() { return twice(0); }\n');
    const first = await run(sb);
    expect(first.code, first.stderr).toBe(0);
    expect(first.ran).toEqual(['src/main.cpp']);
    const object = path.join(sb.tree, 'build/src/main.cpp.o');
    const compiled = fs.readFileSync(object);
    fs.rmSync(path.join(sb.tree, 'build'), { recursive: true });
    const again = await run(sb);
    expect(again.code, again.stderr).toBe(0);
    expect(again.ran).toEqual([]);
    expect(restoredOf(again.json)).toBe(1);
    expect(fs.readFileSync(object).equals(compiled)).toBe(true);
    writeText(sb, 'src/util.h', 'inline int twice(int x) { return x + x; }\n');
    expect((await run(sb)).ran).toEqual(['src/main.cpp']);
  });

  test('a code generator writing a glob of files gets each of them back', async () => {
    const sb = setup({
      name: 'gen',
      command: ['python3', '-c', GENERATOR, '{file}'],
      include: ['schema/*.txt'],
      outputs: ['gen/*.py'],
    });
    writeText(sb, 'schema/names.txt', 'alpha\nbeta\n');
    const first = await run(sb);
    expect(first.code, first.stderr).toBe(0);
    expect(first.ran).toEqual(['schema/names.txt']);
    fs.rmSync(path.join(sb.tree, 'gen/beta.py'));
    writeText(sb, 'gen/alpha.py', 'changed by hand\n');
    const again = await run(sb);
    expect(again.ran).toEqual([]);
    expect(readText(sb, 'gen/alpha.py')).toBe('ALPHA = "alpha"\n');
    expect(readText(sb, 'gen/beta.py')).toBe('BETA = "beta"\n');
  });
});

/** Writes gen/<name>.py for each line of its file, and appends the file to $COUNT. */
const GENERATOR = [
  'import os, sys',
  'open(os.environ["COUNT"], "a").write(sys.argv[1] + "\\n")',
  'os.makedirs("gen", exist_ok=True)',
  'for name in open(sys.argv[1]).read().split():',
  '    open(f"gen/{name}.py", "w").write(f\'{name.upper()} = "{name}"\\n\')',
].join('\n');
