import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProgramIds } from '../../../src/config/program-ids.js';
import { identifyProgram } from '../../../src/config/executable.js';
import { askAhead, consultedKey, recognizeShim } from '../../../src/config/shims.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-shims-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(rel: string, text: string): string {
  const abs = path.join(dir, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text, { mode: 0o755 });
  return abs;
}

function link(rel: string, target: string): string {
  const abs = path.join(dir, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.symlinkSync(target, abs);
  return abs;
}

function recognize(found: string): ReturnType<typeof recognizeShim> {
  const real = fs.realpathSync(found);
  return recognizeShim(found, real, new ProgramIds().factsOf(real)!);
}

describe('recognizeShim', () => {
  it.each([
    [
      'pyenv',
      '#!/usr/bin/env bash\nset -e\nexport PYENV_ROOT="/r/.pyenv"\nexec "/r/.pyenv/libexec/pyenv" exec "$program" "$@"\n',
      { manager: 'pyenv', dispatcher: '/r/.pyenv/libexec/pyenv', root: '/r/.pyenv' },
    ],
    [
      'rbenv',
      '#!/usr/bin/env bash\nexec "/r/.rbenv/libexec/rbenv" exec "$program" "$@"\n',
      { manager: 'rbenv', dispatcher: '/r/.rbenv/libexec/rbenv', root: '/r/.rbenv' },
    ],
    [
      'nodenv',
      '#!/usr/bin/env bash\nexec "/r/.nodenv/libexec/nodenv" exec "$program" "$@"\n',
      { manager: 'nodenv', dispatcher: '/r/.nodenv/libexec/nodenv', root: '/r/.nodenv' },
    ],
    [
      'asdf',
      '#!/usr/bin/env bash\n# asdf-plugin: python 3.12.1\nexec /r/.asdf/bin/asdf exec "python3" "$@"\n',
      { manager: 'asdf', dispatcher: '/r/.asdf/bin/asdf', root: null },
    ],
    ['a plain script', '#!/bin/sh\nexec python3 -m flake8 "$@"\n', null],
    ['a binary-looking file', '\x7fELF exec "/x/pyenv" exec y\n', null],
  ])('by content: %s', (name, text, want) => {
    expect(recognize(file(`content/${name}/python3`, text))).toEqual(want);
  });

  it('by what it links to: mise and volta link every shim to their own binary', () => {
    const mise = file('mise/bin/mise', 'binary');
    expect(recognize(link('mise/shims/python3', mise))).toEqual({ manager: 'mise', dispatcher: mise, root: null });
    expect(recognize(mise)).toBeNull(); // mise itself is no shim
    const volta = file('volta/bin/volta-shim', 'binary');
    expect(recognize(link('volta/bin/node', volta))).toEqual({
      manager: 'volta',
      dispatcher: path.join(dir, 'volta/bin/volta'),
      root: null,
    });
  });

  it('by location: <root>/shims beside the manager, whatever the shim says', () => {
    const manager = file('loc/.pyenv/libexec/pyenv', '#!/bin/sh\n');
    expect(recognize(file('loc/.pyenv/shims/python3', '#!/bin/sh\nexec something\n'))).toEqual({
      manager: 'pyenv',
      dispatcher: manager,
      root: path.join(dir, 'loc/.pyenv'),
    });
    expect(recognize(file('loc/elsewhere/shims/python3', '#!/bin/sh\nexec something\n'))).toBeNull();
  });
});

describe('consultedKey', () => {
  const shim = { manager: 'pyenv' as const, dispatcher: '/r/libexec/pyenv', root: path.join(dir, 'key-root') };
  const project = path.join(dir, 'key-project', 'sub');
  fs.mkdirSync(project, { recursive: true });
  const env = { PATH: '/usr/bin', HOME: '/nonexistent' };

  it('changes with what pyenv consults, and only with that', () => {
    const base = consultedKey(shim, 'python3', env, project);
    expect(consultedKey(shim, 'python3', { ...env, UNRELATED: '1' }, project)).toBe(base);
    expect(consultedKey(shim, 'python3', { ...env, PYENV_VERSION: '3.11.7' }, project)).not.toBe(base);
    expect(consultedKey(shim, 'python', env, project)).not.toBe(base);
    fs.writeFileSync(path.join(dir, 'key-project', '.python-version'), '3.12.1\n'); // a parent's file counts
    const withFile = consultedKey(shim, 'python3', env, project);
    expect(withFile).not.toBe(base);
    fs.writeFileSync(path.join(dir, 'key-project', '.python-version'), '3.11.7\n'); // same size, other content
    expect(consultedKey(shim, 'python3', env, project)).not.toBe(withFile);
    fs.mkdirSync(path.join(shim.root, 'versions'), { recursive: true });
    fs.writeFileSync(path.join(shim.root, 'version'), '3.10.13\n');
    expect(consultedKey(shim, 'python3', env, project)).not.toBe(withFile);
  });
});

describe('identifyProgram through a shim', () => {
  it('names what the manager picks, and says so in the identity when it picks nothing', () => {
    const root = path.join(dir, 'idroot');
    file(
      'idroot/libexec/pyenv',
      '#!/bin/sh\nv=$(cat "$PYENV_ROOT/version")\np="$PYENV_ROOT/versions/$v/bin/$2"\n[ -x "$p" ] || { echo "pyenv: version $v is not installed" >&2; exit 1; }\necho "$p"\n',
    );
    const shim = file('idroot/shims/python3', `#!/bin/sh\nexec "${root}/libexec/pyenv" exec python3 "$@"\n`);
    const interpreter = file('idroot/versions/1.0/bin/python3', '#!/bin/sh\necho one\n');
    fs.writeFileSync(path.join(root, 'version'), '1.0\n');
    const ids = new ProgramIds();
    const found = identifyProgram('python3', shim, { PATH: '/usr/bin:/bin' }, dir, ids);
    expect(found.where).toMatchObject({ path: shim, program: interpreter, shim: 'pyenv' });
    expect(found.digest).toBe(ids.factsOf(interpreter)!.digest);
    fs.writeFileSync(path.join(root, 'version'), '2.0\n');
    const missing = identifyProgram('python3', shim, { PATH: '/usr/bin:/bin' }, dir, ids);
    expect(missing.digest).toBe('unresolved: pyenv names no program (pyenv: version 2.0 is not installed)');
  });
});

describe('askAhead', () => {
  /** A pyenv-like manager that answers only once `gate` exists, and logs each question. */
  function gatedManager(name: string): { shim: string; interpreter: string; gate: string; asked: string } {
    const root = path.join(dir, name);
    const gate = path.join(root, 'gate');
    const asked = path.join(root, 'asked');
    file(
      `${name}/libexec/pyenv`,
      `#!/bin/sh\necho "$2" >> "${asked}"\nwhile [ ! -e "${gate}" ]; do sleep 0.01; done\n` +
        'v=$(cat "$PYENV_ROOT/version")\np="$PYENV_ROOT/versions/$v/bin/$2"\n' +
        '[ -x "$p" ] || { echo "pyenv: version $v is not installed" >&2; exit 1; }\necho "$p"\n',
    );
    const shim = file(`${name}/shims/python3`, `#!/bin/sh\nexec "${root}/libexec/pyenv" exec python3 "$@"\n`);
    const interpreter = file(`${name}/versions/1.0/bin/python3`, '#!/bin/sh\necho one\n');
    fs.writeFileSync(path.join(root, 'version'), '1.0\n');
    return { shim, interpreter, gate, asked };
  }
  const env = { PATH: '/usr/bin:/bin' };

  it('issue 14: returns before the manager answers, asks once per question, and identifyProgram then asks nothing', async () => {
    const m = gatedManager('ahead');
    const ids = new ProgramIds();
    const shim = recognize(m.shim)!;
    const question = { shim, name: 'python3', env, cwd: dir };
    // The manager cannot answer until the gate exists: askAhead must hand back a promise first.
    const asking = askAhead([question, question], ids);
    expect(asking).not.toBeNull();
    fs.writeFileSync(m.gate, '');
    await asking;
    expect(fs.readFileSync(m.asked, 'utf8')).toBe('python3\n');
    const found = identifyProgram('python3', m.shim, env, dir, ids);
    expect(found.where.program).toBe(m.interpreter);
    expect(fs.readFileSync(m.asked, 'utf8')).toBe('python3\n'); // the answer was there: not asked again
    expect(askAhead([question], ids)).toBeNull(); // cached now: nothing to ask
  });

  it('issue 14: a manager that names no program is reported as before, and asked again by a later question', async () => {
    const m = gatedManager('refuses');
    fs.writeFileSync(m.gate, '');
    fs.writeFileSync(path.join(dir, 'refuses', 'version'), '2.0\n');
    const ids = new ProgramIds();
    await askAhead([{ shim: recognize(m.shim)!, name: 'python3', env, cwd: dir }], ids);
    const first = identifyProgram('python3', m.shim, env, dir, ids);
    expect(first.digest).toBe('unresolved: pyenv names no program (pyenv: version 2.0 is not installed)');
    expect(fs.readFileSync(m.asked, 'utf8')).toBe('python3\n'); // the refusal askAhead got was used
    // A failure is never cached: the same question asks again (the setup may be fixed by then).
    const again = identifyProgram('python3', m.shim, env, dir, ids);
    expect(again.digest).toBe(first.digest);
    expect(fs.readFileSync(m.asked, 'utf8')).toBe('python3\npython3\n');
  });
});
