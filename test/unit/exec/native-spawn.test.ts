// Issue 17, point 4: a plain job started through runner's addon (posix_spawn)
// ends, logs and fails to start exactly as one started through child_process.
// Each case runs both ways on real processes and compares what spawnJob gives
// (the end, runner's fault line, the log), besides what it should be.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type JobCommand, type JobStart, spawnJob, startsNatively } from '../../../src/exec/index.js';
import { nativeAddon } from '../../../src/native-addon.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-native-'));
  dirs.push(dir);
  return dir;
}

const ENV = { PATH: '/usr/bin:/bin' };

interface Seen {
  end: unknown;
  runnerFault: string | null;
  log: string;
}

/** Runs the command once, started as `how`; `abortAfterStart` interrupts it with SIGINT once it has started. */
async function runAs(how: JobStart, cmd: Omit<JobCommand, 'logPath'>, abortAfterStart = false): Promise<Seen> {
  const logPath = path.join(tempDir(), 'job.log');
  const ac = new AbortController();
  if (abortAfterStart) setTimeout(() => ac.abort('SIGINT'), 200);
  const outcome = await spawnJob({ ...cmd, logPath }, ac.signal, 'now', how);
  return {
    end: outcome.end,
    runnerFault: outcome.runnerFault,
    log: fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '',
  };
}

/** The same command both ways: returns what the native start gave, after checking child_process gave the same. */
async function bothWays(cmd: Omit<JobCommand, 'logPath'>, abortAfterStart = false): Promise<Seen> {
  const native = await runAs('native', cmd, abortAfterStart);
  const forked = await runAs('child-process', cmd, abortAfterStart);
  expect(native).toEqual(forked);
  return native;
}

function sh(script: string, extra: Partial<JobCommand> = {}): Omit<JobCommand, 'logPath'> {
  return { program: 'sh', args: ['-c', script], cwd: os.tmpdir(), env: ENV, timeoutMs: null, fds: [], ...extra };
}

describe('issue 17: the native start', () => {
  it('is built and loads on Linux, so plain jobs start through it unless RUNNER_NATIVE_SPAWN=0', () => {
    expect(process.platform).toBe('linux');
    expect(nativeAddon()).not.toBeNull();
    expect(startsNatively('native')).toBe(true);
    expect(startsNatively('child-process')).toBe(false);
  });

  it('gives the same ends: an exit code, a signal, stdout and stderr in the log', async () => {
    expect(await bothWays(sh('echo out; exit 3'))).toEqual({
      end: { kind: 'exit', code: 3 },
      runnerFault: null,
      log: 'out\n',
    });
    expect((await bothWays(sh('echo err >&2; kill -TERM $$'))).end).toEqual({ kind: 'signal', signal: 'SIGTERM' });
    // Numbers with two names take the one Node gives.
    expect((await bothWays(sh('kill -ABRT $$'))).end).toEqual({ kind: 'signal', signal: 'SIGABRT' });
    expect((await bothWays(sh('kill -IO $$'))).end).toEqual({ kind: 'signal', signal: 'SIGIO' });
    expect((await bothWays(sh('echo err >&2'))).log).toBe('err\n');
  });

  it("finds the program on the job's PATH (not runner's), runs a script without #! with sh, and passes env and cwd", async () => {
    const bin = tempDir();
    fs.writeFileSync(path.join(bin, 'only-here'), '#!/bin/sh\necho "found $1 $JOB_VAR $(pwd)"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'no-shebang'), 'echo "sh ran $1"\n', { mode: 0o755 });
    const cwd = tempDir();
    const env = { PATH: `${bin}:/usr/bin:/bin`, JOB_VAR: 'v' };
    const found = await bothWays({ ...sh(''), program: 'only-here', args: ['a'], env, cwd });
    expect(found.log).toBe(`found a v ${fs.realpathSync(cwd)}\n`);
    expect((await bothWays({ ...sh(''), program: 'no-shebang', args: ['b'], env })).log).toBe('sh ran b\n');
  });

  it('starts the job as the leader of its own session, stdin on /dev/null, no signal ignored or blocked', async () => {
    // grep reads its own status, which it has from the shell: the shell's own, read from outside, is briefly all
    // blocked while it forks (dash blocks every signal around fork).
    const got = await bothWays(
      sh(
        `awk '{ print ($1 == $5 && $1 == $6) }' /proc/$$/stat; readlink /proc/$$/fd/0; grep -E '^Sig(Ign|Blk)' /proc/self/status`,
      ),
    );
    expect(got.log).toBe('1\n/dev/null\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
  });

  it('places the descriptors it is given at their numbers in the job, crossed or not', async () => {
    const dir = tempDir();
    const write = (how: string, name: string): number => fs.openSync(path.join(dir, `${how}-${name}`), 'w');
    for (const how of ['native', 'child-process'] as const) {
      const a = write(how, 'a');
      const b = write(how, 'b');
      // 3 takes what runner holds as b, 4 what it holds as a: neither placement may overwrite the other's source.
      const seen = await runAs(
        how,
        sh('echo three >&3; echo four >&4', {
          fds: [
            [3, b],
            [4, a],
          ],
        }),
      );
      fs.closeSync(a);
      fs.closeSync(b);
      expect(seen.end).toEqual({ kind: 'exit', code: 0 });
      expect(fs.readFileSync(path.join(dir, `${how}-b`), 'utf8')).toBe('three\n');
      expect(fs.readFileSync(path.join(dir, `${how}-a`), 'utf8')).toBe('four\n');
    }
  });

  it('reports a start that fails (no such program, not executable, no such cwd) as the same runner fault', async () => {
    const dir = tempDir();
    const plain = path.join(dir, 'plain');
    fs.writeFileSync(plain, 'x', { mode: 0o644 });
    const missing = await bothWays({ ...sh(''), program: path.join(dir, 'nope') });
    expect(missing.end).toEqual({ kind: 'spawn-error' });
    expect(missing.runnerFault).toMatch(/not found, or its interpreter \(the #! line\) is missing \(ENOENT\)$/);
    expect((await bothWays({ ...sh(''), program: plain })).runnerFault).toMatch(/not executable \(EACCES\)$/);
    expect((await bothWays({ ...sh('true'), program: 'no-such-program-here' })).end).toEqual({ kind: 'spawn-error' });
    expect((await bothWays(sh('true', { cwd: path.join(dir, 'gone') }))).end).toEqual({ kind: 'spawn-error' });
  });

  it('stops a job at its timeout and at an interrupt, whole group included', async () => {
    const timedOut = await bothWays(sh('echo started; sleep 30 & wait', { timeoutMs: 300 }));
    expect(timedOut.end).toEqual({ kind: 'timeout', stopped: { kind: 'signal', signal: 'SIGTERM' } });
    expect(timedOut.log).toBe('started\n\nrunner: timed out after 0.3s; killed\n');
    const interrupted = await bothWays(sh('sleep 30'), true);
    expect(interrupted.end).toEqual({ kind: 'interrupted', stopped: { kind: 'signal', signal: 'SIGINT' } });
  });
});
