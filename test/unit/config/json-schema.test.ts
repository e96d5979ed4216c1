// The JSON Schema shipped for editors (schema/config.schema.json) says what
// runner's validator says: every config the fixtures, the README, the
// documented default and `runner init` use passes it, and the configs the
// validator rejects for a bad key or type are rejected by it too.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_NAME, SCHEMA_FILE, SCHEMA_REF, documentedDefault } from '../../../src/config/index.js';
import { TOOL_KEYS, TOP_LEVEL_KEYS } from '../../../src/config/schema.js';
import { decideStarter } from '../../../src/init/index.js';
import { SCHEMA_PATH, schemaVerdict, validatorVerdict } from '../../helpers/config-schema.js';
import { FIXTURES, REPO } from '../../helpers/sandbox.js';

function expectBothAccept(config: unknown, where: string): void {
  expect(validatorVerdict(config), where).toEqual({ ok: true, message: '' });
  expect(schemaVerdict(config), where).toEqual({ ok: true, errors: '' });
}

/** Every fixture's config file (found where cosmiconfig would look). */
function fixtureConfigs(): [string, unknown][] {
  return fs.readdirSync(FIXTURES).flatMap((name): [string, unknown][] => {
    const dir = path.join(FIXTURES, name);
    const out: [string, unknown][] = [];
    for (const file of fs.readdirSync(dir)) {
      const abs = path.join(dir, file);
      if (file === '.runnerrc.json') out.push([`${name}/${file}`, JSON.parse(fs.readFileSync(abs, 'utf8'))]);
      if (file === 'package.json') {
        const pkg = JSON.parse(fs.readFileSync(abs, 'utf8')) as { runner?: unknown };
        if (pkg.runner !== undefined) out.push([`${name}/package.json`, pkg.runner]);
      }
    }
    return out;
  });
}

/** The README's configs: each JSON code block, and each line of a code block that is one tool as JSON. */
function readmeConfigs(): [string, unknown][] {
  const text = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const out: [string, unknown][] = [];
  for (const m of text.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
    const [, lang, body] = m;
    const candidates = lang === 'json' ? [body!] : body!.split('\n');
    for (const c of candidates) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(c);
      } catch {
        continue; // prose, a shell line, a shortened example ("...")
      }
      if (typeof parsed !== 'object' || parsed === null) continue;
      if ('tools' in parsed) out.push([`README: ${c.slice(0, 60)}`, parsed]);
      else if ('name' in parsed && 'command' in parsed) out.push([`README: ${c.slice(0, 60)}`, { tools: [parsed] }]);
    }
  }
  return out;
}

