// The codec of a log's stream index (the `.streams` file beside a job's log):
// which stream wrote each run of the log's bytes, so `runner log --stdout`
// can give one stream back exactly while the log keeps them merged in
// arrival order. Encoding and decoding only: it reads and writes no file.
//
// Format, one record a line, ASCII:
//   runner-streams 1        header
//   o1024 / e12 / r40 / t7  a segment: its stream's tag, then its length in bytes
//   end 1083                trailer: the log's whole length, written last
// A segment follows the one before it in the log; two segments in a row never
// have the same stream (the writer merges them), so the index grows only when
// the job switches streams, however much it writes.

/** stdout, stderr, runner's own lines (a timeout, a start that failed), or a terminal's one stream (`"pty": true`). */
export type LogStream = 'stdout' | 'stderr' | 'runner' | 'terminal';

export const STREAM_INDEX_HEADER = 'runner-streams 1\n';

const TAGS: Record<LogStream, string> = { stdout: 'o', stderr: 'e', runner: 'r', terminal: 't' };
const STREAMS: Record<string, LogStream> = { o: 'stdout', e: 'stderr', r: 'runner', t: 'terminal' };

export function segmentRecord(stream: LogStream, bytes: number): string {
  return `${TAGS[stream]}${bytes}\n`;
}

export function trailerRecord(total: number): string {
  return `end ${total}\n`;
}

export interface LogSegment {
  stream: LogStream;
  /** Where it starts in the log. */
  offset: number;
  bytes: number;
}

/**
 * An index as read: its segments when it covers the log exactly; else why it
 * cannot be trusted (a runner stopped mid-write, a log or index changed
 * since), so that nothing is ever printed from it.
 */
export type StreamIndex = { kind: 'whole'; segments: LogSegment[] } | { kind: 'damaged'; detail: string };

/** Decodes an index against the size of the log it describes. */
export function decodeStreamIndex(text: string, logBytes: number): StreamIndex {
  if (!text.startsWith(STREAM_INDEX_HEADER)) return { kind: 'damaged', detail: 'it does not start with its header' };
  const lines = text.slice(STREAM_INDEX_HEADER.length).split('\n');
  // A whole index ends with a newline after its trailer: the last piece is empty.
  if (lines.pop() !== '') return { kind: 'damaged', detail: 'its last record is cut short' };
  const segments: LogSegment[] = [];
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const end = /^end (\d+)$/.exec(line);
    if (end !== null) {
      if (i !== lines.length - 1) return { kind: 'damaged', detail: 'records follow its trailer' };
      const total = Number(end[1]);
      if (total !== offset)
        return { kind: 'damaged', detail: `its segments hold ${offset} bytes, its trailer says ${total}` };
      if (total !== logBytes)
        return { kind: 'damaged', detail: `it covers ${total} bytes but the log holds ${logBytes}` };
      return { kind: 'whole', segments };
    }
    const m = /^([oert])(\d+)$/.exec(line);
    if (m === null)
      return { kind: 'damaged', detail: `record ${i + 1} (${JSON.stringify(line.slice(0, 40))}) is not one` };
    const bytes = Number(m[2]);
    segments.push({ stream: STREAMS[m[1]!]!, offset, bytes });
    offset += bytes;
  }
  // No trailer: the runner writing it stopped before the job ended.
  return { kind: 'damaged', detail: `it has no trailer (written up to ${offset} bytes of the log's ${logBytes})` };
}

/** The runs of the log one stream wrote, in order. */
export function rangesOf(segments: readonly LogSegment[], stream: LogStream): LogSegment[] {
  return segments.filter((s) => s.stream === stream && s.bytes > 0);
}
