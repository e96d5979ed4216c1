// Public surface of hook/: runner's git pre-commit hook, and its line in husky's.
export { type HookInstall, type HookUninstall, type HuskyLine, installHook, uninstallHook } from './install.js';
export { type FrameworkCheck, frameworkCheck, frameworkRange } from './framework.js';
export { BACKUP_NAME, HOOK_NAME, MARKER, type HookCommand, hookScript, isRunnerHook } from './script.js';
export { type HookManager, detectHookManager } from './managers.js';
export {
  HUSKY_MARK,
  addRunnerLine,
  hookCommandLine,
  installHuskyLine,
  removeRunnerLine,
  uninstallHuskyLine,
} from './husky.js';
export { refusalFor } from './recipes.js';
