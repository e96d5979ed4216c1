// Public surface of jobserver/.
export { LocalPool } from './local-pool.js';
export type { Token, TokenPool } from './token.js';
