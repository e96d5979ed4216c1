// Bad input answered with a clear message and exit 2 (never an internal error
// or silence), and the state a good run recorded left byte for byte as it was.
import fs from 'node:fs';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { baseEnv, runJson, runRunner, show, type RunOptions } from '../helpers/cli.js';
import { readProbeLog, probeTool } from '../helpers/probe.js';
import { type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

const GOOD = { include: ['calc/*.py'], tools: [{ name: 'cat', command: ['cat', '{file}'] }] };

function manifestOf(sb: Sandbox): Buffer {
  return fs.readFileSync(path.join(sb.tree, '.runner', 'manifest.db'));
}

/** A good run first; then `bad` is refused with exactly `stderr` and exit 2, and the recorded state is untouched. */
async function expectRefused(
  sb: Sandbox,
  bad: { config?: unknown; raw?: string; args?: string[]; opts?: Partial<RunOptions> },
  stderr: string | RegExp,
): Promise<void> {
  writeConfig(sb, GOOD);
  const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.code, show(first)).toBe(0);
  const before = manifestOf(sb);
  const logs = fs.readdirSync(path.join(sb.tree, '.runner')).sort();
  if (bad.raw !== undefined) writeText(sb, '.runnerrc.json', bad.raw);
  else if (bad.config !== undefined) writeConfig(sb, bad.config);
  const res = await runRunner(bad.args ?? ['run'], { cwd: sb.tree, env: baseEnv(), ...bad.opts });
  expect(res.code, show(res)).toBe(2);
  if (typeof stderr === 'string') expect(res.stderr).toBe(stderr);
  else expect(res.stderr).toMatch(stderr);
  expect(manifestOf(sb).equals(before), 'manifest.db changed').toBe(true);
  expect(fs.readdirSync(path.join(sb.tree, '.runner')).sort()).toEqual(logs);
}

const withTools = (top: Record<string, unknown>, tools: unknown[] = GOOD.tools): unknown => ({
  ...GOOD,
  ...top,
  tools,
});

// 9. Internal errors on bad input.

test('issue 12: a NUL byte in an env value is a config error naming the variable, not an internal error', async () => {
  const sb = useFixture('python-demo');
  await expectRefused(
    sb,
    { config: withTools({ env: { X: 'a\u0000b' } }) },
    'runner: error: .runnerrc.json: env.X is "a\\u0000b"; expected a value without a NUL byte (one is at character 2; a program\'s environment cannot hold one)\n',
  );
});

test('issue 12: a NUL byte in a command argument is a config error naming the argument', async () => {
  const sb = useFixture('python-demo');
  await expectRefused(
    sb,
    { config: withTools({}, [{ name: 'cat', command: ['cat', '-\u0000', '{file}'] }]) },
    'runner: error: .runnerrc.json: tools[0].command[1] is "-\\u0000"; expected a string without a NUL byte (one is at character 2; a program\'s arguments cannot hold one)\n',
  );
});

test('issue 12: an env value too large for the kernel is refused before any job, naming the variable and the limit', async () => {
  const sb = useFixture('python-demo');
  await expectRefused(
    sb,
    { config: withTools({ env: { BIG: 'x'.repeat(200_000) } }) },
    `runner: error: .runnerrc.json: env.BIG is "${'x'.repeat(60)}"... (200000 characters); expected a value of at most 131067 bytes ` +
      '(it has 200000; Linux passes no variable over 128 KiB, "BIG=" included, to a program: spawn fails with E2BIG)\n',
  );
});

test('issue 12: an environment too large in all is refused before any job, naming the tool and the largest variables', async () => {
  const sb = useFixture('python-demo');
  // 60 variables of 120 KB: 7 MB, past even the 6 MB cap of an unlimited stack.
  const env = Object.fromEntries(
    Array.from({ length: 60 }, (_, i) => [`V${String(i).padStart(2, '0')}`, 'x'.repeat(120_000)]),
  );
  await expectRefused(
    sb,
    { config: withTools({ env }) },
    new RegExp(
      '^runner: error: \\.runnerrc\\.json: tool "cat": its environment and command take about \\d+ bytes ' +
        '\\(the largest variables: V\\d\\d 120013 bytes, V\\d\\d 120013 bytes, V\\d\\d 120013 bytes\\); expected at most \\d+ bytes, ' +
        'what Linux passes to a program \\(a quarter of the stack limit, `ulimit -s`\\): every job would fail to start with E2BIG\\n$',
    ),
  );
});

