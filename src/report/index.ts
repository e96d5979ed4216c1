// Public surface of report/.
export { TextReporter, type TextOptions } from './text-reporter.js';
export { JsonOutput, type JsonOutputOptions } from './json-output.js';
export { JunitOutput } from './junit-output.js';
export { TraceOutput } from './trace-output.js';
export type { Stream } from './stream.js';
export { renderRunSummary, renderScan, renderExplanation, renderIssueWarning, renderDeps } from './summary.js';
export { runJson, scanJsonText, explainJson, errorJson, depsJson, JSON_FORMAT_VERSION } from './json.js';
export { describeReason } from './reasons.js';
export { type Style, shown as shownPath } from './style.js';
export { hookJson, renderHookInstall, renderHookUninstall, renderNothingStaged } from './hook.js';
export { initJson, renderInit } from './init.js';
export {
  renderCycleStart,
  renderCycleStopped,
  renderWatchKeys,
  renderWatchStatus,
  watchCycleJson,
  watchErrorJson,
} from './watch.js';
export { renderJunit, checkReportFile, writeReportFile, readLogTail } from './junit.js';
export { renderUnresolvedImports, describeUnresolvedDependency, UNRESOLVED_LISTED } from './unresolved.js';
export { renderLogHeader, renderStreamsUnknown } from './job-log.js';
