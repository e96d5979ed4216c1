// git's lock on runner's private staged index (`.runner/staged.index.lock`)
// left behind by a git killed mid-way (the hook's process group killed): the
// next commit takes it over and says so, one a live process holds is left
// alone, and `runner clean` removes it (real repositories, test/helpers/git.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { runJson, runRunner, show } from '../helpers/cli.js';
import {
  type GitResult,
  checked,
  commitCount,
  git,
  gitOk,
  gitTestEnv,
  stagedLockHeld,
  stagedTrees,
  useRepo,
} from '../helpers/git.js';
import { beforeSandboxRemoval, waitFor } from '../helpers/sandbox.js';

const env = gitTestEnv();
const showGit = (r: GitResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

function stageNote(tree: string, rel: string, text: string): void {
  fs.writeFileSync(path.join(tree, rel), text);
  gitOk(tree, ['add', rel]);
}

/** A repository whose kept staged tree exists (one commit through the hook), then git's lock on its index as a killed git leaves it. */
async function repoWithLeftoverLock() {
  const sb = useRepo();
  const res = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(0);
  stageNote(sb.tree, 'notes/a.txt', 'a good line\n');
  const first = git(sb.tree, ['commit', '-m', 'first']);
  expect(first.code, showGit(first)).toBe(0);
  const stateDir = path.join(sb.tree, '.runner');
  const lock = path.join(stateDir, 'staged.index.lock');
  // What a git killed while writing the index leaves: the lock, holding part of an index.
  fs.writeFileSync(lock, 'DIRC\0\0\0');
  return { sb, stateDir, lock };
}

test('issue 12: a staged.index.lock whose git is gone is taken over with a warning, and the commit goes through', async () => {
  const { sb, lock } = await repoWithLeftoverLock();
  stageNote(sb.tree, 'notes/b.txt', 'another good line\n');
  const res = git(sb.tree, ['commit', '-m', 'second']);
  expect(res.code, showGit(res)).toBe(0);
  expect(res.stderr).toContain(
    `runner: warning: took over ${lock}: the git process that locked it is gone (killed mid-way); removed it\n`,
  );
  expect(commitCount(sb.tree)).toBe(3);
  expect(checked(sb)).toEqual(['notes/a.txt', 'notes/b.txt']);
  expect(fs.existsSync(lock)).toBe(false);

  // Taken over once: the next commit says nothing of it.
  stageNote(sb.tree, 'notes/c.txt', 'a third good line\n');
  const next = git(sb.tree, ['commit', '-m', 'third']);
  expect(next.code, showGit(next)).toBe(0);
  expect(next.stderr).not.toContain('took over');
});

test('issue 12: a staged.index.lock a live process holds open is left alone; the run checks in a temporary tree', async () => {
  const { sb, stateDir, lock } = await repoWithLeftoverLock();
  // A git still finishing (orphaned by a runner killed outright) holds its lock open.
  const holder = spawn('/bin/sh', ['-c', 'exec 3>>"$0"; echo held; exec sleep 60', lock], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  beforeSandboxRemoval(() => holder.kill('SIGKILL'));
  let said = '';
  holder.stdout.on('data', (d: Buffer) => (said += d.toString()));
  await waitFor('the lock to be held open', () => said.includes('held'));

  stageNote(sb.tree, 'notes/b.txt', 'another good line\n');
  const { res, json } = await runJson(['run', '--staged'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(0);
  expect(res.stderr).not.toContain('took over');
  expect(json.jobs.map((j) => j.status)).toEqual(['passed']);
  expect(fs.existsSync(lock)).toBe(true);
  expect(stagedTrees(stateDir)).toEqual([]); // the temporary tree is gone again
  expect(stagedLockHeld(stateDir)).toBe(false);
});

test('issue 12: runner clean removes a state directory holding a leftover staged.index.lock', async () => {
  const { sb, stateDir } = await repoWithLeftoverLock();
  const res = await runRunner(['clean'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(0);
  expect(res.stdout).toBe(`runner: removed .runner\n`);
  expect(fs.existsSync(stateDir)).toBe(false);
});