test('issue 12: an unwritable --merged-log is refused before any job runs', async () => {
  const sb = useFixture('python-demo');
  const ro = path.join(sb.scratch, 'ro');
  fs.mkdirSync(ro);
  fs.chmodSync(ro, 0o555);
  const file = path.join(ro, 'merged.log');
  await expectRefused(
    sb,
    { args: ['run', '--merged-log', file], opts: { withoutDac: true } },
    `runner: error: --merged-log ${file}: cannot write in ${ro}; expected a file path in a writable directory\n`,
  );
  fs.chmodSync(ro, 0o755);
});

test('issue 12: an unwritable mergedLog in the config is refused before any job runs, naming the key', async () => {
  const sb = useFixture('python-demo');
  const ro = path.join(sb.scratch, 'ro');
  fs.mkdirSync(ro);
  fs.chmodSync(ro, 0o555);
  const file = path.join(ro, 'logs', 'merged.log');
  writeConfig(sb, { ...GOOD, env: { PROBE_DIR: sb.scratch }, mergedLog: file, tools: [probeTool()] });
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv(), withoutDac: true });
  fs.chmodSync(ro, 0o755);
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe(
    `runner: error: .runnerrc.json: mergedLog ${file}: cannot write in ${ro}; expected a file path in a writable directory\n`,
  );
  expect(readProbeLog(sb).started).toEqual([]);
  expect(fs.existsSync(path.join(sb.tree, '.runner'))).toBe(false);
});

test('issue 12: deeply nested JSON in the config is a config error naming where, not a stack overflow', async () => {
  const sb = useFixture('python-demo');
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  await expectRefused(
    sb,
    {
      raw: `{"include": ["calc/*.py"], "env": {"A": ${deep}}, "tools": [{"name": "cat", "command": ["cat", "{file}"]}]}`,
    },
    'runner: error: .runnerrc.json: env.A[0][0][0][0][0][0][0][0][0][0][0][0][0][... is nested too deeply (more than 32 levels); ' +
      "expected at most 32 levels (runner's config nests 4: tools[0].command[0])\n",
  );
});

test('issue 12: a JavaScript config that holds itself is a config error naming the key', async () => {
  const sb = useFixture('python-demo');
  writeConfig(sb, GOOD);
  const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.code, show(first)).toBe(0);
  const before = manifestOf(sb);
  fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
  writeText(sb, 'runner.config.cjs', `const c = ${JSON.stringify(GOOD)};\nc.tools[0].env = c;\nmodule.exports = c;\n`);
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe(
    'runner: error: runner.config.cjs: tools[0].env holds itself (the object it is in, or one above); ' +
      'expected plain values: objects, arrays, strings, numbers, true, false and null\n',
  );
  expect(manifestOf(sb).equals(before)).toBe(true);
});

// 10. Accepted silently before.

const OWN =
  'expected a directory of runner\'s own: a new or empty one, or one runner made (the default is .runner in the source tree) (set it with --state-dir DIR or "stateDir")';

test('issue 12: "stateDir": "/" is refused as the filesystem root, and nothing is written there', async () => {
  const sb = useFixture('python-demo');
  const rootManifest = fs.existsSync('/manifest.db');
  // A runner that takes "/" (as before issue 12) leaves manifest.db and logs/ there: take back what this test made.
  const made = ['/manifest.db', '/manifest.db-wal', '/manifest.db-shm', '/logs'].filter((p) => !fs.existsSync(p));
  onTestFinished(() => {
    for (const p of made) fs.rmSync(p, { recursive: true, force: true });
  });
  await expectRefused(
    sb,
    { config: withTools({ stateDir: '/' }) },
    `runner: error: state directory /: is the filesystem root; ${OWN}\n`,
  );
  expect(fs.existsSync('/manifest.db')).toBe(rootManifest);
});

test('issue 12: the home directory is refused as the state directory', async () => {
  const sb = useFixture('python-demo');
  const home = path.join(sb.scratch, 'home');
  fs.mkdirSync(home);
  await expectRefused(
    sb,
    { args: ['run', '--state-dir', home], opts: { env: baseEnv({ HOME: home }) } },
    `runner: error: state directory ${home}: is your home directory; ${OWN}\n`,
  );
  expect(fs.readdirSync(home)).toEqual([]);
});

test('issue 12: a tracked directory of the source tree is refused as the state directory: its files would stop being checked', async () => {
  const sb = useFixture('python-demo');
  await expectRefused(
    sb,
    { config: withTools({ stateDir: 'calc' }) },
    `runner: error: state directory ${path.join(sb.tree, 'calc')}: is a directory of the source tree that holds other files (__init__.py, ops.py, stats.py): ` +
      `runner never scans its state directory, so they would no longer be checked; ${OWN}\n`,
  );
  expect(fs.readdirSync(path.join(sb.tree, 'calc')).sort()).toEqual(['__init__.py', 'ops.py', 'stats.py']);
});

