// runner watch on a real terminal (node-pty): the keys a, f, Enter and q, the
// help line, and the colour of the status line; without a terminal on stdin
// nothing of it. Jobs are counted with the probe.
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BIN, baseEnv, startRunner } from '../helpers/cli.js';
import { type PtyRun, spawnInPty } from '../helpers/pty.js';
import { probeOnly, readProbeLog, resetProbeLog, setProbeControl } from '../helpers/probe.js';
import { type Sandbox, appendText, isProcessAlive, useFixture, waitFor } from '../helpers/sandbox.js';

const ESC = '\x1b';
const STATUS = /^\[\d\d:\d\d:\d\d\] \d+ ran \(/;
const HELP = 'keys: a run every job, f re-run failed jobs, Enter run stale jobs, q quit';
// A change starts no cycle by itself for ten minutes: every cycle here is a key's.
const WATCH = ['watch', '-j', '1', '--debounce', '600000'];

/**
 * runner watch in a terminal, through a shell that prints the terminal's
 * settings once runner has exited (`stty -a`), to see that raw mode is gone.
 */
function startWatch(sb: Sandbox, env: Record<string, string>): PtyRun {
  const script = `"$0" "$@"; echo "runner exited $?"; stty -a; echo "stty done"`;
  return spawnInPty(sb, '/bin/sh', ['-c', script, process.execPath, BIN, ...WATCH], env, 120);
}

/**
 * Each line as the terminal shows it at the end: the text after its last
 * carriage return, less the erase and show-cursor escapes the progress bar
 * leaves before it (colour escapes kept).
 */
function screenLines(raw: string): string[] {
  return raw.split('\r\n').map((l) => l.slice(l.lastIndexOf('\r') + 1).replace(/^(?:\x1b\[[0-9;?]*[A-Za-ln-z])+/, ''));
}

const plain = (l: string): string => l.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** The status lines so far, escapes kept. */
function statusLines(w: PtyRun): string[] {
  return screenLines(w.output()).filter((l) => STATUS.test(plain(l)));
}

/** runner's exit code, which the shell around it prints. */
async function exitOf(w: PtyRun): Promise<string> {
  try {
    return await waitFor('runner to exit', () => /runner exited (\d+)/.exec(w.output())?.[1]);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${JSON.stringify(w.output().slice(-800))}`, { cause: err });
  }
}

/**
 * What `stty -a` printed once runner had exited. Waited for by its end marker: the terminal's exit can be
 * reported before the last of its output is read.
 */
async function settingsAfter(w: PtyRun): Promise<string> {
  await waitFor('stty -a after runner', () => w.output().includes('stty done'));
  await w.exited;
  return w.output().slice(w.output().indexOf('runner exited'));
}

async function waitForStatus(w: PtyRun, n: number): Promise<string> {
  return waitFor(`status line ${n}\n${w.output()}`, () => statusLines(w)[n - 1], 30_000);
}

/** Three probe jobs (calc/), calc/stats.py failing. */
function threeJobs(sb: Sandbox): void {
  probeOnly(sb, { include: ['calc/**'] });
  setProbeControl(sb, 'fail', 'calc/stats.py');
}

const started = (sb: Sandbox): string[] => [...readProbeLog(sb).started].sort();

/** Live processes whose working directory is `dir` (runner, its watchdog, its jobs all run in the tree). */
function processesIn(dir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/cwd`) === dir && isProcessAlive(Number(pid));
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map(Number);
}

describe('runner watch keys on a terminal', () => {
  test('issue 15: a runs every job, f only the failed one, Enter the stale ones, q exits 0 and gives the terminal back', async () => {
    const sb = useFixture('python-demo');
    threeJobs(sb);
    const w = startWatch(sb, baseEnv({ TERM: 'xterm' }));
    expect(plain(await waitForStatus(w, 1))).toMatch(/ 3 ran \(2 passed, 1 failed\), 0 fresh; watching/);
    await waitFor('the help line', () => screenLines(w.output()).includes(HELP));
    expect(started(sb)).toEqual(['calc/__init__.py', 'calc/ops.py', 'calc/stats.py']);

    resetProbeLog(sb);
    w.term.write('f');
    expect(plain(await waitForStatus(w, 2))).toMatch(/ 1 ran \(0 passed, 1 failed\), 2 fresh;/);
    expect(started(sb)).toEqual(['calc/stats.py']);

    // A change the watcher holds back (the long debounce): Enter scans the tree and runs what is stale now.
    resetProbeLog(sb);
    appendText(sb, 'calc/ops.py', '# edited\n');
    w.term.write('\r');
    expect(plain(await waitForStatus(w, 3))).toMatch(/ 1 ran \(1 passed, 0 failed\), 1 cached failure, 1 fresh;/);
    expect(started(sb)).toEqual(['calc/ops.py']);
    expect(w.output()).toContain('cycle 3: stale jobs (Enter), 1 changed, whole tree scanned');

    resetProbeLog(sb);
    w.term.write('a');
    expect(plain(await waitForStatus(w, 4))).toMatch(/ 3 ran \(2 passed, 1 failed\), 0 fresh;/);
    expect(started(sb)).toEqual(['calc/__init__.py', 'calc/ops.py', 'calc/stats.py']);
    expect(w.output()).toContain('cycle 4: every job (a)');

    w.term.write('q');
    const code = await exitOf(w);
    expect(code, w.output().slice(-1500)).toBe('0');
    expect(w.output()).toContain('runner: stopped watching (q); every finished result is recorded');
    // stty -a after runner: the line discipline is back (canonical input, echo, signals from Ctrl-C).
    const settings = await settingsAfter(w);
    expect(settings).toMatch(/(?:^|\s)icanon\b/);
    expect(settings).toMatch(/(?:^|\s)echo\b/);
    expect(settings).toMatch(/(?:^|\s)isig\b/);
    // No job, watchdog or runner left: nothing runs in the tree any more.
    expect(readProbeLog(sb).finished.length).toBe(readProbeLog(sb).started.length);
    expect(processesIn(sb.tree)).toEqual([]);
    // The status lines and the help line carry no escape under NO_COLOR.
    for (const l of [...statusLines(w), HELP]) expect(l).not.toContain(ESC);
  });

  test('issue 15: a passing status line is green, a failing one red, the help line dim; Ctrl-C still exits 130 and restores the terminal', async () => {
    const sb = useFixture('python-demo');
    threeJobs(sb);
    const env = baseEnv({ TERM: 'xterm-256color' });
    delete env.NO_COLOR;
    const w = startWatch(sb, env);
    const failing = await waitForStatus(w, 1);
    expect(failing.startsWith(`${ESC}[31m${ESC}[1m[`)).toBe(true);
    expect(failing.endsWith(`(Ctrl-C to stop)${ESC}[0m${ESC}[0m`)).toBe(true);
    await waitFor('the dim help line', () => screenLines(w.output()).includes(`${ESC}[2m${HELP}${ESC}[0m`));

    setProbeControl(sb, 'fail', null);
    w.term.write('f');
    const passing = await waitForStatus(w, 2);
    expect(plain(passing)).toMatch(/ 1 ran \(1 passed, 0 failed\), 2 fresh;/);
    expect(passing.startsWith(`${ESC}[32m${ESC}[1m[`)).toBe(true);

    w.term.write('\x03');
    const code = await exitOf(w);
    expect(code, w.output().slice(-1500)).toBe('130');
    const settings = await settingsAfter(w);
    expect(settings).toMatch(/(?:^|\s)icanon\b/);
    expect(settings).toMatch(/(?:^|\s)isig\b/);
  });
});

test('issue 15: without a terminal on stdin, runner watch shows no help line and reads no key', async () => {
  const sb = useFixture('python-demo');
  threeJobs(sb);
  // stdin a pipe that says "a" and ends: no cycle may come of it.
  const w = startRunner([...WATCH], { cwd: sb.tree, input: 'a\n' });
  await waitFor('the first status line', () => w.stdout().includes('3 ran (2 passed, 1 failed)'), 30_000);
  resetProbeLog(sb);
  // Settle: a key read would start cycle 2 at once; give it the time a key cycle takes in the tests above.
  await new Promise((r) => setTimeout(r, 1500));
  w.child.kill('SIGINT');
  const res = await w.result;
  expect(res.code).toBe(130);
  expect(res.stdout).not.toContain('keys:');
  expect(res.stdout).not.toContain('cycle 2');
  expect(started(sb)).toEqual([]);
});
