// `runner config`, config discovery, and bad configs: exit 2, one error line naming
// the key, and the state left exactly as it was.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show, type RunJson } from '../helpers/cli.js';
import { readConfig, useFixture, writeConfig, writeText, type ConfigDef, type Sandbox } from '../helpers/sandbox.js';

interface BadConfig {
  name: string;
  mutate: (config: ConfigDef) => void;
  stderr: RegExp;
}

const BAD_CONFIGS: BadConfig[] = [
  {
    name: 'an unknown tool key',
    mutate: (c) => {
      c.tools[0]!.comand = c.tools[0]!.command;
    },
    stderr:
      /^runner: error: \.runnerrc\.json: unknown key "tools\[0\]\.comand"; expected one of: [^\n]*command[^\n]*\n$/,
  },
  {
    name: 'an unknown top-level key',
    mutate: (c) => {
      c.jobz = 4;
    },
    stderr: /^runner: error: \.runnerrc\.json: unknown key "jobz"; expected one of: [^\n]*jobs[^\n]*\n$/,
  },
  {
    name: 'a timeout of the wrong type',
    mutate: (c) => {
      c.tools[0]!.timeout = '2m';
    },
    stderr:
      /^runner: error: \.runnerrc\.json: tools\[0\]\.timeout is "2m"; expected a positive number of seconds, e\.g\. 120\n$/,
  },
  {
    name: 'issue 14: a command with both {file} and {files}',
    mutate: (c) => {
      c.tools[0]!.command = ['python3', '-m', 'py_compile', '{file}', '{files}'];
    },
    stderr:
      /^runner: error: \.runnerrc\.json: tools\[0\]\.command is \[[^\n]*\]; expected a command with either "\{file\}" \(one file per process\) or "\{files\}" \(many\), not both \(tool "syntax"\)\n$/,
  },
  {
    name: 'issue 14: maxFiles that is no positive whole number',
    mutate: (c) => {
      c.tools[0]!.command = ['python3', '-m', 'py_compile', '{files}'];
      c.tools[0]!.maxFiles = 0;
    },
    stderr:
      /^runner: error: \.runnerrc\.json: tools\[0\]\.maxFiles is 0; expected a positive whole number of files, e\.g\. 100\n$/,
  },
  {
    name: 'issue 14: a failure pattern without a group named file',
    mutate: (c) => {
      c.tools[0]!.command = ['python3', '-m', 'py_compile', '{files}'];
      c.tools[0]!.failurePattern = '^([^:]+):\\d+:';
    },
    stderr:
      /^runner: error: \.runnerrc\.json: tools\[0\]\.failurePattern is "\^\(\[\^:\]\+\):\\\\d\+:"; expected a regular expression with a group named "file", [^\n]*; this one has no group named "file" \(tool "syntax"\)\n$/,
  },
  {
    name: 'empty tools',
    mutate: (c) => {
      c.tools = [];
    },
    stderr: /^runner: error: \.runnerrc\.json: tools is \[\]; expected [^\n]+\n$/,
  },
  {
    name: 'a duplicate tool name',
    mutate: (c) => {
      c.tools[1]!.name = 'syntax';
    },
    stderr: /^runner: error: \.runnerrc\.json: tools\[1\]\.name is "syntax"; expected [^\n]+\n$/,
  },
  {
    name: 'passEnv that is not an array',
    mutate: (c) => {
      c.passEnv = 'PATH' as unknown as string[];
    },
    stderr: /^runner: error: \.runnerrc\.json: passEnv is "PATH"; expected [^\n]+\n$/,
  },
];

function manifestPath(sb: Sandbox): string {
  return path.join(sb.tree, '.runner', 'manifest.db');
}

