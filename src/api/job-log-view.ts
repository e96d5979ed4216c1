// runner log FILE: which recorded log (or which bytes of it) shows a job's
// last output, whole or one stream, and the reading of those bytes. It reads
// the manifest and the logs, never runs or records anything, and never
// prints: the CLI copies the bytes to its stdout.
import fs from 'node:fs';
import { LogError } from '../errors.js';
import { type LogSegment, decodeStreamIndex, rangesOf } from '../log-streams.js';
import type { JobResult } from '../manifest/index.js';
import { outputLogPath, streamIndexPath } from '../state-dir.js';
import { argumentPath, treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import type { ApiOptions } from './options.js';
import { logPath, withSession } from './scan-and-save.js';

export type OutputStream = 'stdout' | 'stderr';

export interface JobLogOptions extends ApiOptions {
  file: string;
  /** Only this tool's job; all of FILE's jobs that ran when absent. */
  tool?: string;
  /** One stream instead of the merged log. */
  stream?: OutputStream;
}

/**
 * What prints one job's log: the whole file, some of its bytes (one stream's
 * segments), nothing (the job wrote nothing), or why the stream asked for
 * cannot be told apart (then nothing of it is printed).
 */
export type LogBytes =
  | { kind: 'whole'; fd: number; bytes: number }
  | { kind: 'ranges'; fd: number; ranges: LogSegment[] }
  | { kind: 'empty' }
  | { kind: 'streams-unknown'; why: string };

export interface JobLogView {
  tool: string;
  /** The recorded log's path; null when the job wrote nothing. */
  log: string | null;
  bytes: LogBytes;
}

export interface JobLogReport {
  file: RelPath;
  stream: OutputStream | null;
  /** One per job of FILE that has a result, in the config's order of tools. */
  logs: JobLogView[];
}

/**
 * Finds FILE's jobs' last logs and opens them while the state directory is
 * locked: an open log stays readable after a later run removes it. The CLI
 * reads each with readLogBytes, which closes it.
 */
export async function jobLog(opts: JobLogOptions): Promise<JobLogReport> {
  return withSession(opts, (s) => {
    const rel = treePath(s.sourceTree, argumentPath(opts.cwd, opts.sourceTree, opts.file));
    if (rel === null || rel === '')
      throw new LogError({ kind: 'outside-tree', file: opts.file, sourceTree: s.sourceTree });
    const names = s.tools.map((t) => t.config.name);
    if (opts.tool !== undefined && !names.includes(opts.tool))
      throw new LogError({ kind: 'unknown-tool', tool: opts.tool, tools: names });
    const results = (opts.tool === undefined ? names : [opts.tool]).flatMap((tool) => {
      const r = s.manifest.latest(tool, rel);
      return r === undefined ? [] : [r];
    });
    if (results.length === 0) throw new LogError({ kind: 'no-result', file: rel, tool: opts.tool ?? null });
    const logs: JobLogView[] = [];
    try {
      for (const r of results) logs.push(viewOf(s.stateDir, logPath(s, r), r, opts.stream ?? null));
    } catch (err) {
      for (const v of logs) closeView(v);
      throw err;
    }
    return { file: rel, stream: opts.stream ?? null, logs };
  });
}

function viewOf(stateDir: string, log: string, r: JobResult, stream: OutputStream | null): JobLogView {
  // A job that wrote nothing keeps no log (result-recorder.ts): each of its streams is empty too.
  if (!r.hasLog) return { tool: r.tool, log: null, bytes: { kind: 'empty' } };
  const fd = openOrNull(log);
  if (fd === null) throw new LogError({ kind: 'log-missing', file: r.path, tool: r.tool, log });
  const view = (bytes: LogBytes): JobLogView => ({ tool: r.tool, log, bytes });
  if (stream === null) return view({ kind: 'whole', fd, bytes: fs.fstatSync(fd).size });
  fs.closeSync(fd);
  if (r.remote === true)
    return view({
      kind: 'streams-unknown',
      why: 'its result came from the remote cache, which keeps the merged log only',
    });
  // A file the failure pattern named has a log of its own (the lines naming it); its process's output is beside it.
  const output = outputLogPath(log);
  const outputFd = r.status === 'failed' ? openOrNull(output) : null;
  const source = outputFd === null ? log : output;
  const sourceFd = outputFd ?? openOrNull(log);
  if (sourceFd === null) throw new LogError({ kind: 'log-missing', file: r.path, tool: r.tool, log });
  const found = readStreams(sourceFd, streamIndexPath(stateDir, source), stream);
  if (found.kind !== 'ranges') fs.closeSync(sourceFd);
  return view(found);
}

/** The segments of `stream` in the log open at `fd`, from its index; or why they cannot be known. */
function readStreams(fd: number, indexFile: string, stream: OutputStream): LogBytes {
  let text: string;
  try {
    text = fs.readFileSync(indexFile, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { kind: 'streams-unknown', why: 'its log was recorded without a stream index (by an earlier runner)' };
    return { kind: 'streams-unknown', why: `its stream index cannot be read (${(err as NodeJS.ErrnoException).code})` };
  }
  const index = decodeStreamIndex(text, fs.fstatSync(fd).size);
  if (index.kind === 'damaged')
    return { kind: 'streams-unknown', why: `its stream index ${indexFile} is damaged: ${index.detail}` };
  if (index.segments.some((g) => g.stream === 'terminal'))
    return {
      kind: 'streams-unknown',
      why: 'it ran in a terminal ("pty": true), where stdout and stderr are one stream',
    };
  return { kind: 'ranges', fd, ranges: rangesOf(index.segments, stream) };
}

function openOrNull(file: string): number | null {
  try {
    return fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function closeView(v: JobLogView): void {
  if (v.bytes.kind === 'whole' || v.bytes.kind === 'ranges') fs.closeSync(v.bytes.fd);
}

/** Reads a view's bytes in blocks (a 100 MB log is never held whole), then closes its log. */
export function* readLogBytes(v: JobLogView): Generator<Buffer> {
  const b = v.bytes;
  if (b.kind !== 'whole' && b.kind !== 'ranges') return;
  try {
    const ranges = b.kind === 'whole' ? [{ offset: 0, bytes: b.bytes }] : b.ranges;
    for (const { offset, bytes } of ranges) {
      for (let at = offset; at < offset + bytes;) {
        const buf = Buffer.allocUnsafe(Math.min(1 << 16, offset + bytes - at));
        const n = fs.readSync(b.fd, buf, 0, buf.length, at);
        if (n === 0) return; // cut short since it was opened: nothing past what is there
        at += n;
        yield buf.subarray(0, n);
      }
    }
  } finally {
    fs.closeSync(b.fd);
  }
}
