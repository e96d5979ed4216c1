// Public surface of cache/: whether a job's key can be shared, and the remote
// cache (settings, client, artifact codec) the run's execution uses.
export { type PlaceNamed, placeNamedDeps, unshareableParts } from './shareable.js';
export {
  type Artifact,
  type ArtifactHeader,
  type ArtifactOutput,
  ARTIFACT_FORMAT,
  MAX_ARTIFACT_BYTES,
  artifactKey,
  decodeArtifact,
  encodeArtifact,
} from './artifact.js';
export { type PackGroup, type PackMember, packGroups } from './pack.js';
export { type RemoteSettings, REMOTE_ENV, remoteSettingsOf } from './remote-settings.js';
export { type ArtifactStore, type Lookup, type Upload, httpArtifactStore } from './remote-client.js';
export {
  type Accepted,
  RemoteCache,
  type RemoteSummary,
  REQUEST_TIMEOUT_MS,
  LOOKUPS_AT_ONCE,
  UPLOADS_AT_ONCE,
} from './remote-cache.js';
export { artifactTag, isTagValid } from './signature.js';
export { Secret } from './secret.js';
