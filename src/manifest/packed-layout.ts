// The layout every packed snapshot shares (files, directories, results): a
// header (entry count, numbers per entry), the numbers, the texts joined by
// NUL, then the digests as bytes. Reading it is one place; what the numbers
// and texts mean is each snapshot's own (codec.ts, file-table.ts,
// packed-results.ts).

/** Entry count and numbers per entry, two little-endian uint32s. */
export const HEADER = 8;

export interface Packed {
  count: number;
  /** Numbers per entry, as stored. */
  numbersPer: number;
  numbers: Float64Array;
  text: string;
  /** The digests as stored, 16 bytes each: a view into `buf` (copy it to keep it without the whole blob). */
  digests: Buffer;
}

/** Splits a packed snapshot; throws when its numbers per entry are none of `numbersPer`. */
export function unpack(buf: Buffer, numbersPer: number | readonly number[]): Packed {
  const count = buf.readUInt32LE(0);
  const stored = buf.readUInt32LE(4);
  if (typeof numbersPer === 'number' ? stored !== numbersPer : !numbersPer.includes(stored)) {
    throw new Error(`snapshot layout mismatch: ${stored} numbers per entry, expected ${String(numbersPer)}`);
  }
  const bytes = count * stored * 8;
  // Copy into an aligned buffer: a blob from sqlite need not start on an 8-byte boundary.
  const numbers = new Float64Array(count * stored);
  Buffer.from(numbers.buffer).set(buf.subarray(HEADER, HEADER + bytes));
  let at = HEADER + bytes;
  const textLen = buf.readUInt32LE(at);
  at += 4;
  return {
    count,
    numbersPer: stored,
    numbers,
    text: count === 0 ? '' : buf.toString('utf8', at, at + textLen),
    digests: buf.subarray(count === 0 ? buf.length : at + textLen),
  };
}