describe('a bad config exits 2 with one line naming the key', () => {
  test.each(BAD_CONFIGS)('$name, and creates no database', async ({ mutate, stderr }) => {
    const sb = useFixture('python-demo');
    const config = readConfig(sb);
    mutate(config);
    writeConfig(sb, config);

    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(stderr);
    expect(fs.existsSync(manifestPath(sb))).toBe(false);
  });

  test('each bad config leaves the database of a previous good run byte-identical', async () => {
    const sb = useFixture('python-demo');
    const good = readConfig(sb);
    const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.code, show(first)).toBe(0);
    const before = fs.readFileSync(manifestPath(sb));
    const logsBefore = fs.readdirSync(path.join(sb.tree, '.runner', 'logs')).sort();

    for (const bad of BAD_CONFIGS) {
      const config = structuredClone(good);
      bad.mutate(config);
      writeConfig(sb, config);
      const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
      expect(res.code, `${bad.name}\n${show(res)}`).toBe(2);
      expect(fs.readFileSync(manifestPath(sb)).equals(before), `${bad.name}: manifest.db changed`).toBe(true);
      expect(fs.readdirSync(path.join(sb.tree, '.runner', 'logs')).sort()).toEqual(logsBefore);
    }

    writeConfig(sb, good);
    const again = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(again.res.code, show(again.res)).toBe(0);
    expect(again.json.counts.ran).toBe(0);
  });

  test('with --json, stdout holds the error object and stderr the error line', async () => {
    const sb = useFixture('python-demo');
    const config = readConfig(sb);
    config.tools[0]!.timeout = '2m';
    writeConfig(sb, config);

    const res = await runRunner(['run', '--json'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    const json = JSON.parse(res.stdout) as RunJson;
    expect(json).toMatchObject({ command: 'run', exitCode: 2, error: { kind: 'config' } });
    expect(json.error!.message).toContain('tools[0].timeout is "2m"');
    expect(res.stderr).toBe(
      'runner: error: .runnerrc.json: tools[0].timeout is "2m"; expected a positive number of seconds, e.g. 120\n',
    );
  });

  test('a source tree without any config exits 2 with an error line', async () => {
    const sb = useFixture('python-demo');
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/^runner: error: [^\n]+\n$/);
    expect(fs.existsSync(manifestPath(sb))).toBe(false);
  });

  test('a tool whose executable is not found exits 2 naming it, and writes no state', async () => {
    const sb = useFixture('python-demo');
    const config = readConfig(sb);
    config.tools[1]!.command = ['no-such-tool-xyz', '{file}'];
    writeConfig(sb, config);
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/^runner: error: [^\n]*"no-such-tool-xyz"[^\n]*\n$/);
    expect(fs.existsSync(manifestPath(sb))).toBe(false);
  });

  test('invalid JSON in .runnerrc.json exits 2 naming the file', async () => {
    const sb = useFixture('python-demo');
    writeText(sb, '.runnerrc.json', '{ "tools": [ }\n');
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/^runner: error: [^\n]*\.runnerrc\.json[^\n]*\n$/);
  });
});

