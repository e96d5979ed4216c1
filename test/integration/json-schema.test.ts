// The --json format's contract: every object `runner run --json` prints
// validates against the schema that ships in the package
// (schema/run-report.schema.json), which is strict enough that a renamed or
// added field fails; and it carries the format's version.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { gitOk, gitTestEnv, initRepo } from '../helpers/git.js';
import { addProbe } from '../helpers/probe.js';
import { REPO, appendText, readConfig, useFixture, writeConfig, writeText, type Sandbox } from '../helpers/sandbox.js';

const SCHEMA_FILE = path.join(REPO, 'schema', 'run-report.schema.json');
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));

/** The schema's complaints about one output ([] when it validates). */
function problems(json: unknown): string[] {
  return validate(json) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** What `runner run ARGS --json` printed, as printed (the fresh jobs included), once it exits with `code`. */
async function printed(sb: Sandbox, args: string[], code: number): Promise<Record<string, unknown>> {
  const { res, printed: json } = await runJson<Record<string, unknown>>(['run', ...args], {
    cwd: sb.tree,
    env: baseEnv(),
  });
  expect(res.code, show(res)).toBe(code);
  return json;
}

/** The fixture's tools, a probe failing on calc/ops.py, and a batch tool ({files}: one process per chunk). */
function suite(): Sandbox {
  const sb = useFixture('python-demo');
  addProbe(sb);
  appendText(sb, 'calc/ops.py', '# PROBE_FAIL\n');
  const config = readConfig(sb);
  config.tools.push({ name: 'compile', command: ['python3', '-m', 'py_compile', '{files}'], include: ['calc/*.py'] });
  writeConfig(sb, config);
  return sb;
}

describe('the --json schema', () => {
  test('issue 15: real outputs validate: a dry run, a failing batch run, its cached rerun, a passing run, an error', async () => {
    const sb = suite();
    const dry = await printed(sb, ['--dry-run'], 0);
    expect(dry).toHaveProperty('chunks.compile');
    expect(problems(dry)).toEqual([]);

    const failing = await printed(sb, ['--junit', path.join(sb.scratch, 'j.xml'), '--merged-log', 'merged.log'], 1);
    const jobs = failing.jobs as { chunk?: unknown; status: string }[];
    expect(jobs.some((j) => j.chunk !== undefined)).toBe(true);
    expect(jobs.some((j) => j.status === 'failed')).toBe(true);
    expect(problems(failing)).toEqual([]);

    const cached = await printed(sb, [], 1);
    const statuses = new Set(
      (cached.jobs as { status: string; cached: boolean }[]).map((j) => `${j.status} ${j.cached}`),
    );
    expect([...statuses].sort()).toEqual(['cached-failure true', 'passed true']);
    expect(problems(cached)).toEqual([]);

    writeText(sb, 'calc/ops.py', 'X = 1\n');
    const passing = await printed(sb, ['--tool', 'syntax'], 0);
    expect(problems(passing)).toEqual([]);

    const error = await printed(sb, ['--tool', 'nope'], 2);
    expect(error).toMatchObject({ command: 'run', version: 1, error: { kind: 'usage' } });
    expect(problems(error)).toEqual([]);

    for (const json of [dry, failing, cached, passing, error]) expect(json.version).toBe(1);
  });

  test('issue 16: a shard of an affected run validates, with its shard and what changed since the ref', async () => {
    const sb = suite();
    writeText(sb, '.gitignore', '.runner/\n__pycache__/\n');
    initRepo(sb.tree);
    gitOk(sb.tree, ['add', '-A']);
    gitOk(sb.tree, ['commit', '-q', '-m', 'initial']);
    writeText(sb, 'calc/new.py', 'VALUE = 1\n');
    const { res, printed: json } = await runJson<Record<string, unknown>>(
      ['run', '--since', 'HEAD', '--shard', '1/2'],
      { cwd: sb.tree, env: gitTestEnv() },
    );
    expect(res.code, show(res)).toBe(0);
    expect(json.shard).toMatchObject({ index: 1, count: 2 });
    expect(json.since).toMatchObject({ ref: 'HEAD', changed: ['calc/new.py'], deleted: [] });
    expect(problems(json)).toEqual([]);
  });

  test('issue 15: a renamed, added or missing field fails the schema', async () => {
    const sb = suite();
    const json = await printed(sb, [], 1);
    expect(problems(json)).toEqual([]);
    const job = (json.jobs as Record<string, unknown>[])[0]!;
    const { file, ...noFile } = job;
    const renamedJobField = { ...json, jobs: [{ ...noFile, path: file }] };
    expect(problems(renamedJobField).filter((p) => p.startsWith('/jobs'))).toEqual([
      "/jobs/0 must have required property 'file'",
      '/jobs/0 must NOT have additional properties',
    ]);
    const { fresh, ...counts } = json.counts as Record<string, unknown>;
    expect(problems({ ...json, counts: { ...counts, freshJobs: fresh } })).toContain(
      '/counts must NOT have additional properties',
    );
    const { version: _v, ...noVersion } = json;
    expect(problems(noVersion)).toContain(" must have required property 'version'");
    expect(problems({ ...json, version: 2 })).toContain('/version must be equal to constant');
    expect(problems({ ...json, jobs: [{ ...job, status: 'ok' }] })).toContain(
      '/jobs/0/status must be equal to one of the allowed values',
    );
  });
});

test('issue 15: the schema ships in the package', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { files: string[] };
  expect(pkg.files).toContain('schema');
});
