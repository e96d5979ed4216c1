// Public surface of jobserver/: where a run's slots come from.
export { LocalPool } from './local-pool.js';
export { JobserverPool, type TokenSource } from './client.js';
export { parseMakeflags, withoutJobserver, type Makeflags, type JobserverAuth } from './makeflags.js';
export {
  checkPipe,
  judgePipe,
  readFdFacts,
  linuxProc,
  type ProcView,
  type PipeCheck,
  type FdFacts,
  type EndFacts,
} from './validate.js';
export { openSlots, type Slots, type SlotOptions } from './connect.js';
export { KeptJobserver } from './kept-jobserver.js';
export type { ServeStyle, FdPlacement } from './server.js';
export type { Token, TokenPool } from './token.js';
