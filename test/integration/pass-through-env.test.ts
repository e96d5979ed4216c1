// PATH and HOME reach the tools without being latched (passThroughEnv): what a
// tool resolves through PATH is latched itself, so a PATH that only gained a
// harmless directory (npx, npm run, a venv) re-runs nothing.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { type ExplainJson, baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { PROBED_JOBS, PY_FILES } from '../helpers/python-demo.js';
import { addProbe, probeEnvOf, readProbeLog } from '../helpers/probe.js';
import { passingRun } from '../helpers/runs.js';
import { type Sandbox, useFixture, writeConfig } from '../helpers/sandbox.js';

/** A PATH with an extra directory first, as `npx`, `npm run` or an activated venv make it; it holds nothing the tools run. */
function widerPath(sb: Sandbox): Record<string, string> {
  const bin = path.join(sb.scratch, 'venv', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'unrelated-helper'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return baseEnv({ PATH: `${bin}:${baseEnv().PATH}` });
}

test('issue 10: a run with another PATH (an extra directory first) from a subdirectory with -C re-runs nothing', async () => {
  const sb = useFixture('python-demo');
  addProbe(sb);
  await passingRun(sb);

  const env = widerPath(sb);
  const { res, json } = await runJson(['run', '-C', '..'], { cwd: path.join(sb.tree, 'calc'), env });
  expect(res.code, show(res)).toBe(0);
  expect(readProbeLog(sb).started).toEqual([]);
  expect(json.counts.fresh).toBe(PROBED_JOBS.length);

  // The tools still see the caller's PATH and HOME when they do run.
  const forced = await runRunner(['run', '--force', '--tool', 'probe', 'calc/ops.py'], { cwd: sb.tree, env });
  expect(forced.code, show(forced)).toBe(0);
  expect(probeEnvOf(sb, 'calc/ops.py').PATH).toBe(env.PATH);
  expect(probeEnvOf(sb, 'calc/ops.py').HOME).toBe(env.HOME);
});

test('issue 10: with "passEnv": ["PATH"] another PATH re-runs every job, and explain says env PATH changed', async () => {
  const sb = useFixture('python-demo');
  const config = addProbe(sb);
  config.passEnv = ['PATH'];
  writeConfig(sb, config);
  await passingRun(sb);

  const env = widerPath(sb);
  const text = await runRunner(['explain', 'calc/ops.py'], { cwd: sb.tree, env });
  expect(text.code, show(text)).toBe(0);
  expect(text.stdout).toContain('env PATH changed');
  const explained = await runJson<ExplainJson>(['explain', 'calc/ops.py'], { cwd: sb.tree, env });
  for (const tool of explained.json.tools.filter((t) => t.state !== 'not-selected')) {
    expect(tool.reasons, tool.tool).toContainEqual(expect.objectContaining({ kind: 'env', name: 'PATH' }));
  }

  const { res, json } = await runJson(['run'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(0);
  expect(readProbeLog(sb).started.sort()).toEqual(PY_FILES);
  expect(json.counts.ran).toBe(PROBED_JOBS.length);
});

test('a variable in neither passEnv nor passThroughEnv does not reach the tools', async () => {
  const sb = useFixture('python-demo');
  const config = addProbe(sb);
  config.passThroughEnv = ['PATH', 'TMPDIR'];
  writeConfig(sb, config);
  await passingRun(sb, baseEnv({ TMPDIR: sb.scratch }));
  const seen = probeEnvOf(sb, 'calc/ops.py');
  expect(seen.TMPDIR).toBe(sb.scratch);
  expect(seen.HOME).toBeUndefined();
});

/** Two directories each holding a `lint` that logs which one ran; the tool's shell command runs `lint` second. */
function twoLints(sb: Sandbox): { a: Record<string, string>; b: Record<string, string>; ran: () => string[] } {
  const log = path.join(sb.scratch, 'lint.log');
  const env = (name: string): Record<string, string> => {
    const bin = path.join(sb.scratch, name);
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'lint'), `#!/bin/sh\necho ${name} >> ${JSON.stringify(log)}\n`, { mode: 0o755 });
    return baseEnv({ PATH: `${bin}:${baseEnv().PATH}` });
  };
  const ran = (): string[] =>
    fs.existsSync(log)
      ? fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
  return { a: env('a'), b: env('b'), ran };
}

test('issue 10: every program a shell command starts is latched: another `lint` on PATH, second in the command, re-runs the job', async () => {
  const sb = useFixture('python-demo');
  const lints = twoLints(sb);
  writeConfig(sb, {
    include: ['calc/ops.py'],
    tools: [{ name: 'lint', command: 'cat {file} > /dev/null && lint {file}' }],
  });
  expect((await runRunner(['run'], { cwd: sb.tree, env: lints.a })).code).toBe(0);
  expect((await runRunner(['run'], { cwd: sb.tree, env: lints.b })).code).toBe(0);
  expect(lints.ran()).toEqual(['a', 'b']);
  // A command runner cannot see into (a variable as the command) latches PATH itself.
  writeConfig(sb, {
    include: ['calc/ops.py'],
    env: { LINT: 'lint' },
    tools: [{ name: 'lint', command: '$LINT {file}' }],
  });
  expect((await runRunner(['run'], { cwd: sb.tree, env: lints.a })).code).toBe(0);
  expect((await runRunner(['run'], { cwd: sb.tree, env: lints.b })).code).toBe(0);
  expect(lints.ran()).toEqual(['a', 'b', 'a', 'b']);
});

test('issue 10: naming a variable in passThroughEnv changes what the tools see: their jobs re-run', async () => {
  const sb = useFixture('python-demo');
  const config = addProbe(sb);
  await passingRun(sb);
  config.passThroughEnv = ['PATH', 'HOME', 'STRICT'];
  writeConfig(sb, config);
  const { res, json } = await runJson(['run', '--tool', 'probe'], { cwd: sb.tree, env: baseEnv({ STRICT: '1' }) });
  expect(res.code, show(res)).toBe(0);
  expect(readProbeLog(sb).started.sort()).toEqual(PY_FILES);
  expect(json.counts.fresh).toBe(0);
});