describe('the config JSON Schema', () => {
  it('issue 15: is a valid draft-07 schema that ajv compiles in strict mode', () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as { $schema: string };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schemaVerdict({ tools: [{ name: 'a', command: ['a'] }] }).ok).toBe(true);
  });

  it('issue 15: names exactly the keys the validator takes, at the top and in a tool', () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as {
      properties: object;
      definitions: { tool: { properties: object } };
    };
    expect(Object.keys(schema.properties).sort()).toEqual([...TOP_LEVEL_KEYS].sort());
    expect(Object.keys(schema.definitions.tool.properties).sort()).toEqual([...TOOL_KEYS].sort());
  });

  it('issue 15: accepts every fixture config and every config and tool the README shows', () => {
    const fixtures = fixtureConfigs();
    const readme = readmeConfigs();
    expect(fixtures.length).toBeGreaterThanOrEqual(9);
    expect(readme.length).toBeGreaterThanOrEqual(3);
    for (const [where, config] of [...fixtures, ...readme]) expectBothAccept(config, where);
  });

  it("issue 15: accepts `runner config --dump`'s documented default, nulls and all", () => {
    expectBothAccept(documentedDefault(), 'config --dump');
  });

  it('issue 15: accepts every starter config runner init writes', () => {
    const listings = [
      ['a.py', 'tests/test_a.py'],
      ['src/a.ts', 'test/a.test.mjs', 'lib/b.js'],
      ['a.py', 'a_test.py', 'web/x.tsx', 'web/x.test.ts'],
      ['m.mjs'],
    ];
    for (const files of listings) {
      for (const nodeRunsTypeScript of [false, true]) {
        const { config } = decideStarter(
          {
            files,
            venvs: ['.venv'],
            tsconfig: { compilerOptions: { strict: true, lib: ['es2022'], outDir: 'dist' } },
            hasLocalTsc: true,
            tscMajor: null,
            typeInputs: ['node_modules/@types'],
            nodeRunsTypeScript,
          },
          SCHEMA_REF,
        );
        expectBothAccept(config, files.join(' '));
      }
    }
  });

  const tool = { name: 'lint', command: ['flake8', '{file}'] };
  const batch = { name: 'compile', command: ['python3', '-m', 'py_compile', '{files}'] };
  // Each is rejected by the validator (checked below); the schema must say so too.
  it.each<[string, unknown]>([
    ['not an object', ['tools']],
    ['no tools', {}],
    ['empty tools', { tools: [] }],
    ['an unknown top-level key', { tools: [tool], colour: true }],
    ['an unknown tool key', { tools: [{ ...tool, comand: 'x' }] }],
    ['$schema not a string', { $schema: 3, tools: [tool] }],
    ['include a string', { tools: [tool], include: '**/*.py' }],
    ['exclude climbing out', { tools: [tool], exclude: ['../x'] }],
    ['an absolute glob', { tools: [tool], include: ['/etc/**'] }],
    ['an empty glob', { tools: [tool], include: [''] }],
    ['whitelist with a glob', { tools: [tool], whitelist: ['src/*.py'] }],
    ['whitelist a number', { tools: [tool], whitelist: 3 }],
    ['stateDir empty', { tools: [tool], stateDir: '' }],
    ['env a string', { tools: [tool], env: 'X=1' }],
    ['env a bad name', { tools: [tool], env: { 'A-B': '1' } }],
    ['env a number', { tools: [tool], env: { X: 1 } }],
    ['env with a NUL', { tools: [tool], env: { X: 'a\0b' } }],
    ['passEnv a bad name', { tools: [tool], passEnv: ['1X'] }],
    ['passThroughEnv a string', { tools: [tool], passThroughEnv: 'PATH' }],
    ['mergeEnv a string', { tools: [tool], mergeEnv: 'yes' }],
    ['jobs 0', { tools: [tool], jobs: 0 }],
    ['jobs 1.5', { tools: [tool], jobs: 1.5 }],
    ['jobs too many', { tools: [tool], jobs: 4_194_305 }],
    ['failFast a number', { tools: [tool], failFast: 1 }],
    ['mergedLog empty', { tools: [tool], mergedLog: '' }],
    ['quiet a string', { tools: [tool], quiet: 'true' }],
    ['ignoreUnresolved a relative path', { tools: [tool], ignoreUnresolved: ['./x'] }],
    ['a tool not an object', { tools: ['lint'] }],
    ['a tool without a name', { tools: [{ command: ['x'] }] }],
    ['a tool without a command', { tools: [{ name: 'lint' }] }],
    ['a bad tool name', { tools: [{ ...tool, name: 'my tool' }] }],
    ['an empty command', { tools: [{ ...tool, command: [] }] }],
    ['a blank command string', { tools: [{ ...tool, command: '  ' }] }],
    ['an empty program', { tools: [{ ...tool, command: ['', '{file}'] }] }],
    ['a number in a command', { tools: [{ ...tool, command: ['x', 3] }] }],
    ['a NUL in a command', { tools: [{ ...tool, command: 'a\0b {file}' }] }],
    ['deps unknown', { tools: [{ ...tool, deps: 'ruby' }] }],
    ['depfile without deps depfile', { tools: [{ ...tool, depfile: 'b/{file}.d' }] }],
    ['deps depfile without a depfile', { tools: [{ ...tool, deps: 'depfile' }] }],
    ['an absolute depfile', { tools: [{ ...tool, deps: 'depfile', depfile: '/tmp/{file}.d' }] }],
    ['timeout a string', { tools: [{ ...tool, timeout: '2m' }] }],
    ['timeout 0', { tools: [{ ...tool, timeout: 0 }] }],
    ['timeout past Node timers', { tools: [{ ...tool, timeout: 2_147_484 }] }],
    ['pty a string', { tools: [{ ...tool, pty: 'yes' }] }],
    ['maxFiles on a one-file tool', { tools: [{ ...tool, maxFiles: 10 }] }],
    ['maxFiles 0', { tools: [{ ...batch, maxFiles: 0 }] }],
    ['{file} beside {files}', { tools: [{ ...batch, command: ['x', '{file}', '{files}'] }] }],
    ['a batch tool with a trace', { tools: [{ ...batch, deps: 'trace' }] }],
    ['failurePattern on a one-file tool', { tools: [{ ...tool, failurePattern: '^(?<file>.*):' }] }],
    ['failurePattern without a file group', { tools: [{ ...batch, failurePattern: '^(.*):' }] }],
    ['serial and jobs', { tools: [{ ...tool, serial: true, jobs: 2 }] }],
    ['serial a string', { tools: [{ ...tool, serial: 'true' }] }],
    ['tool jobs 0', { tools: [{ ...tool, jobs: 0 }] }],
    ['tool env a bad name', { tools: [{ ...tool, env: { 'a b': 'x' } }] }],
    ['issue 16: outputs a string', { tools: [{ ...tool, outputs: 'build/{file}.o' }] }],
    ['issue 16: an output climbing out', { tools: [{ ...tool, outputs: ['../{file}.o'] }] }],
    ['issue 16: an absolute output', { tools: [{ ...tool, outputs: ['/tmp/{file}.o'] }] }],
    ["issue 16: the job's own file as its output", { tools: [{ ...tool, outputs: ['{file}'] }] }],
    ['issue 16: an output named with {files}', { tools: [{ ...batch, outputs: ['{files}.o'] }] }],
    ['issue 14: narrowing on a one-file tool', { tools: [{ ...tool, narrowing: 4 }] }],
    ['issue 14: narrowing -1', { tools: [{ ...batch, narrowing: -1 }] }],
    ['issue 14: narrowing 2.5', { tools: [{ ...batch, narrowing: 2.5 }] }],
    ['issue 14: narrowing a string', { tools: [{ ...batch, narrowing: '8' }] }],
  ])('issue 15: rejects what the validator rejects: %s', (_what, config) => {
    expect(validatorVerdict(config).ok).toBe(false);
    expect(schemaVerdict(config).ok).toBe(false);
  });

  it('issue 15: ships in the package, and "$schema" names it under the package\'s own name', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      name: string;
      files: string[];
    };
    expect(pkg.name).toBe(PACKAGE_NAME);
    expect(pkg.files).toContain(SCHEMA_FILE.split('/')[0]);
    expect(SCHEMA_REF).toBe(`./node_modules/${pkg.name}/${SCHEMA_FILE}`);
  });
});
