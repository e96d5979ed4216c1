// Public surface of outputs/: what a tool writes, captured after a job passes,
// kept content-addressed in the state directory, restored on a hit.
export { jobOutputPatterns, namesOutput, ownOutputMatcher } from './patterns.js';
export { type Capture, type CaptureScope, captureOutputs } from './capture.js';
export { type OutputsScope, type OutputsState, outputsState, restoreOutputs } from './restore.js';
export {
  type OutputEntry,
  blobPath,
  hasBlob,
  hasOutputLists,
  listPath,
  outputsDir,
  readOutputList,
  removeOutputList,
  storeBlob,
  sweepOutputs,
  writeOutputList,
} from './store.js';
