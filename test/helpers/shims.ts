// Version-manager layouts for tests: this machine's pyenv when it has the two
// versions the tests switch between, else a self-made pyenv-like manager (real
// shell scripts: a shim that hands over to a manager that picks one of two
// real interpreters from PYENV_VERSION, .python-version or its global file).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sandbox } from './sandbox.js';

export interface ShimLayout {
  /** The manager's root: PYENV_ROOT. */
  root: string;
  /** The directory of shims to put on the tools' PATH. */
  shims: string;
  /** Two versions that both provide python3. */
  versions: [string, string];
  /** Whether this is the machine's pyenv (the versions then really differ). */
  real: boolean;
}

const REAL_VERSIONS: [string, string] = ['3.12.1', '3.11.7'];

/** This machine's pyenv (CI machines of this kind have it); a self-made one, said on stderr, where it is absent. */
export function pyenvLayout(sb: Sandbox): ShimLayout {
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const present =
    fs.existsSync(path.join(root, 'libexec', 'pyenv')) &&
    fs.existsSync(path.join(root, 'shims', 'python3')) &&
    REAL_VERSIONS.every((v) => fs.existsSync(path.join(root, 'versions', v, 'bin', 'python3')));
  if (present) return { root, shims: path.join(root, 'shims'), versions: REAL_VERSIONS, real: true };
  process.stderr.write(
    `note: no pyenv with ${REAL_VERSIONS.join(' and ')} under ${root}; using a self-made shim manager\n`,
  );
  return selfMadePyenv(sb);
}

const MANAGER = `#!/bin/sh
# A self-made pyenv: "which NAME" names, "exec NAME ARGS" runs, the NAME of the version picked
# from PYENV_VERSION, else .python-version from the working directory upward, else $PYENV_ROOT/version.
root="\${PYENV_ROOT:?PYENV_ROOT is not set}"
pick() {
  if [ -n "\${PYENV_VERSION:-}" ]; then echo "$PYENV_VERSION"; return; fi
  d=$(pwd)
  while :; do
    if [ -f "$d/.python-version" ]; then head -n 1 "$d/.python-version"; return; fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
  head -n 1 "$root/version"
}
v=$(pick)
prog="$root/versions/$v/bin/$2"
if [ ! -x "$prog" ]; then echo "pyenv: version '$v' is not installed" >&2; exit 1; fi
case "$1" in
  which) echo "$prog" ;;
  exec) shift 2; exec "$prog" "$@" ;;
  *) echo "pyenv: no such command '$1'" >&2; exit 1 ;;
esac
`;

/** A pyenv-like manager in the sandbox, shaped like pyenv (root/shims, root/libexec/pyenv, root/versions/V/bin). */
export function selfMadePyenv(sb: Sandbox): ShimLayout {
  const root = path.join(sb.root, 'selfmade-pyenv');
  const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => fs.existsSync(p));
  if (python === undefined) throw new Error('the self-made shim manager needs a python3 in /usr/bin or /usr/local/bin');
  const versions: [string, string] = ['3.90.1', '3.80.2'];
  fs.mkdirSync(path.join(root, 'libexec'), { recursive: true });
  fs.writeFileSync(path.join(root, 'libexec', 'pyenv'), MANAGER, { mode: 0o755 });
  fs.mkdirSync(path.join(root, 'shims'));
  fs.writeFileSync(
    path.join(root, 'shims', 'python3'),
    [
      '#!/bin/sh',
      'set -e',
      'program="${0##*/}"',
      `export PYENV_ROOT="${root}"`,
      `exec "${root}/libexec/pyenv" exec "$program" "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(root, 'version'), 'system\n');
  // Two real interpreters with different content: the system's, and a launcher of it.
  fs.mkdirSync(path.join(root, 'versions', versions[0], 'bin'), { recursive: true });
  fs.symlinkSync(python, path.join(root, 'versions', versions[0], 'bin', 'python3'));
  fs.mkdirSync(path.join(root, 'versions', versions[1], 'bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'versions', versions[1], 'bin', 'python3'), `#!/bin/sh\nexec ${python} "$@"\n`, {
    mode: 0o755,
  });
  return { root, shims: path.join(root, 'shims'), versions, real: false };
}
