// Hashes a job's inputs. Each part is here because a change in it must re-run the job.
import { hashString } from '../hash.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../types.js';

export function fingerprintJob(
  tool: string,
  latchId: LatchId,
  path: RelPath,
  digest: Digest,
  depsDigest = '',
): Fingerprint {
  const parts = [
    tool, // results of different tools never stand in for each other
    latchId, // definition, environment, executables and declared inputs of the tool
    // The command sees the path ({file}); the same content elsewhere is another job. A path starting
    // with "-" is given as "./-..." (exec/command.ts, since issue 12): a result from when the tool took
    // it for an option must not stand.
    path.startsWith('-') ? `./${path}` : path,
    digest, // the file's content
  ];
  // What the file depends on (its transitive imports, or what the job read); absent without deps,
  // so results of tools without deps keep their fingerprints.
  if (depsDigest !== '') parts.push(depsDigest);
  return hashString(parts.join('\0')) as Fingerprint;
}
