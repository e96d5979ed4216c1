// Installing runner as people do: npm's global install from a git URL (what the pre-commit
// framework 4.6.1+ runs), and Debian's real pre-commit (3.0.4: npm install, npm pack, npm install -g)
// running the hook of a clone of this repository at HEAD. Offline: npm takes everything from its cache (the one this
// project's `npm ci` filled) and better-sqlite3 compiles from source, which takes
// minutes here, so these run apart from npm test: `npm run test:install` (.ci/run runs it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { gitOk, initRepo } from '../helpers/git.js';
import { REPO } from '../helpers/sandbox.js';
import { type Done, MINUTES, exec, offlineEnv } from './npm-run.js';

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-install-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** This repository's HEAD, cloned: what a user's `git+file://` or pre-commit `repo:` points at. */
function cloneHead(dir: string): string {
  const clone = path.join(dir, 'runner');
  gitOk(dir, ['clone', '-q', REPO, clone]);
  return clone;
}

describe('installing runner from git', () => {
  test(
    'issue 15: npm install -g of a git+file:// URL into an empty prefix, offline, gives a working runner',
    () => {
      const dir = tempDir();
      const clone = cloneHead(dir);
      const prefix = path.join(dir, 'prefix');
      const res = exec(
        'npm',
        ['install', '--install-links', '-g', '--prefix', prefix, `git+file://${clone}`],
        dir,
        offlineEnv(),
      );
      expect(res.code, res.out).toBe(0);
      const version = exec(path.join(prefix, 'bin', 'runner'), ['--version'], dir, offlineEnv());
      const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
      expect(version.code, version.out).toBe(0);
      expect(version.out.trim()).toBe(pkg.version);
      // No compiled output in the repository: dist/ was built by the install.
      expect(gitOk(clone, ['ls-files', 'dist']).trim()).toBe('');
    },
    30 * MINUTES,
  );

  test(
    "issue 15: Debian's pre-commit, with this repository's hook: blocks a bad commit, passes a good one, and run --all-files and a --from-ref/--to-ref range fail on a committed error",
    () => {
      const dir = tempDir();
      const clone = cloneHead(dir);
      const rev = gitOk(clone, ['rev-parse', 'HEAD']).trim();
      const proj = path.join(dir, 'proj');
      fs.mkdirSync(proj);
      initRepo(proj);
      const countFile = path.join(dir, 'count.log');
      fs.writeFileSync(path.join(proj, '.gitignore'), '.runner/\n');
      fs.writeFileSync(
        path.join(proj, '.runnerrc.json'),
        JSON.stringify({
          env: { COUNT_FILE: countFile },
          tools: [
            {
              name: 'check',
              command: 'echo {file} >> "$COUNT_FILE"; if grep -n BAD {file}; then exit 1; fi',
              include: ['**/*.txt'],
            },
          ],
        }),
      );
      // What `pre-commit try-repo CLONE runner` writes, kept in the repository: try-repo installs the
      // hook into a throwaway store on every call (minutes each here), a config once into PRE_COMMIT_HOME.
      fs.writeFileSync(
        path.join(proj, '.pre-commit-config.yaml'),
        `repos:\n  - repo: ${clone}\n    rev: ${rev}\n    hooks:\n      - id: runner\n`,
      );
      fs.writeFileSync(path.join(proj, 'a.txt'), 'fine\n');
      gitOk(proj, ['add', '-A']);
      gitOk(proj, ['commit', '-q', '-m', 'init']);
      // pre-commit's store (the hook's node environment) lives in the temp dir and goes with it.
      const env = offlineEnv({ PRE_COMMIT_HOME: path.join(dir, 'pre-commit-home') });
      const install = exec('pre-commit', ['install'], proj, env);
      expect(install.code, install.out).toBe(0);
      const commit = (message: string): Done => exec('git', ['commit', '-q', '-m', message], proj, env);
      const checked = (): string[] =>
        fs.existsSync(countFile) ? fs.readFileSync(countFile, 'utf8').trim().split('\n').sort() : [];

      fs.writeFileSync(path.join(proj, 'b.txt'), 'a BAD line\n');
      gitOk(proj, ['add', 'b.txt']);
      const bad = commit('bad');
      expect(bad.code, bad.out).not.toBe(0);
      expect(bad.out).toContain('1:a BAD line');
      expect(gitOk(proj, ['log', '--format=%s']).trim()).toBe('init');

      fs.writeFileSync(path.join(proj, 'b.txt'), 'fixed\n');
      gitOk(proj, ['add', 'b.txt']);
      const good = commit('good');
      expect(good.code, good.out).toBe(0);
      const base = gitOk(proj, ['rev-parse', 'HEAD']).trim();

      // A committed error: nothing is staged, and the framework's runs outside a commit must find it.
      fs.writeFileSync(path.join(proj, 'c.txt'), 'BAD, committed\n');
      gitOk(proj, ['add', 'c.txt']);
      gitOk(proj, ['commit', '-q', '--no-verify', '-m', 'bad, not verified']);
      fs.rmSync(countFile, { force: true });
      const all = exec('pre-commit', ['run', '--all-files'], proj, env);
      expect(all.code, all.out).toBe(1);
      expect(all.out).toContain('1:BAD, committed');
      expect(checked()).toContain('c.txt');
      const range = exec('pre-commit', ['run', '--from-ref', base, '--to-ref', 'HEAD'], proj, env);
      expect(range.code, range.out).toBe(1);
      expect(range.out).toContain('1:BAD, committed');
    },
    30 * MINUTES,
  );
});