describe('runner config', () => {
  test('prints the resolved config as JSON, defaults filled in', async () => {
    const sb = useFixture('python-demo');
    const res = await runRunner(['config'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    const config = JSON.parse(res.stdout) as ConfigDef;
    for (const key of [
      'include',
      'exclude',
      'whitelist',
      'stateDir',
      'env',
      'passEnv',
      'passThroughEnv',
      'mergeEnv',
      'addSourceTreeToPythonPath',
      'jobs',
      'failFast',
      'mergedLog',
      'quiet',
      'tools',
    ]) {
      expect(config, `resolved config has ${key}`).toHaveProperty(key);
    }
    expect(config.include).toEqual(['**/*.py']);
    expect(config.env).toEqual({ LANG: 'C.UTF-8' });
    expect(config.passEnv).toEqual([]);
    expect(config.passThroughEnv).toEqual(['PATH', 'HOME']);
    expect(config.addSourceTreeToPythonPath).toBe(true);
    expect(config.mergeEnv).toBe(false);
    expect(config.stateDir).toBe('.runner');
    expect(config.tools.map((t) => t.name)).toEqual(['syntax', 'style', 'test']);
    expect(config.tools[1]).toMatchObject({ exclude: ['tools/**'], inputs: ['setup.cfg'] });
    expect(config.tools[2]).toMatchObject({
      command: 'python3 -B -m unittest {file}',
      include: ['tests/test_*.py'],
      timeout: 60,
    });
    for (const tool of config.tools) {
      for (const key of ['include', 'exclude', 'inputs', 'deps', 'depfile', 'timeout', 'pty']) {
        expect(tool, `tool ${tool.name} has ${key}`).toHaveProperty(key);
      }
    }
    expect(fs.existsSync(manifestPath(sb))).toBe(false);
  });

  test('config --dump prints the default config: valid JSON with a tools key', async () => {
    const sb = useFixture('python-demo');
    const res = await runRunner(['config', '--dump'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    const config = JSON.parse(res.stdout) as ConfigDef;
    expect(Array.isArray(config.tools)).toBe(true);
    expect(config.tools.length).toBeGreaterThan(0);
    expect(config.passEnv).toEqual([]);
    expect(config.passThroughEnv).toEqual(['PATH', 'HOME']);
  });

  test('config --dump works where no config exists yet, so its output can start one', async () => {
    const sb = useFixture('python-demo');
    const res = await runRunner(['config', '--dump'], { cwd: sb.scratch, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    const dumped = JSON.parse(res.stdout) as ConfigDef;
    expect(Array.isArray(dumped.tools)).toBe(true);
  });

  test('the config --dump output is itself a valid config', async () => {
    const sb = useFixture('python-demo');
    const res = await runRunner(['config', '--dump'], { cwd: sb.scratch, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    fs.writeFileSync(path.join(sb.scratch, '.runnerrc.json'), res.stdout);
    const check = await runRunner(['config'], { cwd: sb.scratch, env: baseEnv() });
    expect(check.code, show(check)).toBe(0);
  });

  test('-c FILE uses that config instead of the discovered one', async () => {
    const sb = useFixture('python-demo');
    const alt = path.join(sb.scratch, 'alt.json');
    fs.writeFileSync(
      alt,
      JSON.stringify({ include: ['calc/*.py'], tools: [{ name: 'only', command: ['true', '{file}'] }] }),
    );
    const res = await runRunner(['config', '-c', alt], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    const config = JSON.parse(res.stdout) as ConfigDef;
    expect(config.tools.map((t) => t.name)).toEqual(['only']);

    const run = await runJson(['run', '-c', alt], { cwd: sb.tree, env: baseEnv() });
    expect(run.res.code, show(run.res)).toBe(0);
    expect(run.json.counts.ran).toBe(3);
  });

  const DISCOVERED: { file: string; write: (sb: Sandbox, config: ConfigDef) => void }[] = [
    {
      file: 'package.json#runner',
      write: (sb, config) =>
        writeText(sb, 'package.json', JSON.stringify({ name: 'demo', private: true, runner: config }, null, 2)),
    },
    {
      file: '.runnerrc.yaml',
      write: (sb, config) =>
        writeText(
          sb,
          '.runnerrc.yaml',
          [
            'include:',
            ...(config.include as string[]).map((g) => `  - "${g}"`),
            'tools:',
            ...config.tools.map((t) => `  - name: ${t.name}\n    command: ${JSON.stringify(t.command)}`),
            '',
          ].join('\n'),
        ),
    },
    {
      file: 'runner.config.js',
      write: (sb, config) =>
        writeText(sb, 'runner.config.js', `module.exports = ${JSON.stringify(config, null, 2)};\n`),
    },
  ];

  test.each(DISCOVERED)('discovers the config in $file', async ({ write }) => {
    const sb = useFixture('python-demo');
    const config = readConfig(sb);
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    write(sb, config);

    const res = await runRunner(['config'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    const resolved = JSON.parse(res.stdout) as ConfigDef;
    expect(resolved.tools.map((t) => t.name)).toEqual(['syntax', 'style', 'test']);
    expect(resolved.tools[0]!.command).toEqual(config.tools[0]!.command);
  });
});
