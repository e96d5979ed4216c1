// Timing, peak-RSS and CPU-time measurement of one command. Plain Node, no deps.
//
// A command is timed with process.hrtime.bigint() around a single spawnSync.
// Peak RSS comes from the kernel's rusage of the waited-for child (wait4), read
// through GNU time (`/usr/bin/time -f %M -o FILE`) when it exists, else through
// a few lines of python3 doing the same fork/exec/wait4. Node itself cannot see
// a child's rusage. The same rusage gives the child's CPU time (user + system),
// which a busy machine inflates far less than the wall clock. Either wrapper costs a little time of its own; `overheadMs`
// measures it so callers can subtract it.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';

// fork + exec + wait4, like GNU time: prints the child's ru_maxrss (KiB on
// Linux), user and system seconds into argv[1], exits with the child's status
// (128+N when killed by N).
const PY_WRAPPER = `
import os, signal, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError as e:
        sys.stderr.write("peak-rss: cannot run %s: %s\\n" % (sys.argv[2], e))
        os._exit(127)
for s in (signal.SIGINT, signal.SIGQUIT):
    signal.signal(s, signal.SIG_IGN)
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write("%d %.4f %.4f\\n" % (ru.ru_maxrss, ru.ru_utime, ru.ru_stime))
sys.exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
`;

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable called `name` on PATH, or null. */
export function whichOnPath(name, envPath = process.env.PATH ?? '') {
  for (const dir of envPath.split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/**
 * Pick how to read peak RSS: 'time' (GNU time), 'python' (python3 wait4) or
 * 'none'. `wanted` is 'auto' or one of those.
 */
export function chooseRssMethod(wanted = 'auto') {
  const gnuTimeWorks = () =>
    isExecutable(GNU_TIME) &&
    spawnSync(GNU_TIME, ['-f', '%M', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' }).status === 0;
  const python = () => whichOnPath('python3');
  if (wanted === 'none') return { method: 'none' };
  if (wanted === 'time' || wanted === 'auto') {
    if (gnuTimeWorks()) return { method: 'time', describe: `${GNU_TIME} -f '%M %U %S'` };
    if (wanted === 'time') throw new Error(`--rss time: ${GNU_TIME} is missing or is not GNU time`);
  }
  const py = python();
  // Resolve shims (pyenv, asdf) to the interpreter itself: a shim costs ~100 ms per run.
  const exe = py && spawnSync(py, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout?.trim();
  if (exe) return { method: 'python', python: exe, describe: `python3 wait4 ru_maxrss, ru_utime + ru_stime (${exe})` };
  if (wanted === 'python') throw new Error('--rss python: python3 is not on PATH');
  return { method: 'none' };
}

export function createMeasurer({ rss, scratchDir }) {
  const rssFile = path.join(scratchDir, 'peak-rss.txt');

  function wrap(argv) {
    switch (rss.method) {
      case 'time':
        return [GNU_TIME, '-f', '%M %U %S', '-o', rssFile, '--', ...argv];
      case 'python':
        return [rss.python, '-c', PY_WRAPPER, rssFile, ...argv];
      case 'none':
        return argv;
      default:
        throw new Error(`unknown RSS method ${rss.method}`);
    }
  }

  /** Peak RSS (KiB) and CPU time (ms, user + system) of the last wrapped run; nulls when unknown. */
  function readUsage() {
    if (rss.method === 'none') return { peakRssKiB: null, cpuMs: null };
    let text;
    try {
      text = fs.readFileSync(rssFile, 'utf8');
    } catch {
      return { peakRssKiB: null, cpuMs: null };
    }
    // GNU time may put "Command exited with non-zero status N" first.
    const m = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(text.trim().split('\n').pop());
    return m
      ? { peakRssKiB: Number(m[1]), cpuMs: (Number(m[2]) + Number(m[3])) * 1000 }
      : { peakRssKiB: null, cpuMs: null };
  }

  /**
   * Run argv once; time it. With { withRss: true }, run it under the RSS
   * wrapper and report peakRssKiB and cpuMs. stdout: 'pipe' | 'ignore'.
   */
  function run(argv, { cwd, env, stdout = 'pipe', withRss = false } = {}) {
    const full = withRss ? wrap(argv) : argv;
    if (withRss) fs.rmSync(rssFile, { force: true });
    const t0 = process.hrtime.bigint();
    const r = spawnSync(full[0], full.slice(1), {
      cwd,
      env,
      stdio: ['ignore', stdout, 'pipe'],
      maxBuffer: 512 * 1024 * 1024,
      encoding: 'utf8',
    });
    const t1 = process.hrtime.bigint();
    if (r.error) throw new Error(`cannot run ${full[0]}: ${r.error.message}`);
    return {
      ms: Number(t1 - t0) / 1e6,
      status: r.status,
      signal: r.signal,
      stdout: r.stdout ?? '',
      stderr: r.stderr ?? '',
      ...(withRss ? readUsage() : { peakRssKiB: null, cpuMs: null }),
    };
  }

  /** What the RSS wrapper itself adds to a timing: median(wrapped true) - median(true). */
  function overheadMs(samples = 7) {
    if (rss.method === 'none') return 0;
    const trueBin = whichOnPath('true') ?? 'true';
    const bare = median(Array.from({ length: samples }, () => run([trueBin]).ms));
    const wrapped = median(Array.from({ length: samples }, () => run([trueBin], { withRss: true }).ms));
    return Math.max(0, wrapped - bare);
  }

  return { run, overheadMs };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const cpuCount = () => os.availableParallelism?.() ?? os.cpus().length;
