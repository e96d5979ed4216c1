// Reads a --trace file and checks it against the Trace Event Format as
// Perfetto and chrome://tracing read it: what the trace tests share.
import fs from 'node:fs';

export interface TraceEventJson {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface TraceJson {
  traceEvents: TraceEventJson[];
}

/** The file parsed; throws with its start when it is not JSON. */
export function readTrace(file: string): TraceJson {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as TraceJson;
  } catch (err) {
    throw new Error(`${file} is not JSON: ${text.slice(0, 200)}`, { cause: err });
  }
}

/**
 * What breaks the format, one line each (none: it holds): an event with no
 * phase we write, a span without a time or with a negative duration, a lane
 * with no name, two spans of one lane that overlap.
 */
export function traceProblems(trace: TraceJson): string[] {
  const problems: string[] = [];
  if (!Array.isArray(trace.traceEvents)) return ['no traceEvents array'];
  const named = new Set(
    trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid}/${e.tid}`),
  );
  const lanes = new Map<string, TraceEventJson[]>();
  for (const e of trace.traceEvents) {
    if (!['X', 'i', 'M'].includes(e.ph)) problems.push(`${e.name}: phase ${e.ph}`);
    if (typeof e.pid !== 'number' || typeof e.tid !== 'number') problems.push(`${e.name}: no pid/tid`);
    if (e.ph === 'M') continue;
    if (typeof e.ts !== 'number') problems.push(`${e.name}: no ts`);
    if (!named.has(`${e.pid}/${e.tid}`)) problems.push(`${e.name}: lane ${e.tid} has no name`);
    if (e.ph !== 'X') continue;
    if (typeof e.dur !== 'number' || e.dur < 0) problems.push(`${e.name}: dur ${e.dur}`);
    const key = `${e.pid}/${e.tid}`;
    lanes.set(key, [...(lanes.get(key) ?? []), e]);
  }
  for (const [lane, spans] of lanes) {
    const sorted = [...spans].sort((a, b) => a.ts! - b.ts!);
    for (let i = 1; i < sorted.length; i++) {
      const before = sorted[i - 1]!;
      const after = sorted[i]!;
      if (after.ts! < before.ts! + before.dur!)
        problems.push(`lane ${lane}: "${after.name}" starts inside "${before.name}"`);
    }
  }
  return problems;
}

export const spansOf = (trace: TraceJson, cat?: string): TraceEventJson[] =>
  trace.traceEvents.filter((e) => e.ph === 'X' && (cat === undefined || e.cat === cat));

/** The name each lane (tid) was given. */
export function laneNames(trace: TraceJson): Map<number, string> {
  return new Map(
    trace.traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'thread_name')
      .map((e) => [e.tid, String(e.args?.name)] as const),
  );
}
