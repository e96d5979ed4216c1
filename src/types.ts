// Vocabulary shared by every stage: branded strings that must not mix.

/** A path relative to the source tree, '/'-separated, no leading './'. */
export type RelPath = string & { readonly __brand: 'RelPath' };
/** Content digest of a file (hex). */
export type Digest = string & { readonly __brand: 'Digest' };
/** Hash of everything a job's result depends on (hex). */
export type Fingerprint = string & { readonly __brand: 'Fingerprint' };
/** Hash of one tool's latch: definition, environment, executable, inputs (hex). */
export type LatchId = string & { readonly __brand: 'LatchId' };

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
