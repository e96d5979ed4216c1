// The batch probe (batch-probe.py, issue 14) as a config entry, and readers
// for what its processes recorded: which files each process got, its pid, and
// how it ended.
import fs from 'node:fs';
import path from 'node:path';
import { REPO, type Sandbox, type ToolDef } from './sandbox.js';

export const BATCH_PROBE_SCRIPT = path.join(REPO, 'test', 'helpers', 'batch-probe.py');

/** A batch tool named `batch` running the probe on `{files}`. */
export function batchProbeTool(extra: Partial<ToolDef> = {}): ToolDef {
  return { name: 'batch', command: ['python3', BATCH_PROBE_SCRIPT, '{files}'], ...extra };
}

export interface BatchProcess {
  pid: number;
  /** The files it was given, in argument order. */
  files: string[];
  /** Its exit code; null while it runs, or when it was killed. */
  code: number | null;
  /** Pids of the workers it started ("PROBE_WORKER"). */
  workers: number[];
}

/** The probe's processes, in the order they started. */
export function batchProcesses(sb: Sandbox): BatchProcess[] {
  let text = '';
  try {
    text = fs.readFileSync(path.join(sb.scratch, 'batch-probe.log'), 'utf8');
  } catch {
    // no process ran yet
  }
  const out: BatchProcess[] = [];
  for (const line of text.split('\n')) {
    const [event, pid, rest] = line.split(' ');
    if (event === 'start' && rest !== undefined)
      out.push({ pid: Number(pid), files: rest.split('|'), code: null, workers: [] });
    const p = out.find((x) => x.pid === Number(pid));
    if (event === 'end' && rest !== undefined && p !== undefined) p.code = Number(rest);
    if (event === 'child' && rest !== undefined && p !== undefined) p.workers.push(Number(rest));
  }
  return out;
}

/** Every file some process was given, sorted, each once. */
export function batchFilesRun(sb: Sandbox): string[] {
  return [...new Set(batchProcesses(sb).flatMap((p) => p.files))].sort();
}

export function resetBatchProbe(sb: Sandbox): void {
  fs.rmSync(path.join(sb.scratch, 'batch-probe.log'), { force: true });
}

/** Opens the gate `name`: processes waiting on "PROBE_WAIT=name" go on. */
export function openGate(sb: Sandbox, name: string): void {
  fs.writeFileSync(path.join(sb.scratch, name), '');
}

/** py_compile over `{files}`, behind a shell that logs each process's files to $PROBE_DIR/batch.log. */
export const LOGGED_PY_COMPILE = [
  'sh',
  '-c',
  'echo "$*" >> "$PROBE_DIR/batch.log"; exec python3 -m py_compile "$@"',
  'sh',
  '{files}',
];

/** The LOGGED_PY_COMPILE processes that ran since the last call, each as the files it got. */
export function loggedProcesses(sb: Sandbox): string[] {
  const file = path.join(sb.scratch, 'batch.log');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  fs.rmSync(file, { force: true });
  return text.split('\n').filter((l) => l !== '');
}
