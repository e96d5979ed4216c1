// How far a file's timestamps may lag the clock: the one margin every stat
// cache (the scan, the declared-input cache, the import graphs' stat
// identities) applies before trusting a stat. A constant, no I/O.

/**
 * File timestamps come from a coarse clock that can lag real time (a jiffy;
 * a second or two on some file systems), so an entry modified just before the
 * threshold is treated as racy too. Costs a re-hash of recently touched files.
 */
export const RACY_MARGIN_MS = 2000;
