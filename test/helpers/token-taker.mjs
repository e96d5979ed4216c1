// Fixture tool: joins the jobserver named in MAKEFLAGS (fifo style), takes
// every token it can, prints how many, and gives back all but KEEP of them.
import fs from 'node:fs';

const flags = process.env.MAKEFLAGS ?? '';
const m = / --jobserver-auth=fifo:(\S+)/.exec(flags);
if (m === null) {
  console.log(`no fifo jobserver in MAKEFLAGS=${JSON.stringify(flags)}`);
  process.exit(3);
}
const read = fs.openSync(m[1], fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
const write = fs.openSync(m[1], fs.constants.O_WRONLY);
const buf = Buffer.alloc(1);
const taken = [];
for (;;) {
  try {
    if (fs.readSync(read, buf, 0, 1, null) !== 1) break;
    taken.push(buf[0]);
  } catch {
    break; // EAGAIN: the pool is empty
  }
}
console.log(`tokens ${taken.length}`);
const keep = Number(process.env.KEEP ?? '0');
for (const b of taken.slice(keep)) fs.writeSync(write, Buffer.of(b));