test('issue 12: a directory outside the source tree holding other files is refused; a new one outside is taken', async () => {
  const sb = useFixture('python-demo');
  const theirs = path.join(sb.scratch, 'theirs');
  fs.mkdirSync(theirs);
  fs.writeFileSync(path.join(theirs, 'notes.txt'), 'mine\n');
  await expectRefused(
    sb,
    { args: ['run', '--state-dir', theirs] },
    `runner: error: state directory ${theirs}: holds files that are not runner's (notes.txt); runner would write its own among them; ${OWN}\n`,
  );
  expect(fs.readdirSync(theirs)).toEqual(['notes.txt']);

  const fresh = path.join(sb.scratch, 'cache', 'runner');
  const { res, json } = await runJson(['run', '--state-dir', fresh], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.counts.ran).toBe(3);
  const again = await runJson(['run', '--state-dir', fresh], { cwd: sb.tree, env: baseEnv() });
  expect(again.json.counts.fresh).toBe(3);
});

test('issue 12: -j past the range of processes Linux can run is refused naming the value and the range', async () => {
  const sb = useFixture('python-demo');
  await expectRefused(
    sb,
    { args: ['run', '-j', '99999999999999999999'] },
    "runner: error: option '-j, --jobs <n>' argument '99999999999999999999' is invalid. " +
      'expected a whole number from 1 to 4194304 (the most processes Linux can run at once), e.g. -j 4\n',
  );
});

test('issue 12: "jobs" past the range in the config is refused naming the value and the range', async () => {
  const sb = useFixture('python-demo');
  await expectRefused(
    sb,
    { config: withTools({ jobs: 5_000_000 }) },
    'runner: error: .runnerrc.json: jobs is 5000000; expected a whole number from 1 to 4194304 (the most processes Linux can run at once), e.g. 4\n',
  );
});

test('issue 12: a program that is not executable is said to be so, not "not found" with the whole PATH (argv and shell forms)', async () => {
  const sb = useFixture('python-demo');
  writeText(sb, 'lint.sh', 'exit 0\n');
  fs.chmodSync(path.join(sb.tree, 'lint.sh'), 0o644);
  const script = path.join(sb.tree, 'lint.sh');
  const expected =
    `runner: error: .runnerrc.json: tool "cat": "./lint.sh" (${script}) is not executable; ` +
    `expected a program runner may run: \`chmod +x ${script}\`, or run it through its interpreter, e.g. ["sh", "./lint.sh", "{file}"]\n`;
  await expectRefused(sb, { config: withTools({}, [{ name: 'cat', command: ['./lint.sh', '{file}'] }]) }, expected);
  await expectRefused(sb, { config: withTools({}, [{ name: 'cat', command: './lint.sh {file}' }]) }, expected);
});

