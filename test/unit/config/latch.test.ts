import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildToolEnvironment, latchTools, validateConfig } from '../../../src/config/index.js';

const base = {
  tools: [
    { name: 'a', command: ['sh', '-c', 'true'] },
    { name: 'b', command: 'echo {file}' },
  ],
};
const caller = { PATH: '/usr/bin:/bin', HOME: '/root', SECRET: 's3cret', MAKEFLAGS: ' -j4', UNRELATED: '1' };

function latch(raw: object, env: NodeJS.ProcessEnv = caller) {
  return latchTools({
    config: validateConfig(raw, 'f'),
    callerEnv: env,
    sourceTree: '/tmp',
    configDisplayFile: 'f',
    inputs: null,
  });
}

describe('buildToolEnvironment', () => {
  it('gives tools exactly env plus passEnv and passThroughEnv, and latches passEnv values only as hashes', () => {
    const c = validateConfig({ ...base, env: { LANG: 'C.UTF-8', P: ['/a', '/b'] }, passEnv: ['PATH', 'SECRET'] }, 'f');
    const { env, latch } = buildToolEnvironment(c, caller, '/src');
    expect(env).toEqual({ LANG: 'C.UTF-8', P: '/a:/b', PATH: '/usr/bin:/bin', SECRET: 's3cret', HOME: '/root' });
    expect(Object.keys(latch).sort()).toEqual(['LANG', 'P', 'PATH', 'SECRET']);
    expect(latch.LANG).toBe('=C.UTF-8');
    expect(latch.SECRET).toMatch(/^#[0-9a-f]{32}$/);
    expect(JSON.stringify(latch)).not.toContain('s3cret');
  });

  it('passes PATH and HOME through by default without latching them', () => {
    const c = validateConfig(base, 'f');
    const a = buildToolEnvironment(c, caller, '/src');
    const b = buildToolEnvironment(c, { ...caller, PATH: '/venv/bin:/usr/bin:/bin', HOME: '/home/other' }, '/src');
    expect(a.env).toEqual({ PATH: '/usr/bin:/bin', HOME: '/root' });
    expect(b.env.PATH).toBe('/venv/bin:/usr/bin:/bin');
    expect(a.latch).toEqual({});
    expect(b.latch).toEqual(a.latch);
  });

  it('latches a name listed in passEnv even though it is also passed through', () => {
    const c = validateConfig({ ...base, passEnv: ['PATH'] }, 'f');
    const a = buildToolEnvironment(c, caller, '/src');
    const b = buildToolEnvironment(c, { ...caller, PATH: '/venv/bin:/usr/bin:/bin' }, '/src');
    expect(b.env.PATH).toBe('/venv/bin:/usr/bin:/bin');
    expect(a.latch.PATH).toMatch(/^#/);
    expect(b.latch.PATH).not.toBe(a.latch.PATH);
    expect(buildToolEnvironment(c, { HOME: '/root' }, '/src').latch.PATH).toBe('unset');
  });

  it('tells an unset passEnv variable from an empty one', () => {
    const c = validateConfig({ ...base, passEnv: ['X'] }, 'f');
    const unset = buildToolEnvironment(c, {}, '/src').latch.X;
    const empty = buildToolEnvironment(c, { X: '' }, '/src').latch.X;
    expect(unset).toBe('unset');
    expect(empty).not.toBe(unset);
  });

  it('keeps the source tree path out of the latch but puts it first on PYTHONPATH', () => {
    const c = validateConfig({ ...base, addSourceTreeToPythonPath: true, env: { PYTHONPATH: 'lib' } }, 'f');
    const a = buildToolEnvironment(c, caller, '/one');
    const b = buildToolEnvironment(c, caller, '/two');
    expect(a.env.PYTHONPATH).toBe('/one:lib');
    expect(a.latch).toEqual(b.latch);
  });

  it('with mergeEnv lays the caller under the config but never MAKEFLAGS into the latch', () => {
    const c = validateConfig({ ...base, mergeEnv: true, env: { A: '1' } }, 'f');
    const { env, latch } = buildToolEnvironment(c, caller, '/src');
    expect(env.UNRELATED).toBe('1');
    expect(env.A).toBe('1');
    expect(env.MAKEFLAGS).toBeUndefined();
    expect(Object.keys(latch)).not.toContain('UNRELATED');
  });
});

describe('latchTools', () => {
  it("changes only the edited tool's latch when one tool's definition changes", () => {
    const before = latch(base);
    const after = latch({ tools: [base.tools[0], { name: 'b', command: 'echo -n {file}' }] });
    expect(after[0]!.latchId).toBe(before[0]!.latchId);
    expect(after[1]!.latchId).not.toBe(before[1]!.latchId);
  });

  it('latches "pty" (a terminal changes what a tool prints), the same whether left out or false', () => {
    const plain = latch(base);
    const explicit = latch({ tools: [{ ...base.tools[0], pty: false }, base.tools[1]] });
    const terminal = latch({ tools: [{ ...base.tools[0], pty: true }, base.tools[1]] });
    expect(explicit[0]!.latchId).toBe(plain[0]!.latchId);
    expect(terminal[0]!.latchId).not.toBe(plain[0]!.latchId);
    expect(terminal[0]!.latch.tool.pty).toBe(true);
    expect(terminal[1]!.latchId).toBe(plain[1]!.latchId);
  });

  it("does not latch the caller's TERM (a terminal job without one gets a fixed TERM)", () => {
    const raw = { tools: [{ ...base.tools[0], pty: true }] };
    expect(latch(raw, { ...caller, TERM: 'dumb' })[0]!.latchId).toBe(
      latch(raw, { ...caller, TERM: 'xterm' })[0]!.latchId,
    );
  });

  it('ignores an unrelated caller variable and reacts to a passEnv one', () => {
    const raw = { ...base, passEnv: ['PATH', 'SECRET'] };
    const a = latch(raw);
    expect(latch(raw, { ...caller, UNRELATED: '2' })[0]!.latchId).toBe(a[0]!.latchId);
    expect(latch(raw, { ...caller, SECRET: 'other' })[0]!.latchId).not.toBe(a[0]!.latchId);
  });

  it("does not let a tool's include/exclude into the latch: they choose jobs, not results", () => {
    const a = latch(base);
    const b = latch({ tools: [{ ...base.tools[0], include: ['**/*.py'] }, base.tools[1]] });
    expect(b[0]!.latchId).toBe(a[0]!.latchId);
  });

  it('records the executables a command runs, shell and first program included', () => {
    const [a, b] = latch(base);
    expect(a!.program).toMatch(/\/sh$/);
    expect(a!.latch.executables.map((e) => e.name)).toEqual(['sh']);
    expect(b!.shell).toBe(true);
    expect(b!.latch.executables.map((e) => e.name)).toEqual(['/bin/sh']); // echo is a shell word
  });

  it('identifies a program by content: the same bytes at two places give one latch id, and where it is shows outside it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-latch-'));
    try {
      const ids = ['one', 'two', 'three'].map((dir, i) => {
        fs.mkdirSync(path.join(root, dir, 'bin'), { recursive: true });
        fs.writeFileSync(path.join(root, dir, 'bin', 'lint'), `#!/bin/sh\nexit ${i === 2 ? 1 : 0}\n`, { mode: 0o755 });
        const [t] = latchTools({
          config: validateConfig({ tools: [{ name: 'l', command: ['bin/lint', '{file}'] }] }, 'f'),
          callerEnv: caller,
          sourceTree: path.join(root, dir),
          configDisplayFile: 'f',
          inputs: null,
        });
        expect(t!.latch.executables[0]!.where.path).toBe(path.join(root, dir, 'bin', 'lint'));
        return t!.latchId;
      });
      expect(ids[1]).toBe(ids[0]);
      expect(ids[2]).not.toBe(ids[0]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses a tool whose program is not on the tools' PATH, naming the PATH searched", () => {
    expect(() => latch({ tools: [{ name: 'x', command: ['no-such-program-here'] }] })).toThrow(
      /tool "x": executable "no-such-program-here" not found \(searched PATH=\/usr\/bin:\/bin/,
    );
  });
});
