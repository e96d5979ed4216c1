// The progress display as a user sees it: `runner run` on a real terminal
// (node-pty) draws a bar in place; TERM=dumb and piped output get plain lines
// with no escape sequence at all.
import { describe, expect, test } from 'vitest';
import { BIN, baseEnv, runRunner, show } from '../helpers/cli.js';
import { PY_FILES } from '../helpers/python-demo.js';
import { type PtyRun, spawnInPty } from '../helpers/pty.js';
import { probeOnly, readProbeLog, setProbeControl } from '../helpers/probe.js';
import {
  beforeSandboxRemoval,
  isProcessAlive,
  useFixture,
  waitFor,
  writeConfig,
  writeText,
  type Sandbox,
} from '../helpers/sandbox.js';

const ESC = '\x1b';
const ERASE = '\r\x1b[2K';

function startInPty(sb: Sandbox, args: string[], env: Record<string, string>, cols = 80): PtyRun {
  return spawnInPty(sb, process.execPath, [BIN, ...args], env, cols);
}

/** Four probe jobs of 300 ms, one failing: long enough for the bar to show jobs in flight. */
function slowJobs(sb: Sandbox): void {
  probeOnly(sb, { include: ['calc/**', 'tests/test_ops.py'] });
  setProbeControl(sb, 'sleep-ms', '300');
  setProbeControl(sb, 'fail', 'calc/stats.py');
}

