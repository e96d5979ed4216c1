// Bundles the compiled CLI (dist/cli/main.js and everything it imports from
// dist/) into one ES module, dist/bundle/runner.js, which bin/runner loads.
// Start-up is dominated by the ES module loader's work per file: one module
// instead of about 180 takes a third off a no-op run (README, Performance).
// Packages stay external, so each still loads only when a command needs it.
// Run after tsc; without esbuild (a git install that skipped it) nothing is
// bundled and bin/runner loads dist/ as it is.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, 'dist', 'cli', 'main.js');
const outDir = path.join(root, 'dist', 'bundle');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('runner: esbuild is not installed: dist/ is not bundled (runner starts more slowly)');
  fs.rmSync(outDir, { recursive: true, force: true });
  process.exit(0);
}
/**
 * What deps/graph-cache.ts keys kept graphs by (codeIdentity): every compiled
 * file of dist/ and the python helper, hashed here once, so that a run reads
 * and hashes no code to know it.
 */
function codeIdentity() {
  const hash = crypto.createHash('sha256');
  const files = fs
    .readdirSync(path.join(root, 'dist'), { recursive: true })
    .filter((f) => f.endsWith('.js') && !f.startsWith(`bundle${path.sep}`))
    .sort();
  for (const f of files)
    hash
      .update(`${f}\0`)
      .update(fs.readFileSync(path.join(root, 'dist', f)))
      .update('\0');
  hash.update(fs.readFileSync(path.join(root, 'src', 'deps', 'python-imports.py')));
  return hash.digest('hex').slice(0, 32);
}

const result = await esbuild.build({
  entryPoints: [entry],
  outfile: path.join(outDir, 'runner.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  define: { RUNNER_CODE_IDENTITY: JSON.stringify(codeIdentity()) },
  logLevel: 'warning',
  logOverride: { 'unsupported-dynamic-import': 'silent' }, // terminal support's loader path is computed (exec/pty.ts)
});
if (result.errors.length > 0) process.exit(1);