test('issue 12: a program found on PATH only as a file without the x bit is said to be not executable', async () => {
  const sb = useFixture('python-demo');
  const bin = path.join(sb.scratch, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'mylint'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
  await expectRefused(
    sb,
    { config: withTools({ env: { PATH: `${bin}:/usr/bin:/bin` } }, [{ name: 'cat', command: ['mylint', '{file}'] }]) },
    `runner: error: .runnerrc.json: tool "cat": "mylint" (${path.join(bin, 'mylint')}) is not executable; ` +
      `expected a program runner may run: \`chmod +x ${path.join(bin, 'mylint')}\`, or run it through its interpreter, e.g. ["sh", "mylint", "{file}"]\n`,
  );
});

test('issue 12: a JSON syntax error names its line and column', async () => {
  const sb = useFixture('python-demo');
  await expectRefused(
    sb,
    { raw: '{\n  "tools": [\n    {"name": "cat",, "command": ["cat", "{file}"]}\n  ]\n}\n' },
    'runner: error: .runnerrc.json:3:20: JSON syntax error: expected a double-quoted property name, found "," at line 3, column 20; expected valid JSON\n',
  );
  await expectRefused(
    sb,
    { raw: '{\n  "tools": [\n    {"name": "cat", "command": ["cat", "{file}"]}\n  ]\n}}\n' },
    'runner: error: .runnerrc.json:5:2: JSON syntax error: unexpected "}" after the JSON value at line 5, column 2; expected valid JSON\n',
  );
  await expectRefused(
    sb,
    { raw: '{"tools": [\n' },
    'runner: error: .runnerrc.json:2:1: JSON syntax error: unexpected end of the file (expected a value) at line 2, column 1; expected valid JSON\n',
  );
});

test('issue 12: a YAML syntax error names its line and column', async () => {
  const sb = useFixture('python-demo');
  writeConfig(sb, GOOD);
  fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
  writeText(sb, '.runnerrc.yaml', 'tools: [a\n  b: c\n');
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe(
    'runner: error: .runnerrc.yaml:2:4: YAML syntax error: missed comma between flow collection entries at line 2, column 4; expected valid YAML\n',
  );
});

test('issue 12: an empty config file is said to be empty, not missing (found, or given with -c)', async () => {
  const sb = useFixture('python-demo');
  const empty =
    'runner: error: .runnerrc.json: the file is empty; expected an object with a "tools" array (`runner config --dump` prints a template)\n';
  await expectRefused(sb, { raw: '' }, empty);
  await expectRefused(sb, { raw: '  \n' }, empty);
  await expectRefused(sb, { raw: '', args: ['run', '-c', '.runnerrc.json'] }, empty);
});

// 11. Names that are options or odd.

/** A tool that records the argument it was given, one per line, in $OUT. */
const RECORD_ARGV = ['sh', '-c', 'printf "%s\\n" "$1" >> "$OUT"', 'sh', '{file}'];

test('issue 12: a tracked file named --version is passed as ./--version, so the tool reads it instead of taking an option', async () => {
  const sb = useFixture('python-demo');
  writeText(sb, '--version', 'the file, not an option\n');
  const out = path.join(sb.scratch, 'argv');
  writeConfig(sb, {
    include: ['--version', 'calc/ops.py'],
    env: { OUT: out },
    tools: [
      { name: 'cat', command: ['cat', '{file}'] },
      { name: 'argv', command: RECORD_ARGV },
      { name: 'shell', command: 'printf "%s\\n" {file} >> "$OUT"' },
    ],
  });
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const cat = json.jobs.find((j) => j.tool === 'cat' && j.file === '--version')!;
  expect(fs.readFileSync(path.resolve(sb.tree, cat.log!), 'utf8')).toBe('the file, not an option\n');
  expect(
    fs
      .readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .sort(),
  ).toEqual(['./--version', './--version', 'calc/ops.py', 'calc/ops.py']);
});

test('issue 12: a file whose name holds a newline is tracked under every glob that matches its name', async () => {
  const sb = useFixture('python-demo');
  writeText(sb, 'calc/\nlead.py', 'x = 1\n');
  writeText(sb, 'calc/mid\ndle.py', 'x = 2\n');
  for (const include of ['calc/*.py', '**/*.py', 'calc/*', '**/*', '**']) {
    writeConfig(sb, {
      include: [include],
      exclude: ['**/__init__.py', '**/stats.py', '.runnerrc.json', 'setup.cfg', 'tests/**', 'tools/**'],
      tools: [{ name: 'cat', command: ['cat', '{file}'] }],
    });
    fs.rmSync(path.join(sb.tree, '.runner'), { recursive: true, force: true });
    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, `${include}\n${show(res)}`).toBe(0);
    expect(json.jobs.map((j) => j.file).sort(), include).toEqual(['calc/\nlead.py', 'calc/mid\ndle.py', 'calc/ops.py']);
  }
});

// 13. Secrets.

test('issue 12: a passEnv name that looks like a secret is warned of once per run, naming it and the fix', async () => {
  const sb = useFixture('python-demo');
  writeConfig(sb, { ...GOOD, passEnv: ['LANG', 'API_TOKEN', 'DB_PASSWORD', 'SIGNING_KEY', 'KEYBOARD'] });
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv({ API_TOKEN: '1234' }) });
  expect(res.code, show(res)).toBe(0);
  const warnings = res.stderr.split('\n').filter((l) => l.startsWith('runner: warning:'));
  expect(warnings).toEqual([
    'runner: warning: .runnerrc.json: passEnv API_TOKEN, DB_PASSWORD, SIGNING_KEY look like secrets: runner latches each value as a hash ' +
      'kept in the state directory, and a short value can be recovered from it; if they do not change results, move them to "passThroughEnv" ' +
      '(the tools still get the value, unlatched)',
  ]);
  // In the pass-through list the value still reaches the tools, and nothing is said.
  writeConfig(sb, { ...GOOD, passThroughEnv: ['PATH', 'HOME', 'API_TOKEN'] });
  const quiet = await runRunner(['run'], { cwd: sb.tree, env: baseEnv({ API_TOKEN: '1234' }) });
  expect(quiet.code, show(quiet)).toBe(0);
  expect(quiet.stderr).not.toContain('warning');
});