/** The states the bar was drawn in: the text after each erase, up to the next line break or redraw (permanent lines left out). */
function barFrames(raw: string): string[] {
  return raw
    .split(ERASE)
    .slice(1)
    .map((f) => f.split(/[\r\n]|\x1b\[\?25h/)[0]!)
    .filter((f) => /^(\[[#.]+\] )?\d+\/\d+ |^scanning: /.test(f));
}

/** The done count of each frame, in order. */
const doneCounts = (frames: string[]): number[] => frames.flatMap((f) => /(\d+)\/\d+ /.exec(f)?.[1] ?? []).map(Number);

describe('on a terminal', () => {
  test('a progress bar with counts and the jobs in flight, redrawn in place, never wider than the terminal', async () => {
    const sb = useFixture('python-demo');
    slowJobs(sb);
    const run = startInPty(sb, ['run', '-j', '2'], baseEnv({ TERM: 'xterm-256color' }), 80);
    expect(await run.exited, run.output()).toBe(1);
    const raw = run.output();

    const frames = barFrames(raw);
    expect(
      frames.some((f) => /^\[[#.]{20}\] 2\/4 /.test(f)),
      raw,
    ).toBe(true);
    expect(
      frames.some((f) => /^\[[#.]{20}\] [34]\/4 {2}1 failed {2}[\d.]+s/.test(f)),
      raw,
    ).toBe(true);
    const counts = doneCounts(frames);
    expect(counts, raw).toEqual([...counts].sort((a, b) => a - b));
    expect(
      frames.some((f) => /\d running: probe (calc|tests)\//.test(f)),
      raw,
    ).toBe(true);
    for (const f of frames) expect(f.length, f).toBeLessThanOrEqual(79);
    // The cursor is hidden while the bar is up and given back before the summary.
    expect(raw.startsWith(`${ESC}[?25l`)).toBe(true);
    expect(raw.lastIndexOf(`${ESC}[?25h`)).toBeGreaterThan(raw.lastIndexOf(`${ESC}[?25l`));
    // The failure is a permanent line printed above the bar, the summary comes after it is gone.
    expect(raw).toMatch(
      /\r\x1b\[2KFAIL probe calc\/stats\.py \(exit 1, [\d.]+s\)\r\n {2}\| probe: failing calc\/stats\.py\r\n/,
    );
    const afterBar = raw.slice(raw.lastIndexOf(`${ESC}[?25h`) + 6);
    expect(afterBar).toMatch(
      /^runner: 1 failure:\r\n {2}FAIL probe calc\/stats\.py .*\r\nrunner: 4 jobs: 4 ran \(3 passed, 1 failed\), 0 cached failures, 0 fresh in [\d.]+s\r\n$/,
    );
    // Passing jobs leave no line on a terminal: the bar said it.
    expect(raw).not.toContain('PASS');
  });

  test('issue 14: with a batch tool the bar counts files and names the chunks running, narrowing halves too', async () => {
    const sb = useFixture('python-demo');
    for (let i = 1; i <= 4; i++) writeText(sb, `pkg/m${i}.py`, i === 4 ? 'def broken(:\n' : `X = ${i}\n`);
    // Each process takes a while, so that the bar is drawn while chunks run.
    const slowCompile =
      'import sys, time, py_compile\ntime.sleep(1)\nfor f in sys.argv[1:]: py_compile.compile(f, doraise=True)';
    writeConfig(sb, {
      include: ['pkg/**/*.py'],
      tools: [{ name: 'compile', command: ['python3', '-c', slowCompile, '{files}'] }],
    });
    const run = startInPty(sb, ['run', '-j', '2'], baseEnv({ TERM: 'xterm' }), 100);
    expect(await run.exited, run.output()).toBe(1);
    const raw = run.output();
    const frames = barFrames(raw);
    // Two chunks of two files, both in flight; the failed one narrowed file by file.
    expect(
      frames.some((f) => /\d\/4 .* 2 running: compile \(2 files\), compile \(2 files\)$/.test(f)),
      raw,
    ).toBe(true);
    expect(
      frames.some((f) => /running: .*compile \(1 file, narrowing\)/.test(f)),
      raw,
    ).toBe(true);
    // Counted in files: 4 in all, each counted once.
    const counts = doneCounts(frames);
    expect(counts, raw).toEqual([...counts].sort((a, b) => a - b));
    expect(Math.max(...counts), raw).toBeLessThanOrEqual(4);
    expect(raw).toMatch(/runner: 4 jobs: 4 ran \(3 passed, 1 failed\)/);
  });

  test('a narrow terminal gets a shorter bar, still on one line', async () => {
    const sb = useFixture('python-demo');
    slowJobs(sb);
    const run = startInPty(sb, ['run', '-j', '2'], baseEnv({ TERM: 'xterm' }), 40);
    expect(await run.exited, run.output()).toBe(1);
    const frames = barFrames(run.output());
    expect(
      frames.some((f) => /^\[[#.]{10}\] \d\/4 /.test(f)),
      run.output(),
    ).toBe(true);
    for (const f of frames) expect(f.length, f).toBeLessThanOrEqual(39);
  });

  test('Ctrl-C gives the cursor back and erases the bar', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    setProbeControl(sb, 'hang-after', '1');
    const run = startInPty(sb, ['run', '-j', '1'], baseEnv({ TERM: 'xterm' }));
    const log = await waitFor('job 2 to start', () => {
      const l = readProbeLog(sb);
      return l.started.length > 1 ? l : undefined;
    });
    const hungPid = log.pids.get(log.started[1]!)!;
    beforeSandboxRemoval(() => {
      if (isProcessAlive(hungPid)) process.kill(hungPid, 'SIGKILL');
    });
    await waitFor('the bar to show the running job', () => run.output().includes(`running: probe ${log.started[1]!}`));
    run.term.write('\x03'); // the terminal sends SIGINT to its foreground process group
    expect(await run.exited, run.output()).toBe(130);
    const raw = run.output();
    expect(raw.lastIndexOf(`${ESC}[?25h`)).toBeGreaterThan(raw.lastIndexOf(`${ESC}[?25l`));
    expect(raw).toMatch(/\r\x1b\[2K\x1b\[\?25hrunner: \d+ jobs: .*\(stopped by SIGINT\)\r\n$/);
  });

  test('TERM=dumb: plain lines, no escape sequence at all', async () => {
    const sb = useFixture('python-demo');
    slowJobs(sb);
    const env = baseEnv({ TERM: 'dumb' });
    delete env.NO_COLOR; // TERM=dumb alone must turn colour and the bar off
    const run = startInPty(sb, ['run', '-j', '2'], env);
    expect(await run.exited, run.output()).toBe(1);
    const raw = run.output();
    expect(raw).not.toContain(ESC);
    const lines = raw.split('\r\n');
    expect(
      lines
        .filter((l) => /^(PASS|FAIL) probe /.test(l))
        .map((l) => l.split(' ')[2])
        .sort(),
    ).toEqual(['calc/__init__.py', 'calc/ops.py', 'calc/stats.py', 'tests/test_ops.py']);
    for (const l of lines) expect(l).not.toContain('\r');
    expect(lines.at(-2)).toMatch(/^runner: 4 jobs: 4 ran \(3 passed, 1 failed\)/);
  });

  test('--quiet and --json draw no bar', async () => {
    const sb = useFixture('python-demo');
    slowJobs(sb);
    const quiet = startInPty(sb, ['run', '-q'], baseEnv({ TERM: 'xterm' }));
    expect(await quiet.exited, quiet.output()).toBe(1);
    expect(quiet.output()).not.toContain(ERASE);
    expect(quiet.output()).not.toContain('PASS');

    setProbeControl(sb, 'fail', null);
    const json = startInPty(sb, ['run', '--json', '--force'], baseEnv({ TERM: 'xterm' }));
    expect(await json.exited, json.output()).toBe(0);
    expect(json.output()).not.toContain(ESC);
    expect(JSON.parse(json.output())).toMatchObject({ command: 'run', counts: { ran: 4 } });
  });
});

test('piped output: plain lines and no escape sequence, even with a colour-capable TERM', async () => {
  const sb = useFixture('python-demo');
  slowJobs(sb);
  const env = baseEnv({ TERM: 'xterm-256color' });
  delete env.NO_COLOR;
  const res = await runRunner(['run', '-j', '2'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(1);
  expect(res.stdout + res.stderr).not.toContain(ESC);
  expect(res.stdout.split('\n').filter((l) => /^(PASS|FAIL) probe /.test(l))).toHaveLength(4);
  expect(PY_FILES.length).toBeGreaterThan(4);
});
