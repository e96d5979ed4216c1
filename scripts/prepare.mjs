// npm's `prepare` for a git checkout: compiles src/ into dist/ with the locked
// TypeScript, then bundles it (scripts/bundle.mjs). Owns making tsc available
// when npm did not install the devDependencies; it must not write anything
// outside the checkout.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!fs.existsSync(tsc)) {
  // A git dependency installed globally (`npm install -g git+...`, what the
  // pre-commit framework runs) is prepared by an `npm install` that inherits
  // npm_config_global and npm_config_prefix from the outer npm, so it installs
  // nothing into the checkout and tsc is missing; likewise `--omit=dev`
  // (and `--allow-scripts`, refused in a project install).
  // Install the locked devDependencies here, without their install scripts
  // (tsc needs no native addon): the lockfile's integrity lets npm take them
  // from its cache, so this works offline when the cache holds them.
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^npm_config_(global|prefix|location|omit|only|production|allow_scripts)$/i.test(name)) delete env[name];
  }
  const npmCli = env.npm_execpath;
  const [cmd, pre] =
    npmCli !== undefined && npmCli.endsWith('.js') ? [process.execPath, [npmCli]] : [npmCli ?? 'npm', []];
  run(cmd, [...pre, 'install', '--include=dev', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund'], env);
}
run(process.execPath, [tsc, '-p', 'tsconfig.json']);
run(process.execPath, [path.join(root, 'scripts', 'bundle.mjs')]);
