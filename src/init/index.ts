// Public surface of init/: `runner init`, the starting config for a tree.
export { type InitOptions, type InitResult, STARTER_FILE, initConfig } from './init.js';
export { type Found, type Starter, type TreeListing, decideStarter } from './starter.js';
export { formatStarter } from './format.js';
