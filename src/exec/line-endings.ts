// Turns a terminal's CRLF line endings back into the LF the job wrote (the
// terminal's ONLCR adds the CR), chunk by chunk. A lone CR, which redraws a
// progress line, and every escape sequence pass unchanged. Pure: no I/O.

const CR = 0x0d;
const LF = 0x0a;

export class LineEndings {
  /** A CR that ended the last chunk: dropped if the next chunk starts with LF. */
  private held = false;

  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + (this.held ? 1 : 0));
    let n = 0;
    let i = 0;
    if (this.held) {
      this.held = false;
      if (chunk[0] !== LF) out[n++] = CR;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === CR) {
        if (i + 1 === chunk.length) {
          this.held = true;
          continue;
        }
        if (chunk[i + 1] === LF) continue;
      }
      out[n++] = b;
    }
    return out.subarray(0, n);
  }

  /** What is still held when the terminal closes. */
  end(): Buffer {
    const rest = this.held ? Buffer.of(CR) : Buffer.alloc(0);
    this.held = false;
    return rest;
  }
}
